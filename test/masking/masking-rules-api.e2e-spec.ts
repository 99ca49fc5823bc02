import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair, keySpace, open } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, databaseUrl, freePort, testRedisPrefix, dropRedisPrefix, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { decryptSecret } from '../../apps/control-plane/src/common/credential-cipher';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import { postgresMasking } from '../../apps/worker/src/masking';
import { postgresListener } from '../../apps/worker/src/postgres/listener';
import { gqlClient } from '../control-plane/support';

// The masking rules API end to end: GraphQL CRUD with roles and audit, the publisher shipping
// rules and the sealed hash key to a real worker, previewMasking agreeing with what it returns.

const RULE = 'id connection name enabled entity style match { column columnName }';

describe('masking rules API: CRUD, roles, hash key, publish to a worker, preview = worker output', () => {
  const adminToken = generateApiKey().key;
  const masterKey = randomBytes(32);
  const prefix = testRedisPrefix();
  const poolKeys = generatePoolKeyPair();
  let db: TestDatabase;
  let target: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let worker: RunningWorker;
  let gql: ReturnType<typeof gqlClient>;
  let stateDir: string;
  let pgPort: number;
  const tokens = { agent: '', auditor: '' };
  const clients: Client[] = [];

  const admin = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await gql<T>(query, variables, adminToken);
    if (res.errors) throw new Error(`admin call failed: ${res.errors[0]?.message}`);
    return res.data!;
  };
  const agent = async () => {
    const c = new Client({ connectionString: `postgresql://agent:${encodeURIComponent(tokens.agent)}@127.0.0.1:${pgPort}/crm` });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  const email = async () => (await (await agent()).query<{ email: string }>('SELECT email FROM customers WHERE id = 1')).rows[0]!.email;
  const version = () => worker.ctx.policy.version;

  beforeAll(async () => {
    db = await createTestDatabase();
    target = await createTestDatabase({ migrated: false });
    await withAdmin((c) => c.query("CREATE TABLE customers (id int PRIMARY KEY, email text); INSERT INTO customers VALUES (1, 'ada@example.com'), (2, 'alan@example.com')"), databaseUrl(target.name));
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, AIRLOCK_MASTER_KEY: masterKey.toString('hex'), AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_HTTP_PORT: '0', AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' }),
    );
    gql = gqlClient(cp.url);
    await admin('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
    await admin('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
      i: { name: 'crm', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: target.name, tls: { mode: 'disable' }, credentials: [{ profile: 'readonly', username: 'postgres', password: 'unused-trust' }] },
    });
    const sa = async (name: string, roles: string[]) =>
      (await admin<{ createServiceAccount: { apiKey: string } }>('mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { apiKey } }', { i: { name, roles } })).createServiceAccount.apiKey;
    tokens.agent = await sa('agent', []);
    tokens.auditor = await sa('auditor', ['AUDITOR']);
    await admin('mutation { grantAccess(input: { subject: "sa:agent", connection: "crm" }) { id } }');
    stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-masking-'));
    pgPort = await freePort();
    worker = await startWorker(
      loadWorkerConfig({
        AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'default', AIRLOCK_WORKER_ID: 'w-masking', AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
        AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`, AIRLOCK_PG_LISTEN: `127.0.0.1:${pgPort}`, AIRLOCK_STATE_DIR: stateDir, LOG_LEVEL: 'silent',
      }),
      [postgresListener({ hooks: (ctx) => [postgresMasking(ctx)] })],
    );
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await worker?.close();
    await cp?.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    await target?.drop();
    await db?.drop();
  });

  it('masks by default, with a per-connection hash key stored encrypted and shipped sealed', async () => {
    expect(await email()).toBe('[EMAIL]');
    const stored = await withAdmin((c) => c.query<{ k: Buffer }>(`SELECT "maskingKey" AS k FROM "Connection" WHERE name = 'crm'`), db.url);
    const key = decryptSecret(masterKey, stored.rows[0]!.k);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    const conn = worker.ctx.policy.current!.connections.get('crm')!;
    expect(open(conn.maskingKeySealed!, poolKeys.privateKey)).toBe(key);
    const redis = new Redis('redis://127.0.0.1:6379');
    const raw = await redis.get(keySpace(prefix).policySnapshot('default'));
    redis.disconnect();
    expect(raw).toContain('maskingKeySealed');
    expect(raw).not.toContain(key);
    expect(stored.rows[0]!.k.toString('latin1')).not.toContain(key);
  });

  let ruleId = '';

  it('creates a hash rule; the worker applies it; previewMasking gives the same token', async () => {
    const before = version();
    const res = await admin<{ createMaskingRule: { id: string } & Record<string, unknown> }>(`mutation($i: CreateMaskingRuleInput!) { createMaskingRule(input: $i) { ${RULE} } }`, {
      i: { connection: 'crm', name: 'email tokens', match: { column: 'public.customers.email' }, entity: 'EMAIL', style: 'HASH' },
    });
    ruleId = res.createMaskingRule.id;
    expect(res.createMaskingRule).toMatchObject({ connection: 'crm', name: 'email tokens', enabled: true, entity: 'EMAIL', style: 'HASH', match: { column: 'public.customers.email', columnName: null } });
    await waitFor(() => version() > before, 'the new snapshot on the worker');
    expect(worker.ctx.policy.current!.snapshot.maskingRules).toEqual([{ id: ruleId, connection: 'crm', name: 'email tokens', enabled: true, match: { column: 'public.customers.email' }, entity: 'EMAIL', style: 'hash' }]);
    const token = await email();
    expect(token).toMatch(/^tok_[0-9a-f]{16}$/);
    const preview = await gql<{ previewMasking: { text: string; spans: unknown[] } }>(
      '{ previewMasking(connection: "crm", text: "ada@example.com", column: "public.customers.email") { text spans { entity start end } } }',
      {},
      tokens.agent,
    );
    expect(preview.data?.previewMasking).toEqual({ text: token, spans: [{ entity: 'EMAIL', start: 0, end: 15 }] });
    const free = await gql<{ previewMasking: { text: string; spans: unknown[] } }>('{ previewMasking(connection: "crm", text: "mail ada@example.com or call 415-555-0100") { text spans { entity start end } } }', {}, tokens.agent);
    expect(free.data?.previewMasking).toEqual({ text: 'mail [EMAIL] or call [PHONE]', spans: [{ entity: 'EMAIL', start: 5, end: 20 }, { entity: 'PHONE', start: 29, end: 41 }] });
  });

  it('lists rules for ADMIN and AUDITOR; only ADMIN writes; writes are audited', async () => {
    const list = await gql<{ maskingRules: Array<{ name: string }> }>('{ maskingRules(connection: "crm") { name } }', {}, tokens.auditor);
    expect(list.data?.maskingRules).toEqual([{ name: 'email tokens' }]);
    expect((await gql('{ maskingRules { id } }', {}, tokens.agent)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const denied = await gql('mutation { createMaskingRule(input: { name: "x", match: { columnName: "x" } }) { id } }', {}, tokens.auditor);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const log = await admin<{ auditLog: Array<{ action: string }> }>('{ auditLog(limit: 100) { action } }');
    expect(log.auditLog.map((e) => e.action)).toContain('createMaskingRule');
  });

  it('validates input', async () => {
    const create = (i: Record<string, unknown>) => gql('mutation($i: CreateMaskingRuleInput!) { createMaskingRule(input: $i) { id } }', { i: { name: 'bad', ...i } }, adminToken);
    expect((await create({ match: {} })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const re = await create({ match: { columnName: '/(unclosed/' } });
    expect(re.errors?.[0]?.message).toMatch(/^airlock: match\.columnName: not a valid regex/);
    expect((await create({ connection: 'nope', match: { columnName: 'x' } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql('mutation { deleteMaskingRule(input: { id: "not-a-uuid" }) { id } }', {}, adminToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('updates and deletes a rule, and turning masking off gives clear values; the worker follows each time', async () => {
    let v = version();
    await admin(`mutation { updateMaskingRule(input: { id: "${ruleId}", style: PARTIAL }) { style } }`);
    await waitFor(() => version() > v, 'update published');
    expect(await email()).toMatch(/^\*+e?\.?com$|\*/);
    v = version();
    const deleted = await admin<{ deleteMaskingRule: { name: string } }>(`mutation { deleteMaskingRule(input: { id: "${ruleId}" }) { name } }`);
    expect(deleted.deleteMaskingRule.name).toBe('email tokens');
    await waitFor(() => version() > v, 'delete published');
    expect(await email()).toBe('[EMAIL]');
    v = version();
    await admin('mutation { setConnectionPolicy(input: { connection: "crm", masking: false }) { masking } }');
    await waitFor(() => version() > v, 'policy published');
    expect(await email()).toBe('ada@example.com');
    const off = await gql<{ previewMasking: { text: string; masking: boolean } }>('{ previewMasking(connection: "crm", text: "ada@example.com") { text masking } }', {}, tokens.agent);
    expect(off.data?.previewMasking).toEqual({ text: 'ada@example.com', masking: false });
  });
});
