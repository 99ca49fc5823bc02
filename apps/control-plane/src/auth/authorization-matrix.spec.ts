import { randomUUID } from 'node:crypto';
import { generatePoolKeyPair, type SessionEvent } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix, dropRedisPrefix, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../bootstrap';
import { loadConfig } from '../config/config';
import { RecordingService } from '../recording/recording.service';

type RoleName = 'ADMIN' | 'APPROVER' | 'AUDITOR' | 'MEMBER';
const ROLES: RoleName[] = ['ADMIN', 'APPROVER', 'AUDITOR', 'MEMBER'];
const ALL = ROLES;

interface Operation {
  field: string;
  allowed: RoleName[];
  query: string;
  variables?: (role: RoleName) => Record<string, unknown>;
}

/** The access review period of the matrix queries: around now. */
const PERIOD = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };

// The contract of who may do what. Every root field of the schema must appear here (checked below).
const MATRIX: Operation[] = [
  { field: 'me', allowed: ALL, query: '{ me { name roles } }' },
  { field: 'serverInfo', allowed: ALL, query: '{ serverInfo { version } }' },
  { field: 'connections', allowed: ALL, query: '{ connections { name credentials { profile } } }' },
  { field: 'connection', allowed: ALL, query: '{ connection(name: "shared") { name } }' },
  { field: 'workers', allowed: ALL, query: '{ workers { id } }' },
  { field: 'workerPools', allowed: ['ADMIN', 'AUDITOR'], query: '{ workerPools { name } }' },
  { field: 'serviceAccounts', allowed: ['ADMIN', 'AUDITOR'], query: '{ serviceAccounts { name } }' },
  { field: 'accessGrants', allowed: ['ADMIN', 'APPROVER', 'AUDITOR'], query: '{ accessGrants { id } }' },
  { field: 'auditLog', allowed: ['ADMIN', 'AUDITOR'], query: '{ auditLog(limit: 5) { id } }' },
  {
    field: 'registerWorkerPool', allowed: ['ADMIN'],
    query: 'mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }',
    variables: (r) => ({ i: { name: `pool-${r.toLowerCase()}`, publicKey: generatePoolKeyPair().publicKey } }),
  },
  {
    field: 'createConnection', allowed: ['ADMIN'],
    query: 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }',
    variables: (r) => ({ i: { name: `c-${r.toLowerCase()}`, kind: 'POSTGRES', host: 'db', port: 5432, credentials: [{ profile: 'readonly', username: 'ro', password: 'x' }] } }),
  },
  { field: 'updateConnection', allowed: ['ADMIN'], query: 'mutation { updateConnection(input: { name: "shared", port: 6543 }) { port } }' },
  { field: 'setConnectionPolicy', allowed: ['ADMIN'], query: 'mutation { setConnectionPolicy(input: { connection: "shared", guardrails: PERMISSIVE, masking: false }) { guardrails } }' },
  { field: 'deleteConnection', allowed: ['ADMIN'], query: 'mutation { deleteConnection(input: { name: "doomed" }) { name } }' },
  {
    field: 'createServiceAccount', allowed: ['ADMIN'],
    query: 'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { name } } }',
    variables: (r) => ({ i: { name: `made-by-${r.toLowerCase()}` } }),
  },
  { field: 'rotateApiKey', allowed: ['ADMIN'], query: 'mutation { rotateApiKey(input: { serviceAccount: "victim" }) { serviceAccount { name } } }' },
  { field: 'revokeApiKey', allowed: ['ADMIN'], query: 'mutation { revokeApiKey(input: { serviceAccount: "victim" }) { name } }' },
  { field: 'grantAccess', allowed: ['ADMIN'], query: 'mutation { grantAccess(input: { subject: "sa:victim", connection: "shared" }) { id } }' },
  { field: 'revokeAccess', allowed: ['ADMIN'], query: 'mutation($i: RevokeAccessInput!) { revokeAccess(input: $i) { id } }', variables: () => ({ i: { id: grantId } }) },
  { field: 'guardrailRules', allowed: ['ADMIN', 'APPROVER', 'AUDITOR'], query: '{ guardrailRules { id name } }' },
  { field: 'dryRunGuardrails', allowed: ['ADMIN', 'APPROVER', 'AUDITOR'], query: '{ dryRunGuardrails(connection: "shared", last: 5) { total } }' },
  { field: 'evaluateGuardrails', allowed: ALL, query: '{ evaluateGuardrails(connection: "shared", sql: "SELECT 1") { verdict } }' },
  {
    field: 'createGuardrailRule', allowed: ['ADMIN'],
    query: 'mutation($i: CreateGuardrailRuleInput!) { createGuardrailRule(input: $i) { id } }',
    variables: (r) => ({ i: { connection: 'shared', name: `rule-by-${r.toLowerCase()}`, action: 'BLOCK', message: 'no', match: { kinds: ['DROP'] } } }),
  },
  { field: 'updateGuardrailRule', allowed: ['ADMIN'], query: 'mutation($i: UpdateGuardrailRuleInput!) { updateGuardrailRule(input: $i) { id } }', variables: () => ({ i: { id: ruleId, priority: 5 } }) },
  { field: 'deleteGuardrailRule', allowed: ['ADMIN'], query: 'mutation($i: DeleteGuardrailRuleInput!) { deleteGuardrailRule(input: $i) { id } }', variables: () => ({ i: { id: doomedRuleId } }) },
  { field: 'maskingRules', allowed: ['ADMIN', 'APPROVER', 'AUDITOR'], query: '{ maskingRules { id name } }' },
  { field: 'previewMasking', allowed: ALL, query: '{ previewMasking(connection: "shared", text: "a@b.com") { text } }' },
  {
    field: 'createMaskingRule', allowed: ['ADMIN'],
    query: 'mutation($i: CreateMaskingRuleInput!) { createMaskingRule(input: $i) { id } }',
    variables: (r) => ({ i: { connection: 'shared', name: `mask-by-${r.toLowerCase()}`, match: { columnName: 'ssn' }, entity: 'SSN', style: 'PARTIAL' } }),
  },
  { field: 'updateMaskingRule', allowed: ['ADMIN'], query: 'mutation($i: UpdateMaskingRuleInput!) { updateMaskingRule(input: $i) { id } }', variables: () => ({ i: { id: maskRuleId, enabled: false } }) },
  { field: 'deleteMaskingRule', allowed: ['ADMIN'], query: 'mutation($i: DeleteMaskingRuleInput!) { deleteMaskingRule(input: $i) { id } }', variables: () => ({ i: { id: doomedMaskRuleId } }) },
  { field: 'reviewRequests', allowed: ['ADMIN', 'APPROVER', 'AUDITOR'], query: '{ reviewRequests { id status } }' },
  { field: 'reviewRequest', allowed: ['ADMIN', 'APPROVER', 'AUDITOR'], query: 'query($id: String!) { reviewRequest(id: $id) { id } }', variables: () => ({ id: reviewIds['AUDITOR'] }) },
  {
    field: 'decideReview', allowed: ['ADMIN', 'APPROVER'],
    query: 'mutation($i: DecideReviewInput!) { decideReview(input: $i) { status } }',
    variables: (r) => ({ i: { id: reviewIds[r], decision: 'REJECT', reason: 'matrix' } }),
  },
  { field: 'setReviewPolicy', allowed: ['ADMIN'], query: 'mutation { setReviewPolicy(input: { connection: "shared", minApprovers: 1 }) }' },
  { field: 'requestAccess', allowed: ALL, query: 'mutation { requestAccess(input: { connection: "shared", duration: "PT1H", reason: "matrix" }) { id } }' },
  // Recorded sessions: everyone may ask; a member sees only their own (another's is NOT_FOUND, tested below).
  { field: 'sessions', allowed: ALL, query: '{ sessions { nodes { id identity } hasNextPage } }' },
  { field: 'session', allowed: ALL, query: 'query($id: ID!) { session(id: $id) { id events { seq kind } } }', variables: (r) => ({ id: sessionIds[r] }) },
  { field: 'verifySession', allowed: ['ADMIN', 'AUDITOR'], query: 'query($id: ID!) { verifySession(id: $id) { ok } }', variables: () => ({ id: sessionIds['MEMBER'] }) },
  { field: 'accessReview', allowed: ['ADMIN', 'AUDITOR'], query: `{ accessReview(from: "${PERIOD.from}", to: "${PERIOD.to}") { from rows { subject } } }` },
  { field: 'accessReviewExport', allowed: ['ADMIN', 'AUDITOR'], query: `{ accessReviewExport(from: "${PERIOD.from}", to: "${PERIOD.to}", format: CSV) }` },
];

