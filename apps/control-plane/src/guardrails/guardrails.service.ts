import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createGuard, initSqlGuard, type Decision, type Finding, type RuleRef, type Verdict } from '@airlock/sql-guard';
import { z } from 'zod';
import { type Principal } from '../auth/principal';
import { type Prisma } from '../generated/prisma/client';
import { PolicyPublisher } from '../policy/policy.publisher';
import { type StoredGuardrailRule, toGuardrailRule } from '../policy/policy-compiler';
import { GuardrailAction, GuardrailVerdict } from './dto/guardrail.enums';
import { type GuardrailDryRunObject } from './dto/guardrail-dry-run.object';
import { type GuardrailEvaluationObject, type GuardrailFindingObject, type GuardrailRuleRefObject } from './dto/guardrail-evaluation.object';
import { type CreateGuardrailRuleInput, type DeleteGuardrailRuleInput, type GuardrailMatchInput, type UpdateGuardrailRuleInput } from './dto/guardrail-rule.inputs';
import { type GuardrailRuleObject } from './dto/guardrail-rule.object';
import { parseMatch } from './guardrail-match';
import { GuardrailException, GuardrailExceptionCode } from './guardrails.exception';
import { type ConnectionRef, GuardrailsRepository, type RuleWithPool, type RuleWrite } from './guardrails.repository';

const DEFAULT_PRIORITY = 100;
const Name = z.string().trim().min(1, 'must not be empty').max(120);
const Message = z.string().trim().min(1, 'must not be empty').max(500);
const Priority = z.number().int().min(-1_000_000).max(1_000_000);
const Uuid = z.string().uuid();
/** The SQL a dry run accepts; the worker's own limit on a message is larger, but a rule editor needs no more. */
const MAX_EVALUATE_SQL = 1_000_000;
/** Recorded statements a dry run replays at most. */
const MAX_DRY_RUN = 1000;

const VERDICTS: Record<Verdict, GuardrailVerdict> = { allow: GuardrailVerdict.ALLOW, review: GuardrailVerdict.REVIEW, block: GuardrailVerdict.BLOCK };

@Injectable()
export class GuardrailsService implements OnModuleInit {
  private readonly logger = new Logger(GuardrailsService.name);

  constructor(
    private readonly repo: GuardrailsRepository,
    private readonly policy: PolicyPublisher,
  ) {}

  /** evaluateGuardrails runs the parser the workers run (WASM; loaded once). */
  async onModuleInit(): Promise<void> {
    await initSqlGuard();
  }

  async list(connection?: string): Promise<GuardrailRuleObject[]> {
    const conn = connection ? await this.requireConnection(connection) : undefined;
    return (await this.repo.list(conn?.id)).map(strip);
  }

  async create(input: CreateGuardrailRuleInput): Promise<GuardrailRuleObject> {
    const conn = input.connection ? await this.requireConnection(input.connection) : null;
    const action = input.action;
    const rule = await this.repo.create({
      connectionId: conn?.id ?? null,
      name: check(Name, input.name, 'name'),
      priority: check(Priority, input.priority ?? DEFAULT_PRIORITY, 'priority'),
      enabled: input.enabled ?? true,
      action,
      message: check(Message, input.message, 'message'),
      match: this.match(input.match, action),
    });
    await this.publish([rule.poolId]);
    this.logger.log({ msg: 'guardrail rule created', rule: rule.id, name: rule.name, connection: rule.connection, action: rule.action });
    return strip(rule);
  }

  async update(input: UpdateGuardrailRuleInput): Promise<GuardrailRuleObject> {
    const before = await this.require(input.id);
    const data: RuleWrite = {};
    if (input.connection !== undefined) data.connectionId = input.connection === null ? null : (await this.requireConnection(input.connection)).id;
    if (input.name != null) data.name = check(Name, input.name, 'name');
    if (input.priority != null) data.priority = check(Priority, input.priority, 'priority');
    if (input.enabled != null) data.enabled = input.enabled;
    if (input.action != null) data.action = input.action;
    if (input.message != null) data.message = check(Message, input.message, 'message');
    const action = data.action ?? before.action;
    // An action change re-checks the stored match too (an empty match may block, never allow).
    if (input.match != null) data.match = this.match(input.match, action);
    else if (data.action !== undefined) this.match(before.match as GuardrailMatchInput, action);
    const rule = await this.repo.update(input.id, data);
    await this.publish([before.poolId, rule.poolId]);
    return strip(rule);
  }

  async delete(input: DeleteGuardrailRuleInput): Promise<GuardrailRuleObject> {
    const rule = await this.require(input.id);
    await this.repo.delete(input.id);
    await this.publish([rule.poolId]);
    return strip(rule);
  }

