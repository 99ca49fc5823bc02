import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefix, waitFor, withAdmin, databaseUrl, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { Client, type DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import { postgresGuardrails, withSqlGuard } from '../../apps/worker/src/guardrails';
import { postgresListener } from '../../apps/worker/src/postgres/listener';
import { gqlClient } from '../control-plane/support';

// The rules API end to end: GraphQL CRUD with role checks and audit, the policy publisher shipping
// the rules to a real worker, and evaluateGuardrails agreeing with what that worker enforces.

interface Rule {
  id: string;
  connection: string | null;
  name: string;
  priority: number;
  enabled: boolean;
  action: string;
  message: string;
  match: Record<string, unknown>;
}
const RULE = 'id connection name priority enabled action message match { kinds objects functions identities groups writes whereConstantOnly missingWhere findings }';

describe('guardrail rules API: CRUD, roles, publish to a worker, evaluateGuardrails = worker verdict', () => {
  const adminToken = generateApiKey().key;
  const prefix = testRedisPrefix();
  const poolKeys = generatePoolKeyPair();
  let db: TestDatabase;
  let target: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let worker: RunningWorker;
  let gql: ReturnType<typeof gqlClient>;
  let stateDir: string;
  let pgPort: number;
  const tokens: Record<'agent' | 'auditor' | 'approver', string> = { agent: '', auditor: '', approver: '' };
  const clients: Client[] = [];

  const admin = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await gql<T>(query, variables, adminToken);
    if (res.errors) throw new Error(`admin call failed: ${res.errors[0]?.message}`);
    return res.data!;
  };
  const agentClient = async () => {
    const c = new Client({ connectionString: `postgresql://agent:${encodeURIComponent(tokens.agent)}@127.0.0.1:${pgPort}/orders` });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  const snapshotRules = () => worker.ctx.policy.current?.snapshot.guardrailRules ?? [];

  beforeAll(async () => {
    db = await createTestDatabase();
    target = await createTestDatabase({ migrated: false });
    await withAdmin((c) => c.query("CREATE TABLE t (id int PRIMARY KEY, x int); INSERT INTO t VALUES (1, 10), (2, 20); CREATE TABLE secrets (k text); INSERT INTO secrets VALUES ('s3cr3t')"), databaseUrl(target.name));
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'), AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_HTTP_PORT: '0', AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' }),
    );
    gql = gqlClient(cp.url);
    await admin('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
    await admin('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
      i: { name: 'orders', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: target.name, tls: { mode: 'disable' }, credentials: [{ profile: 'readonly', username: 'postgres', password: 'unused-trust' }] },
    });
    await admin('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
      i: { name: 'other', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: target.name, tls: { mode: 'disable' }, credentials: [{ profile: 'readonly', username: 'postgres', password: 'x' }] },
    });
    const sa = async (name: string, roles: string[]) =>
      (await admin<{ createServiceAccount: { apiKey: string } }>('mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { apiKey } }', { i: { name, roles } })).createServiceAccount.apiKey;
    tokens.agent = await sa('agent', []);
    tokens.auditor = await sa('auditor', ['AUDITOR']);
    tokens.approver = await sa('approver', ['APPROVER']);
    await admin('mutation { grantAccess(input: { subject: "sa:agent", connection: "orders" }) { id } }');

    stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-guardrails-'));
    pgPort = await freePort();
    worker = await startWorker(
      loadWorkerConfig({
        AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'default', AIRLOCK_WORKER_ID: 'w-guardrails', AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
        AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`, AIRLOCK_PG_LISTEN: `127.0.0.1:${pgPort}`, AIRLOCK_STATE_DIR: stateDir, LOG_LEVEL: 'silent',
      }),
      [withSqlGuard(postgresListener({ hooks: (ctx) => [postgresGuardrails(ctx)] }))],
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

  let ruleId = '';

  it('creates a rule, ships it to the worker in sql-guard\'s shape, and the worker enforces it', async () => {
    await admin('mutation { setConnectionPolicy(input: { connection: "orders", guardrails: CUSTOM }) { guardrails } }');
    const res = await admin<{ createGuardrailRule: Rule }>(`mutation($i: CreateGuardrailRuleInput!) { createGuardrailRule(input: $i) { ${RULE} } }`, {
      i: { connection: 'orders', name: 'no secrets', priority: 5, action: 'BLOCK', message: 'secrets are off limits', match: { kinds: ['SELECT'], objects: ['public.secrets'] } },
    });
    const rule = res.createGuardrailRule;
    ruleId = rule.id;
    expect(rule).toMatchObject({ connection: 'orders', name: 'no secrets', priority: 5, enabled: true, action: 'BLOCK', match: { kinds: ['SELECT'], objects: ['public.secrets'], writes: null } });
    await waitFor(() => snapshotRules().some((r) => r.id === ruleId), 'the rule in the worker snapshot');
    expect(snapshotRules().find((r) => r.id === ruleId)).toEqual({
      id: ruleId, connection: 'orders', name: 'no secrets', priority: 5, enabled: true, action: 'block', message: 'secrets are off limits', match: { kinds: ['SELECT'], objects: ['public.secrets'] },
    });
    const c = await agentClient();
    const err = (await c.query('SELECT * FROM secrets').catch((e: DatabaseError) => e)) as DatabaseError;
    expect(err.code).toBe('42501');
    expect(err.message).toBe('airlock: secrets are off limits (rule "no secrets")');
    expect((await c.query('SELECT x FROM t ORDER BY id')).rows).toEqual([{ x: 10 }, { x: 20 }]);
  });

  it('lists rules (all, or those that apply to a connection) for ADMIN, APPROVER and AUDITOR, not MEMBER', async () => {
    await admin(`mutation { createGuardrailRule(input: { name: "org: no truncate", action: BLOCK, message: "never", match: { kinds: ["TRUNCATE"] } }) { id } }`);
    await admin(`mutation { createGuardrailRule(input: { connection: "other", name: "other only", action: REVIEW, message: "hm", match: { writes: true } }) { id } }`);
    const all = await gql<{ guardrailRules: Rule[] }>('{ guardrailRules { name connection } }', {}, tokens.auditor);
    expect(all.data?.guardrailRules.map((r) => r.name)).toEqual(['no secrets', 'org: no truncate', 'other only']);
    const forOrders = await gql<{ guardrailRules: Rule[] }>('{ guardrailRules(connection: "orders") { name connection } }', {}, tokens.approver);
    expect(forOrders.data?.guardrailRules).toEqual([{ name: 'no secrets', connection: 'orders' }, { name: 'org: no truncate', connection: null }]);
    const member = await gql('{ guardrailRules { id } }', {}, tokens.agent);
    expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const missing = await gql('{ guardrailRules(connection: "nope") { id } }', {}, adminToken);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The global rule reached the worker too.
    await waitFor(() => snapshotRules().some((r) => r.name === 'org: no truncate'), 'the global rule in the worker snapshot');
    expect(snapshotRules().some((r) => r.name === 'other only')).toBe(true);
  });

  it('only ADMIN writes; every write is in the audit log', async () => {
    for (const token of [tokens.auditor, tokens.approver, tokens.agent]) {
      const res = await gql('mutation { createGuardrailRule(input: { name: "x", action: BLOCK, message: "x", match: { kinds: ["DROP"] } }) { id } }', {}, token);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const del = await gql('mutation($i: DeleteGuardrailRuleInput!) { deleteGuardrailRule(input: $i) { id } }', { i: { id: ruleId } }, token);
      expect(del.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const log = await admin<{ auditLog: Array<{ action: string; details: string }> }>('{ auditLog(limit: 100) { action details } }');
    const actions = log.auditLog.map((e) => e.action);
    expect(actions.filter((a) => a === 'createGuardrailRule').length).toBeGreaterThanOrEqual(3);
  });

  it('validates input: unknown kinds and findings, empty lists, permissive ALLOW, unknown connection, unknown id', async () => {
    const create = (i: Record<string, unknown>) => gql(`mutation($i: CreateGuardrailRuleInput!) { createGuardrailRule(input: $i) { id } }`, { i: { name: 'bad', action: 'BLOCK', message: 'm', ...i } }, adminToken);
    const bad = await create({ match: { kinds: ['SELECT', 'DELET'] } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/^airlock: match\.kinds\.1: unknown statement kind "DELET"/);
    expect((await create({ match: { findings: ['nope'] } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await create({ match: { objects: [] } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await create({ match: {} })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const allowAll = await create({ action: 'ALLOW', match: { writes: true } });
    expect(allowAll.errors?.[0]?.message).toMatch(/an ALLOW rule must name kinds, objects or functions/);
    expect((await create({ connection: 'nope', match: { kinds: ['DROP'] } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await create({ name: '  ', match: { kinds: ['DROP'] } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const upd = await gql('mutation { updateGuardrailRule(input: { id: "not-a-uuid", priority: 1 }) { id } }', {}, adminToken);
    expect(upd.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('updates a rule (disable, re-enable with a new match) and the worker follows', async () => {
    const c = await agentClient();
    await admin(`mutation { updateGuardrailRule(input: { id: "${ruleId}", enabled: false }) { enabled } }`);
    await waitFor(() => snapshotRules().find((r) => r.id === ruleId)?.enabled === false, 'the disabled rule in the worker snapshot');
    expect((await c.query('SELECT k FROM secrets')).rows).toEqual([{ k: 's3cr3t' }]);
    const res = await admin<{ updateGuardrailRule: Rule }>(`mutation { updateGuardrailRule(input: { id: "${ruleId}", enabled: true, message: "no t either", match: { objects: ["public.t"] } }) { ${RULE} } }`);
    expect(res.updateGuardrailRule).toMatchObject({ enabled: true, message: 'no t either', match: { objects: ['public.t'], kinds: null } });
    await waitFor(() => snapshotRules().find((r) => r.id === ruleId)?.message === 'no t either', 'the updated rule in the worker snapshot');
    expect((await c.query('SELECT k FROM secrets')).rows).toEqual([{ k: 's3cr3t' }]);
    expect(((await c.query('SELECT x FROM t').catch((e: Error) => e)) as Error).message).toBe('airlock: no t either (rule "no secrets")');
  });

  it('evaluateGuardrails (any role) returns the verdict the worker enforces', async () => {
    const c = await agentClient();
    const statements = [
      'SELECT x FROM t', 'SELECT k FROM secrets', 'DROP TABLE secrets', 'TRUNCATE t', 'DELETE FROM secrets', "DELETE FROM secrets WHERE k = 'nope'",
      'SELECT 1; DROP TABLE t', "SELECT pg_read_file('/etc/passwd')", 'SELEC 1', 'SHOW search_path',
    ];
    for (const sql of statements) {
      const res = await gql<{ evaluateGuardrails: { verdict: string; rule: { name: string } | null; fingerprint: string | null; statements: Array<{ kind: string; verdict: string; findings: Array<{ code: string }> }> } }>(
        'query($sql: String!) { evaluateGuardrails(connection: "orders", sql: $sql, identity: "agent") { verdict rule { id name message } reason fingerprint statements { kind objects functions writes hasWhere whereConstantOnly verdict findings { code node path } } } }',
        { sql },
        tokens.agent,
      );
      expect(res.errors).toBeUndefined();
      const ev = res.data!.evaluateGuardrails;
      const outcome = await c.query(sql).then(() => null, (e: DatabaseError) => e);
      if (ev.verdict === 'ALLOW') expect(outcome, sql).toBeNull();
      else {
        expect(outcome?.code, sql).toBe('42501');
        expect(outcome?.message, sql).toContain(`(rule "${ev.rule?.name}")`);
      }
    }
    const detail = await gql<{ evaluateGuardrails: { verdict: string; statements: Array<{ kind: string; writes: boolean; hasWhere: boolean; findings: Array<{ code: string; node: string }> }> } }>(
      '{ evaluateGuardrails(connection: "orders", sql: "UPDATE t SET x = 1 WHERE 1 = 1") { verdict statements { kind writes hasWhere whereConstantOnly findings { code node path } } } }',
      {},
      tokens.auditor,
    );
    expect(detail.data?.evaluateGuardrails).toMatchObject({ verdict: 'BLOCK', statements: [{ kind: 'UPDATE', writes: true, hasWhere: true, findings: [{ code: 'constant-where' }] }] });
    const unknown = await gql('{ evaluateGuardrails(connection: "nope", sql: "SELECT 1") { verdict } }', {}, tokens.agent);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('deletes a rule and the worker stops enforcing it', async () => {
    const c = await agentClient();
    const res = await admin<{ deleteGuardrailRule: Rule }>(`mutation { deleteGuardrailRule(input: { id: "${ruleId}" }) { id name } }`);
    expect(res.deleteGuardrailRule).toEqual({ id: ruleId, name: 'no secrets' });
    await waitFor(() => !snapshotRules().some((r) => r.id === ruleId), 'the rule gone from the worker snapshot');
    expect((await c.query('SELECT x FROM t WHERE id = 1')).rows).toEqual([{ x: 10 }]);
    const again = await gql(`mutation { deleteGuardrailRule(input: { id: "${ruleId}" }) { id } }`, {}, adminToken);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('dry-runs the current rules and an unsaved one against the last recorded statements', async () => {
    // Three statements as the recorder stored them (verdicts at the time they ran).
    const sessionId = randomUUID();
    await withAdmin(async (c) => {
      await c.query(
        `INSERT INTO "Session" (id, "identityName", "identityKind", "tokenKind", "connectionName", "connectionKind", profile, "workerId", "startedAt")
         VALUES ($1, 'agent', 'SERVICE_ACCOUNT', 'api_key', 'orders', 'POSTGRES', 'readonly', 'w1', now())`,
        [sessionId],
      );
      const recorded = [
        ['SELECT x FROM t WHERE id = 1', 'ALLOW'],
        ['SELECT * FROM secrets', 'ALLOW'],
        ['DROP TABLE t', 'BLOCK'],
      ];
      for (const [i, [sql, verdict]] of recorded.entries()) {
        await c.query(
          `INSERT INTO "SessionEvent" ("sessionId", seq, kind, at, payload, "prevHash", hash) VALUES ($1, $2, 'statement', now() + make_interval(secs => $2::int), $3, 'p', $4)`,
          [sessionId, i + 1, JSON.stringify({ sql, verdict }), `h${i}`],
        );
      }
    }, db.url);
    type DryRun = { dryRunGuardrails: { preset: string; total: number; changed: number; items: Array<{ sql: string; before: string; after: string; rule: string | null; identity: string }> } };
    const query = 'query($rule: CreateGuardrailRuleInput) { dryRunGuardrails(connection: "orders", last: 10, rule: $rule) { preset total changed items { sql before after rule identity } } }';
    const current = await gql<DryRun>(query, {}, tokens.auditor);
    expect(current.data?.dryRunGuardrails).toMatchObject({ preset: 'CUSTOM', total: 3, changed: 0 });
    const draft = { connection: 'orders', name: 'draft: no secrets', priority: 1, action: 'BLOCK', message: 'no', match: { kinds: ['SELECT'], objects: ['public.secrets'] } };
    const withDraft = await gql<DryRun>(query, { rule: draft }, tokens.approver);
    expect(withDraft.data?.dryRunGuardrails.changed).toBe(1);
    expect(withDraft.data?.dryRunGuardrails.items.find((i) => i.sql === 'SELECT * FROM secrets')).toMatchObject({ before: 'ALLOW', after: 'BLOCK', rule: 'draft: no secrets', identity: 'agent' });
    // Nothing was saved by the dry run, and a member may not replay recorded statements.
    expect((await admin<{ guardrailRules: Rule[] }>('{ guardrailRules(connection: "orders") { name } }')).guardrailRules.map((r) => r.name)).not.toContain('draft: no secrets');
    const member = await gql(query, {}, tokens.agent);
    expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await gql(query, { rule: { ...draft, match: { kinds: ['NOPE'] } } }, tokens.auditor);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