let grantId = '';
/** One recorded session per role, owned by that role's service account. */
const sessionIds = {} as Record<RoleName, string>;
/** One pending access request (by the bootstrap admin) per role, for decideReview. */
const reviewIds = {} as Record<RoleName, string>;
let ruleId = '';
let doomedRuleId = '';
let maskRuleId = '';
let doomedMaskRuleId = '';

describe('authorization matrix: every role against every operation (real Postgres and Redis)', () => {
  const adminToken = generateApiKey().key;
  const tokens = {} as Record<RoleName, string>;
  const prefix = testRedisPrefix();
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;

  const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await fetch(`${cp.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  };
  const admin = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await gql(query, variables, adminToken);
    if (res.errors) throw new Error(`setup failed: ${res.errors[0]?.message}`);
    return res.data!;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, AIRLOCK_DEV_MODE: '1', AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_HTTP_PORT: '0', AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' }),
    );
    await admin('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: generatePoolKeyPair().publicKey } });
    for (const name of ['shared', 'doomed']) {
      await admin('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
        i: { name, kind: 'POSTGRES', host: 'db', port: 5432, credentials: [{ profile: 'readonly', username: 'ro', password: 'pw' }] },
      });
    }
    await admin('mutation { createServiceAccount(input: { name: "victim" }) { apiKey } }');
    grantId = ((await admin('mutation { grantAccess(input: { subject: "sa:victim", connection: "shared" }) { id } }')) as { grantAccess: { id: string } }).grantAccess.id;
    const rule = async (name: string) =>
      ((await admin('mutation($i: CreateGuardrailRuleInput!) { createGuardrailRule(input: $i) { id } }', { i: { name, action: 'BLOCK', message: 'no', match: { kinds: ['TRUNCATE'] } } })) as { createGuardrailRule: { id: string } }).createGuardrailRule.id;
    for (const role of ROLES) {
      const req = (await admin('mutation { requestAccess(input: { connection: "shared", duration: "PT1H", reason: "matrix" }) { id } }')) as { requestAccess: { id: string } };
      reviewIds[role] = req.requestAccess.id;
    }
    ruleId = await rule('kept');
    doomedRuleId = await rule('doomed');
    const maskRule = async (name: string) =>
      ((await admin('mutation($i: CreateMaskingRuleInput!) { createMaskingRule(input: $i) { id } }', { i: { name, match: { column: 'public.*.notes' } } })) as { createMaskingRule: { id: string } }).createMaskingRule.id;
    maskRuleId = await maskRule('kept');
    doomedMaskRuleId = await maskRule('doomed');
    for (const role of ROLES) {
      const roles = role === 'MEMBER' ? [] : [role];
      const data = (await admin('mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { apiKey } }', { i: { name: `as-${role.toLowerCase()}`, roles } })) as {
        createServiceAccount: { apiKey: string };
      };
      tokens[role] = data.createServiceAccount.apiKey;
    }
    await seedSessions(cp.app.get(RecordingService, { strict: false }));
  });
  afterAll(async () => {
    await cp?.close();
    await db?.drop();
    const redis = new Redis('redis://127.0.0.1:6379');
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
  });

  it('covers every root field of the schema', async () => {
    const res = await gql('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }', {}, adminToken);
    const schema = res.data!['__schema'] as { queryType: { fields: Array<{ name: string }> }; mutationType: { fields: Array<{ name: string }> } };
    const fields = [...schema.queryType.fields, ...schema.mutationType.fields].map((f) => f.name).sort();
    expect(fields).toEqual(MATRIX.map((o) => o.field).sort());
  });

  it('gives each role the roles it was assigned, plus MEMBER', async () => {
    for (const role of ROLES) {
      const res = await gql('{ me { roles } }', {}, tokens[role]);
      expect((res.data!['me'] as { roles: string[] }).roles).toEqual([...new Set([role, 'MEMBER'])].sort());
    }
  });

  it('shows a member only their own sessions: another identity\'s session is NOT_FOUND', async () => {
    const res = await gql('query($id: ID!) { session(id: $id) { id } }', { id: sessionIds['AUDITOR'] }, tokens['MEMBER']);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const list = await gql('{ sessions { nodes { id identity } } }', {}, tokens['MEMBER']);
    expect((list.data!['sessions'] as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id)).toEqual([sessionIds['MEMBER']]);
    const all = await gql('{ sessions { nodes { id } } }', {}, tokens['AUDITOR']);
    expect((all.data!['sessions'] as { nodes: unknown[] }).nodes).toHaveLength(ROLES.length);
  });

  const cases = MATRIX.flatMap((op) => ROLES.map((role) => ({ op, role, allowed: op.allowed.includes(role) })));
  it.each(cases)('$role $op.field → allowed: $allowed', async ({ op, role, allowed }) => {
    const res = await gql(op.query, op.variables?.(role) ?? {}, tokens[role]);
    if (allowed) {
      expect(res.errors).toBeUndefined();
      expect(res.data?.[op.field]).toBeDefined();
    } else {
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.errors?.[0]?.message).toMatch(new RegExp(`^airlock: ${op.field} requires the ADMIN`));
    }
  });
});

/** Stores one finished session per role (as the role's service account) through the recording consumer. */
async function seedSessions(recording: RecordingService): Promise<void> {
  const at = new Date().toISOString();
  const events: SessionEvent[] = [];
  for (const role of ROLES) {
    const sessionId = randomUUID();
    sessionIds[role] = sessionId;
    events.push(
      {
        kind: 'session.start', sessionId, seq: 0, at, identity: { kind: 'SERVICE_ACCOUNT', name: `as-${role.toLowerCase()}`, groups: [] }, tokenKind: 'api_key',
        connection: { name: 'shared', kind: 'POSTGRES' }, profile: 'readonly', workerId: 'w-matrix', clientAddress: '127.0.0.1',
      },
      {
        kind: 'statement', sessionId, seq: 1, at, sql: 'SELECT 1', params: [], fingerprint: null, statementKind: 'SELECT', verdict: 'ALLOW', rule: null,
        durationMs: 0.5, rows: 1, bytes: 11, errorCode: null, masked: {}, sample: null,
      },
      { kind: 'session.end', sessionId, seq: 2, at, reason: 'client closed', statements: 1, bytesIn: 20, bytesOut: 40 },
    );
  }
  await recording.ingest({ schemaVersion: 1, workerId: 'w-matrix', events });
}
