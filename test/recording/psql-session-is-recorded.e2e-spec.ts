import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type SessionEvent } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { postgresHooks } from '../../apps/worker/src/listeners';
import type { SessionHooksFactory } from '../../apps/worker/src/postgres/hooks';
import { createRecorder, SPOOL_FULL_MESSAGE, type SessionRecorder } from '../../apps/worker/src/recording/recorder';
import { gqlClient } from '../control-plane/support';
import { type PgHarness, startPgHarness } from '../postgres/harness';

const run = promisify(execFile);

describe('a psql session through the worker is recorded', () => {
  let pg: PgHarness;
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let recorder: SessionRecorder | undefined;
  /** Stands in for a recorder whose spool reached AIRLOCK_SPOOL_MAX_BYTES. */
  let spoolFull = false;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  const adminToken = generateApiKey().key;

  beforeAll(async () => {
    // The harness's worker also gets the production hook list (guardrails, masking, statement
    // recorder, reviews, session counter) recording through the real pipeline (spool → BullMQ →
    // control plane). The hooks and the recorder need the worker's context, known after start.
    const forward = { record: (e: SessionEvent) => recorder?.record(e), canAcceptSessions: () => !spoolFull && (recorder?.canAcceptSessions() ?? true) };
    let production: SessionHooksFactory[] = [];
    const lazy = Array.from({ length: 5 }, (_, i): SessionHooksFactory => (info) => production[i](info));
    pg = await startPgHarness({ hooks: lazy, connection: { guardrails: 'STANDARD', masking: true } });
    production = postgresHooks(pg.worker.ctx, forward);
    expect(production).toHaveLength(lazy.length);
    const { config, log } = pg.worker.ctx;
    await withAdmin(async (c) => {
      await c.query('CREATE TABLE customers (id int PRIMARY KEY, name text, email text)');
      await c.query("INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', 'bob.smith@example.org'), (3, 'Cy', NULL)");
    }, pg.db.url);
    recorder = createRecorder({ config: { ...config, stateDir }, log }, { flushIntervalMs: 10 });
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, REDIS_URL: config.redisUrl, AIRLOCK_DEV_MODE: '1', AIRLOCK_HTTP_PORT: '0', AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_REDIS_PREFIX: config.redisPrefix, LOG_LEVEL: 'error' }),
    );
  });
  afterAll(async () => {
    await recorder?.close();
    await cp?.close();
    await pg?.close();
    await db?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('records every statement in order: verdicts, rules, durations, rows, SQLSTATEs, masked counts, a masked sample', async () => {
    const commands = ['SELECT id, name, email FROM customers ORDER BY id', 'DROP TABLE customers', 'SELECT * FROM no_such_table', 'SELECT 40 + 2 AS answer'];
    const { stdout, stderr } = await run('psql', ['-X', '-At', '--set', 'application_name=recorded', ...commands.flatMap((c) => ['-c', c])], { env: pg.env() }).catch((err: { stdout: string; stderr: string }) => err);
    expect(stdout).not.toContain('ada@example.com');
    expect(stdout).toContain('42');
    expect(stderr).toContain('DROP is blocked');

    const gql = gqlClient(cp.url);
    type Ev = { seq: number; kind: string; sql: string | null; verdict: string | null; rule: string | null; durationMs: number | null; rows: number | null; errorCode: string | null; masked: Array<{ type: string; count: number }>; detail: string };
    const session = await waitFor(async () => {
      const list = await gql<{ sessions: { nodes: Array<{ id: string; statements: number; endedAt: string | null }> } }>('{ sessions(first: 20) { nodes { id statements endedAt } } }', {}, adminToken);
      return list.data?.sessions.nodes.find((n) => n.statements === commands.length && n.endedAt !== null);
    }, 'the recorded session', 20_000);
    const res = await gql<{ verifySession: { ok: boolean }; session: { events: Ev[] } }>(
      'query($id: ID!) { verifySession(id: $id) { ok } session(id: $id) { events { seq kind sql verdict rule durationMs rows errorCode masked { type count } detail } } }',
      { id: session.id },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.verifySession.ok).toBe(true);
    const events = res.data!.session.events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => e.kind)).toEqual(['session.start', 'statement', 'statement', 'statement', 'statement', 'session.end']);
    const [select, drop, missing, answer] = events.slice(1, 5);
    expect(events.slice(1, 5).map((e) => e.sql)).toEqual(commands);

    expect(select).toMatchObject({ verdict: 'ALLOW', rule: 'STANDARD: reads', rows: 3, errorCode: null });
    expect(select.durationMs).toBeGreaterThan(0);
    expect(select.masked.find((m) => m.type === 'EMAIL')?.count).toBeGreaterThan(0);
    const detail = JSON.parse(select.detail) as { sample: { columns: string[]; rows: Array<Array<string | null>> }; bytes: number; fingerprint: string; statementKind: string };
    expect(detail).toMatchObject({ statementKind: 'SELECT' });
    expect(detail.fingerprint).toBeTruthy();
    expect(detail.bytes).toBeGreaterThan(0);
    expect(detail.sample.columns).toEqual(['id', 'name', 'email']);
    expect(detail.sample.rows).toHaveLength(3);
    expect(detail.sample.rows[2][2]).toBeNull();
    expect(JSON.stringify(detail.sample)).not.toMatch(/ada@example\.com|bob\.smith@example\.org/);

    expect(drop).toMatchObject({ verdict: 'BLOCK', rule: 'STANDARD: drop', rows: 0, errorCode: '42501' });
    expect(missing).toMatchObject({ verdict: 'ALLOW', errorCode: '42P01', rows: 0 });
    expect(answer).toMatchObject({ verdict: 'ALLOW', rows: 1, errorCode: null });
    expect(JSON.parse(answer.detail).sample).toEqual({ columns: ['answer'], rows: [['42']] });

    // The batches crossed Redis as blobs; the control plane deleted each once its job completed.
    const { redisUrl, redisPrefix } = pg.worker.ctx.config;
    const redis = new Redis(redisUrl);
    try {
      await waitFor(async () => (await redis.keys(`${redisPrefix}:recording:blob:*`)).length === 0, 'batch blobs deleted after their jobs completed');
    } finally {
      redis.disconnect();
    }
  });

  it('records extended-protocol statements with their bind parameters masked', async () => {
    const client = new Client({ connectionString: pg.url() });
    await client.connect();
    const r = await client.query('SELECT $1::text AS contact, $2::int AS n', ['write to carol@example.net', 7]);
    expect(r.rows).toHaveLength(1);
    await client.end();
    const gql = gqlClient(cp.url);
    const session = await waitFor(async () => {
      const list = await gql<{ sessions: { nodes: Array<{ id: string; statements: number; endedAt: string | null }> } }>('{ sessions(first: 20, filter: { text: "contact" }) { nodes { id statements endedAt } } }', {}, adminToken);
      return list.data?.sessions.nodes.find((n) => n.endedAt !== null);
    }, 'the node-postgres session', 20_000);
    const res = await gql<{ session: { events: Array<{ kind: string; verdict: string | null; rows: number | null; detail: string }> } }>('query($id: ID!) { session(id: $id) { events { kind verdict rows detail } } }', { id: session.id }, adminToken);
    const stmt = res.data!.session.events.find((e) => e.kind === 'statement')!;
    expect(stmt).toMatchObject({ verdict: 'ALLOW', rows: 1 });
    const d = JSON.parse(stmt.detail) as { params: string[]; sql: string };
    expect(d.sql).toBe('SELECT $1::text AS contact, $2::int AS n');
    expect(d.params).toHaveLength(2);
    expect(d.params[0]).not.toContain('carol@example.net');
    expect(d.params[1]).toBe('7');
  });

  it('refuses new sessions with a native error while the spool is full', async () => {
    spoolFull = true;
    try {
      const err = (await run('psql', ['-X', '-At', '-c', 'SELECT 1'], { env: pg.env() }).then(() => null, (e: { stderr: string }) => e)) as { stderr: string } | null;
      expect(err?.stderr).toContain(SPOOL_FULL_MESSAGE);
    } finally {
      spoolFull = false;
    }
    const { stdout } = await run('psql', ['-X', '-At', '-c', 'SELECT 1'], { env: pg.env() });
    expect(stdout.trim()).toBe('1');
  });

  it('stores the session with who, where and how it ended, and its chain verifies', async () => {
    const { stdout } = await run('psql', ['-X', '-At', '-c', 'SELECT 40 + 2'], { env: pg.env() });
    expect(stdout.trim()).toBe('42');
    const row = await waitFor(
      () => withAdmin(async (c) => (await c.query('SELECT * FROM "Session" WHERE "endedAt" IS NOT NULL')).rows[0], db.url),
      'the session to be stored',
      20_000,
    );
    expect(row).toMatchObject({ identityName: 'agent', identityKind: 'SERVICE_ACCOUNT', connectionName: 'demo-pg', connectionKind: 'POSTGRES', profile: 'readonly' });
    expect(row.endReason).toBeTruthy();

    const gql = gqlClient(cp.url);
    const res = await gql<{ verifySession: { ok: boolean; anchored: boolean }; session: { events: Array<{ kind: string }> } }>(
      'query($id: ID!) { verifySession(id: $id) { ok anchored } session(id: $id) { events { kind } } }',
      { id: row.id },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.verifySession).toEqual({ ok: true, anchored: true });
    const kinds = res.data!.session.events.map((e) => e.kind);
    expect(kinds[0]).toBe('session.start');
    expect(kinds[kinds.length - 1]).toBe('session.end');
  });
});
