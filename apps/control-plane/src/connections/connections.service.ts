import { Inject, Injectable, Logger } from '@nestjs/common';
import { TlsMode } from '@airlock/contracts';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { encryptSecret } from '../common/credential-cipher';
import { PolicyPublisher } from '../policy/policy.publisher';
import { ConnectionException, ConnectionExceptionCode } from './connections.exception';
import { ConnectionsRepository, isUniqueViolation, type ConnectionFields, type CredentialWrite } from './connections.repository';
import { type ConnectionObject } from './dto/connection.object';
import { type CreateConnectionInput, type CredentialInput, type DeleteConnectionInput, type SetConnectionPolicyInput, type TlsInput, type UpdateConnectionInput } from './dto/connection.inputs';

const DEFAULT_POOL = 'default';
const Name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'a name is 1-63 letters, digits, ".", "-" or "_"');
const Host = z.string().min(1).max(253).regex(/^[^\s/]+$/, 'host must be a host name or IP address');
const Port = z.number().int().min(1).max(65535);

@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: ConnectionsRepository,
    private readonly policy: PolicyPublisher,
  ) {}

  list(): Promise<ConnectionObject[]> {
    return this.repo.list();
  }

  async get(name: string): Promise<ConnectionObject> {
    const { poolId: _poolId, ...conn } = await this.require(name);
    return conn;
  }

  async create(input: CreateConnectionInput): Promise<ConnectionObject> {
    check(Name, input.name, 'name');
    if (input.credentials.length === 0) invalid('credentials: give at least one profile');
    const poolId = await this.poolId(input.pool ?? DEFAULT_POOL);
    const fields: ConnectionFields = { kind: input.kind, host: check(Host, input.host, 'host'), port: check(Port, input.port, 'port'), database: input.database ?? null, poolId, tls: tls(input.tls) };
    const credentials = this.credentials(input.credentials, new Set());
    let conn: ConnectionObject;
    try {
      conn = await this.repo.create(input.name, fields, credentials, this.config.masterKeyId);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConnectionException(ConnectionExceptionCode.ALREADY_EXISTS, `airlock: a connection named "${input.name}" already exists`);
      throw err;
    }
    await this.policy.publishPools([poolId]);
    this.logger.log({ msg: 'connection created', connection: conn.name, pool: conn.pool });
    return conn;
  }

  async update(input: UpdateConnectionInput): Promise<ConnectionObject> {
    const before = await this.require(input.name);
    const fields: Partial<ConnectionFields> = {};
    if (input.kind) fields.kind = input.kind;
    if (input.host !== undefined && input.host !== null) fields.host = check(Host, input.host, 'host');
    if (input.port !== undefined && input.port !== null) fields.port = check(Port, input.port, 'port');
    if (input.database !== undefined) fields.database = input.database ?? null;
    if (input.pool) fields.poolId = await this.poolId(input.pool);
    if (input.tls) fields.tls = tls(input.tls);
    if (input.credentials && input.credentials.length === 0) invalid('credentials: a connection keeps at least one profile');
    const credentials = input.credentials ? this.credentials(input.credentials, new Set(before.credentials.map((c) => c.profile))) : undefined;
    const conn = await this.repo.update(input.name, fields, credentials, this.config.masterKeyId);
    await this.policy.publishPools([before.poolId, fields.poolId ?? before.poolId]);
    return conn;
  }

  async delete(input: DeleteConnectionInput): Promise<ConnectionObject> {
    const { poolId, ...conn } = await this.require(input.name);
    await this.repo.delete(input.name);
    await this.policy.publishPools([poolId]);
    return conn;
  }

  async setPolicy(input: SetConnectionPolicyInput): Promise<ConnectionObject> {
    const before = await this.require(input.connection);
    const timeout = input.reviewTimeoutSeconds ?? undefined;
    if (timeout !== undefined) check(z.number().int().min(5).max(86_400), timeout, 'reviewTimeoutSeconds');
    const conn = await this.repo.setPolicy(input.connection, { guardrails: input.guardrails ?? undefined, masking: input.masking ?? undefined, reviewTimeoutSeconds: timeout });
    await this.policy.publishPools([before.poolId]);
    return conn;
  }

  private async require(name: string): Promise<ConnectionObject & { poolId: string }> {
    const conn = await this.repo.findByName(name);
    if (!conn) throw new ConnectionException(ConnectionExceptionCode.NOT_FOUND, `airlock: no connection named "${name}"`);
    return conn;
  }

  private async poolId(name: string): Promise<string> {
    const id = await this.repo.poolIdByName(name);
    if (!id) {
      throw new ConnectionException(
        ConnectionExceptionCode.POOL_NOT_FOUND,
        `airlock: worker pool "${name}" does not exist: register it first with registerWorkerPool(input: { name: "${name}", publicKey: "<the pool's X25519 public key>" })`,
      );
    }
    return id;
  }

  /** Encrypts each profile's secret fields into one envelope; a profile sent without them keeps its stored secret. */
  private credentials(input: CredentialInput[], existing: Set<string>): CredentialWrite[] {
    const seen = new Set<string>();
    return input.map((c) => {
      check(Name, c.profile, 'credentials.profile');
      if (seen.has(c.profile)) invalid(`credentials: profile "${c.profile}" is given twice`);
      seen.add(c.profile);
      const secret = { password: c.password ?? undefined, privateKey: c.privateKey ?? undefined, token: c.token ?? undefined };
      const hasSecret = Object.values(secret).some((v) => v !== undefined);
      return {
        profile: c.profile,
        username: c.username ?? null,
        secret: hasSecret || !existing.has(c.profile) ? encryptSecret(this.config.masterKey, JSON.stringify(secret)) : undefined,
      };
    });
  }
}

function invalid(message: string): never {
  throw new ConnectionException(ConnectionExceptionCode.INVALID_INPUT, `airlock: ${message}`);
}

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) invalid(`${field}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

function tls(input: TlsInput | undefined): ConnectionFields['tls'] {
  if (!input) return { mode: 'prefer' };
  const mode = check(TlsMode, input.mode, 'tls.mode');
  return { mode, ...(input.ca ? { ca: input.ca } : {}), ...(input.serverName ? { serverName: input.serverName } : {}) };
}
