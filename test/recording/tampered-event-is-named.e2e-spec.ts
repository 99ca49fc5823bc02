import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SessionEvent } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, testRedisPrefix, dropRedisPrefixAt, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { createRecorder, type SessionRecorder } from '../../apps/worker/src/recording/recorder';
import { gqlClient } from '../control-plane/support';
import { endEvent, recorderContext, startEvent, statementEvent } from './support';

const REDIS_URL = process.env.AIRLOCK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('sessions API: query, access control, tamper evidence, access review', () => {
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let recorder: SessionRecorder;
  let gql: ReturnType<typeof gqlClient>;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  const prefix = testRedisPrefix();
  const adminToken = generateApiKey().key;
  const tokens: Record<string, string> = {};
  const mine = randomUUID();
  const theirs = randomUUID();

  const record = (sessionId: string, who: string, statements: number) => {
    const start = startEvent(sessionId) as Extract<SessionEvent, { kind: 'session.start' }>;
    recorder.record({ ...start, identity: { ...start.identity, name: who } });
    for (let seq = 1; seq <= statements; seq++) recorder.record(statementEvent(sessionId, seq));
    recorder.record(endEvent(sessionId, statements + 1, statements));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, REDIS_URL, AIRLOCK_DEV_MODE: '1', AIRLOCK_HTTP_PORT: '0', AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'error' }),
    );
    gql = gqlClient(cp.url);
    for (const [name, roles] of [['etl-bot', []], ['other-bot', []], ['auditor-bot', ['AUDITOR']]] as const) {
      const r = await gql<{ createServiceAccount: { apiKey: string } }>('mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { apiKey } }', { i: { name, roles } }, adminToken);
      expect(r.errors).toBeUndefined();
      tokens[name] = r.data!.createServiceAccount.apiKey;
    }
    recorder = createRecorder(recorderContext(stateDir, REDIS_URL, prefix), { flushIntervalMs: 10 });
    record(mine, 'etl-bot', 20);
    record(theirs, 'other-bot', 5);
    await waitFor(
      () => withAdmin(async (c) => (await c.query('SELECT 1 FROM "Session" WHERE "endedAt" IS NOT NULL')).rowCount === 2, db.url),
      'both sessions stored',
      20_000,
    );
  });
  afterAll(async () => {
    await recorder?.close();
    await cp?.close();
    await dropRedisPrefixAt(prefix);
    await db?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists sessions newest first with cursor pagination and filters', async () => {
    const q = 'query($f: SessionFilter, $first: Int, $after: String) { sessions(filter: $f, first: $first, after: $after) { nodes { id identity connection statements blocked endReason } endCursor hasNextPage } }';
    type Page = { sessions: { nodes: Array<{ id: string; identity: string; statements: number; blocked: number }>; endCursor: string; hasNextPage: boolean } };
    const p1 = await gql<Page>(q, { first: 1 }, tokens['auditor-bot']);
    expect(p1.errors).toBeUndefined();
    expect(p1.data!.sessions.hasNextPage).toBe(true);
    const p2 = await gql<Page>(q, { first: 1, after: p1.data!.sessions.endCursor }, tokens['auditor-bot']);
    expect(p2.data!.sessions.hasNextPage).toBe(false);
    expect(new Set([p1.data!.sessions.nodes[0]!.id, p2.data!.sessions.nodes[0]!.id])).toEqual(new Set([mine, theirs]));

    const blockedDeletes = await gql<Page>(q, { f: { verdict: 'BLOCK', text: 'DELETE FROM orders' } }, tokens['auditor-bot']);
    expect(blockedDeletes.data!.sessions.nodes.map((n) => n.id)).toEqual([mine]);
    expect(blockedDeletes.data!.sessions.nodes[0]).toMatchObject({ identity: 'etl-bot', statements: 20, blocked: 2 });
  });

  it('shows a member its own sessions only', async () => {
    const list = await gql<{ sessions: { nodes: Array<{ id: string }> } }>('{ sessions { nodes { id } } }', {}, tokens['etl-bot']);
    expect(list.data!.sessions.nodes.map((n) => n.id)).toEqual([mine]);
    const other = await gql('query($id: ID!) { session(id: $id) { id } }', { id: theirs }, tokens['etl-bot']);
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const own = await gql<{ session: { events: Array<{ seq: number; kind: string; verdict: string | null; masked: Array<{ type: string; count: number }> }> } }>(
      'query($id: ID!) { session(id: $id) { events(first: 3) { seq kind verdict masked { type count } } } }',
      { id: mine },
      tokens['etl-bot'],
    );
    expect(own.data!.session.events).toEqual([
      { seq: 0, kind: 'session.start', verdict: null, masked: [] },
      { seq: 1, kind: 'statement', verdict: 'ALLOW', masked: [{ type: 'email', count: 1 }] },
      { seq: 2, kind: 'statement', verdict: 'ALLOW', masked: [{ type: 'email', count: 1 }] },
    ]);
    const verify = await gql('query($id: ID!) { verifySession(id: $id) { ok } }', { id: mine }, tokens['etl-bot']);
    expect(verify.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('names the seq of an event edited in Postgres', async () => {
    const q = 'query($id: ID!) { verifySession(id: $id) { ok firstBrokenSeq checked anchored } }';
    expect((await gql(q, { id: mine }, tokens['auditor-bot'])).data).toEqual({ verifySession: { ok: true, firstBrokenSeq: null, checked: 22, anchored: true } });
    await withAdmin(
      (c) => c.query(`UPDATE "SessionEvent" SET payload = jsonb_set(payload, '{sql}', '"SELECT 1"') WHERE "sessionId" = $1 AND seq = 7`, [mine]),
      db.url,
    );
    expect((await gql(q, { id: mine }, tokens['auditor-bot'])).data).toEqual({ verifySession: { ok: false, firstBrokenSeq: 7, checked: 7, anchored: true } });
  });

  it('exports the access review as CSV and JSON', async () => {
    const q = 'query($from: DateTime!, $to: DateTime!, $format: ReportFormat!) { accessReviewExport(from: $from, to: $to, format: $format) }';
    const range = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const csv = await gql<{ accessReviewExport: string }>(q, { ...range, format: 'CSV' }, tokens['auditor-bot']);
    expect(csv.errors).toBeUndefined();
    const lines = csv.data!.accessReviewExport.trim().split('\r\n');
    expect(lines[0]).toBe('subject,connection,grants,never_used_grants,sessions,statements,statements_by_kind,blocked,reviews,masked_by_type');
    expect(lines).toContain('sa:etl-bot,orders,,0,1,20,DELETE=2; SELECT=18,2,,email=18');
    const json = await gql<{ accessReviewExport: string }>(q, { ...range, format: 'JSON' }, tokens['auditor-bot']);
    const report = JSON.parse(json.data!.accessReviewExport) as { rows: Array<{ subject: string; sessions: number }> };
    expect(report.rows.map((r) => [r.subject, r.sessions])).toEqual([
      ['sa:etl-bot', 1],
      ['sa:other-bot', 1],
    ]);
    const member = await gql(q, { ...range, format: 'CSV' }, tokens['etl-bot']);
    expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
