import { Inject, Injectable, Logger } from '@nestjs/common';
import { createMasker, DETECTABLE_ENTITIES, type MaskingRule } from '@airlock/masking';
import { z } from 'zod';
import { decryptSecret } from '../common/credential-cipher';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { type Prisma } from '../generated/prisma/client';
import { newMaskingKey, toMaskingSnapshotRule } from '../policy/masking-compiler';
import { PolicyPublisher } from '../policy/policy.publisher';
import { MaskingEntity, MaskStyleEnum } from './dto/masking.enums';
import { type CreateMaskingRuleInput, type DeleteMaskingRuleInput, type MaskingMatchInput, type UpdateMaskingRuleInput } from './dto/masking-rule.inputs';
import { type MaskingPreviewObject, type MaskingRuleObject } from './dto/masking-rule.object';
import { MaskingException, MaskingExceptionCode } from './masking.exception';
import { type MaskingConnectionRef, MaskingRepository, type MaskingRuleRow, type MaskingRuleWrite } from './masking.repository';

const Name = z.string().trim().min(1, 'must not be empty').max(120);
const Pattern = z.string().trim().min(1, 'must not be empty').max(300);
const Uuid = z.string().uuid();
/** What a preview accepts; cells larger than the engine's budget are masked whole anyway. */
const MAX_PREVIEW_TEXT = 1_000_000;

@Injectable()
export class MaskingService {
  private readonly logger = new Logger(MaskingService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: MaskingRepository,
    private readonly policy: PolicyPublisher,
  ) {}

  async list(connection?: string): Promise<MaskingRuleObject[]> {
    const conn = connection ? await this.requireConnection(connection) : undefined;
    return (await this.repo.list(conn?.id)).map(toObject);
  }

  async create(input: CreateMaskingRuleInput): Promise<MaskingRuleObject> {
    const conn = input.connection ? await this.requireConnection(input.connection) : null;
    const rule = await this.repo.create({
      connectionId: conn?.id ?? null,
      name: check(Name, input.name, 'name'),
      enabled: input.enabled ?? true,
      match: match(input.match),
      entity: input.entity ?? MaskingEntity.FULL,
      style: (input.style ?? MaskStyleEnum.REDACT).toLowerCase(),
    });
    await this.publish([rule.poolId]);
    this.logger.log({ msg: 'masking rule created', rule: rule.id, name: rule.name, connection: rule.connection, entity: rule.entity, style: rule.style });
    return toObject(rule);
  }

  async update(input: UpdateMaskingRuleInput): Promise<MaskingRuleObject> {
    const before = await this.require(input.id);
    const data: MaskingRuleWrite = {};
    if (input.connection !== undefined) data.connectionId = input.connection === null ? null : (await this.requireConnection(input.connection)).id;
    if (input.name != null) data.name = check(Name, input.name, 'name');
    if (input.enabled != null) data.enabled = input.enabled;
    if (input.match != null) data.match = match(input.match);
    if (input.entity != null) data.entity = input.entity;
    if (input.style != null) data.style = input.style.toLowerCase();
    const rule = await this.repo.update(input.id, data);
    await this.publish([before.poolId, rule.poolId]);
    return toObject(rule);
  }

  async delete(input: DeleteMaskingRuleInput): Promise<MaskingRuleObject> {
    const rule = await this.require(input.id);
    await this.repo.delete(input.id);
    await this.publish([rule.poolId]);
    return toObject(rule);
  }

  /**
   * The same engine, detectors, rules and hash key the connection's workers run, on a text the
   * caller gives. With `column` (schema.table.column or a bare name) the column's rule applies.
   */
  async preview(connection: string, text: string, column?: string): Promise<MaskingPreviewObject> {
    if (text.length > MAX_PREVIEW_TEXT) invalid(`text: at most ${MAX_PREVIEW_TEXT} characters`);
    const conn = await this.requireConnection(connection);
    if (!conn.masking) return { text, spans: [], masking: false };
    const rules = (await this.repo.list(conn.id)).map((r) => toMaskingSnapshotRule(r) as unknown as MaskingRule);
    const masker = createMasker(
      { enabled: true, entities: [...DETECTABLE_ENTITIES], defaultStyle: 'redact', rules, hashKey: this.hashKey(conn) },
      { connection: conn.name },
    );
    const res = masker.maskText(text, column ? { column: columnRef(column) } : {});
    return { text: res.text, spans: res.spans.map((s) => ({ entity: s.entity as MaskingEntity, start: s.start, end: s.end })), masking: true };
  }

  /** The connection's key, so preview tokens equal what its workers print; a throwaway one before the first compile. */
  private hashKey(conn: MaskingConnectionRef): Buffer {
    const b64 = conn.maskingKey ? decryptSecret(this.config.masterKey, conn.maskingKey) : newMaskingKey();
    return Buffer.from(b64, 'base64');
  }

  /** Global rules (no pool) reach every pool. */
  private async publish(poolIds: Array<string | null>): Promise<void> {
    const all = poolIds.includes(null) ? await this.repo.poolIds() : (poolIds as string[]);
    await this.policy.publishPools(all);
  }

  private async require(id: string): Promise<MaskingRuleRow> {
    const rule = Uuid.safeParse(id).success ? await this.repo.findById(id) : null;
    if (!rule) throw new MaskingException(MaskingExceptionCode.NOT_FOUND, `airlock: no masking rule with id "${id}"`);
    return rule;
  }

  private async requireConnection(name: string): Promise<MaskingConnectionRef> {
    const conn = await this.repo.connection(name);
    if (!conn) throw new MaskingException(MaskingExceptionCode.CONNECTION_NOT_FOUND, `airlock: no connection named "${name}"`);
    return conn;
  }
}

/** Validates a match the way the engine compiles it (a bad regex is refused here, not in a worker). */
export function match(input: MaskingMatchInput): Prisma.InputJsonValue {
  const out: { column?: string; columnName?: string } = {};
  if (input.column != null) out.column = check(Pattern, input.column, 'match.column');
  if (input.columnName != null) out.columnName = check(Pattern, input.columnName, 'match.columnName');
  if (!out.column && !out.columnName) invalid('match: give column (schema.table.column glob), columnName, or both');
  const re = out.columnName ? /^\/(.*)\/([a-z]*)$/s.exec(out.columnName) : null;
  if (re) {
    try {
      new RegExp(re[1], re[2].replace(/[gy]/g, ''));
    } catch (err) {
      invalid(`match.columnName: not a valid regex (${(err as Error).message})`);
    }
  }
  return out;
}

function columnRef(column: string): { schema?: string; table?: string; column: string } {
  const parts = column.split('.');
  if (parts.length >= 3) return { schema: parts[0], table: parts.slice(1, -1).join('.'), column: parts[parts.length - 1] };
  if (parts.length === 2) return { table: parts[0], column: parts[1] };
  return { column };
}

function toObject(r: MaskingRuleRow): MaskingRuleObject {
  const m = (r.match ?? {}) as { column?: string; columnName?: string };
  return {
    id: r.id, connection: r.connection, name: r.name, enabled: r.enabled,
    match: { column: m.column ?? null, columnName: m.columnName ?? null },
    entity: r.entity.toUpperCase() as MaskingEntity,
    style: r.style.toUpperCase() as MaskStyleEnum,
    createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function invalid(message: string): never {
  throw new MaskingException(MaskingExceptionCode.INVALID_INPUT, `airlock: ${message}`);
}

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) invalid(`${field}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}
