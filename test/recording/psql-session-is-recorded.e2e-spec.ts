import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type SessionEvent } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { sessionCounter } from '../../apps/worker/src/postgres/session-counter';
import { createRecorder, type SessionRecorder } from '../../apps/worker/src/recording/recorder';
import { gqlClient } from '../control-plane/support';
import { type PgHarness, startPgHarness } from '../postgres/harness';

const run = promisify(execFile);

describe('a psql session through the worker is recorded', () => {
  let pg: PgHarness;
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let recorder: SessionRecorder | undefined;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  const adminToken = generateApiKey().key;

  beforeAll(async () => {
    // The harness's worker gets a second session counter that records through the real pipeline
    // (spool → BullMQ → control plane); the recorder needs the worker's Redis prefix, known after start.
    const forward = { record: (e: SessionEvent) => recorder?.record(e) };
    pg = await startPgHarness({ hooks: [sessionCounter(forward)] });
    const { config, log } = pg.worker.ctx;
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