  /** A dry run with the engine, preset and rules the connection's workers run. */
  async evaluate(connection: string, sql: string, caller: Principal, identity?: string, groups?: string[]): Promise<GuardrailEvaluationObject> {
    if (sql.length > MAX_EVALUATE_SQL) invalid(`sql: at most ${MAX_EVALUATE_SQL} characters`);
    const conn = await this.requireConnection(connection);
    const rules = (await this.repo.forGuard(conn.id)).map(toGuardrailRule);
    const guard = createGuard({ preset: conn.guardrails, rules, cacheSize: 0 });
    // Service accounts connect as their name, as workers see them (sa:<name> is a grant subject, not an identity name).
    const d = guard.evaluate(sql, { identity: identity ?? caller.name, groups: groups ?? [] });
    return toEvaluation(d, conn.guardrails);
  }

  /**
   * What the connection's rules — plus `draft`, a rule not yet saved — would decide for its last
   * `last` recorded statements, next to what was decided when they ran.
   */
  async dryRun(connection: string, last: number, draft?: CreateGuardrailRuleInput): Promise<GuardrailDryRunObject> {
    if (!Number.isInteger(last) || last < 1 || last > MAX_DRY_RUN) invalid(`last: between 1 and ${MAX_DRY_RUN}`);
    const conn = await this.requireConnection(connection);
    const stored = await this.repo.forGuard(conn.id);
    if (draft) {
      stored.push({ id: 'draft', connection: draft.connection === null ? null : conn.name, name: draft.name, enabled: true, priority: draft.priority ?? DEFAULT_PRIORITY, action: draft.action, message: draft.message, match: this.match(draft.match, draft.action) as StoredGuardrailRule['match'] });
    }
    const guard = createGuard({ preset: conn.guardrails, rules: stored.map(toGuardrailRule) });
    const items = (await this.repo.recentStatements(conn.name, last)).map((s) => {
      const d = guard.evaluate(s.sql, { identity: s.identity, groups: [] });
      return { ...s, before: s.verdict as GuardrailVerdict, after: VERDICTS[d.verdict], rule: d.rule?.name ?? null };
    });
    return { preset: conn.guardrails, total: items.length, changed: items.filter((i) => i.before !== i.after).length, items };
  }

  private match(input: GuardrailMatchInput, action: GuardrailAction): Prisma.InputJsonValue {
    const r = parseMatch({ ...input });
    if (!r.ok) invalid(r.message);
    const m = r.match;
    if (action === GuardrailAction.ALLOW && !m.kinds && !m.objects && !m.functions) {
      invalid('match: an ALLOW rule must name kinds, objects or functions (it allows only what its lists cover)');
    }
    if (Object.keys(m).length === 0) invalid('match: give at least one condition');
    return m as Prisma.InputJsonValue;
  }

  /** Global rules (no pool) reach every pool. */
  private async publish(poolIds: Array<string | null>): Promise<void> {
    const all = poolIds.includes(null) ? await this.repo.poolIds() : (poolIds as string[]);
    await this.policy.publishPools(all);
  }

  private async require(id: string): Promise<RuleWithPool> {
    const rule = Uuid.safeParse(id).success ? await this.repo.findById(id) : null;
    if (!rule) throw new GuardrailException(GuardrailExceptionCode.NOT_FOUND, `airlock: no guardrail rule with id "${id}"`);
    return rule;
  }

  private async requireConnection(name: string): Promise<ConnectionRef> {
    const conn = await this.repo.connection(name);
    if (!conn) throw new GuardrailException(GuardrailExceptionCode.CONNECTION_NOT_FOUND, `airlock: no connection named "${name}"`);
    return conn;
  }
}

function strip({ poolId: _poolId, ...rule }: RuleWithPool): GuardrailRuleObject {
  return rule;
}

function invalid(message: string): never {
  throw new GuardrailException(GuardrailExceptionCode.INVALID_INPUT, `airlock: ${message}`);
}

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) invalid(`${field}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

const ref = (r: RuleRef | null): GuardrailRuleRefObject | null => (r ? { id: r.id, name: r.name, message: r.message } : null);
const finding = (f: Finding): GuardrailFindingObject => ({ code: f.code, node: f.nodeType, path: f.path, detail: f.detail ?? null });

export function toEvaluation(d: Decision, preset: string): GuardrailEvaluationObject {
  return {
    verdict: VERDICTS[d.verdict],
    rule: ref(d.rule),
    reason: d.reason,
    fingerprint: d.fingerprint,
    preset,
    statements: d.statements.map((s) => ({
      kind: s.kind,
      objects: s.info.objects,
      functions: s.info.functions,
      writes: s.info.writes,
      hasWhere: s.info.hasWhere,
      whereConstantOnly: s.info.whereConstantOnly,
      verdict: VERDICTS[s.verdict],
      rule: ref(s.rule),
      reason: s.reason,
      findings: s.info.findings.map(finding),
    })),
  };
}
