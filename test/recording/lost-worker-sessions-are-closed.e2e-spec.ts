import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Heartbeat, keySpace, type SessionEvent } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, dropRedisPrefixAt, testRedisPrefix, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { createRecorder, type SessionRecorder } from '../../apps/worker/src/recording/recorder';
import { gqlClient } from '../control-plane/support';
import { endEvent, recorderContext, startEvent, statementEvent } from './support';

const REDIS_URL = process.env.AIRLOCK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Sessions of three workers, none ended: one worker is gone (no heartbeat), one restarted after
// its session started, one is alive. The control plane closes the first two as "worker lost"
// once they have been quiet for AIRLOCK_LOST_SESSION_SECONDS, and anchors their chains.
describe('sessions left open by a lost worker', () => {
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let recorder: SessionRecorder;
  let gql: ReturnType<typeof gqlClient>;
  let beating: NodeJS.Timeout | undefined;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  const prefix = testRedisPrefix();
  const adminToken = generateApiKey().key;
  const gone = randomUUID();
  const restarted = randomUUID();
  const alive = randomUUID();
  const minuteAgo = Date.now() - 60_000;

  const record = (sessionId: string, workerId: string, statements: number) => {
    const start = startEvent(sessionId) as Extract<SessionEvent, { kind: 'session.start' }>;
    recorder.record({ ...start, at: new Date(minuteAgo).toISOString(), workerId });
    for (let seq = 1; seq <= statements; seq++) recorder.record(statementEvent(sessionId, seq));
  };
  const beat = (id: string, startedAt: number) => {
    const hb: Heartbeat = {
      id, pool: 'default', region: 'local', addresses: {}, policyVersion: 1, load: { sessions: 1, cpu: 0, rssBytes: 0 },
      startedAt: new Date(startedAt).toISOString(), at: new Date().toISOString(),
    };
    return redis.hset(keySpace(prefix).workers(), id, JSON.stringify(hb));
  };
  const session = (id: string) =>
    withAdmin(async (c) => (await c.query<{ endedAt: Date | null; endReason: string | null }>('SELECT "endedAt", "endReason" FROM "Session" WHERE id = $1', [id])).rows[0], db.url);
  const verify = async (id: string) =>
    (await gql<{ verifySession: { ok: boolean; firstBrokenSeq: number | null; anchored: boolean } }>('query($id: ID!) { verifySession(id: $id) { ok firstBrokenSeq anchored } }', { id }, adminToken)).data!.verifySession;

  beforeAll(async () => {
    db = await createTestDatabase();
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url, REDIS_URL, AIRLOCK_DEV_MODE: '1', AIRLOCK_HTTP_PORT: '0', AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'error',
        AIRLOCK_LOST_SESSION_SECONDS: '1',
      }),
    );
    gql = gqlClient(cp.url);
    // The live worker started before its session; the restarted one after its session started.
    const tick = () => Promise.all([beat('w-alive', minuteAgo - 60_000), beat('w-restarted', minuteAgo + 30_000)]);
    await tick();
    beating = setInterval(() => void tick(), 1000);
    recorder = createRecorder(recorderContext(stateDir, REDIS_URL, prefix), { flushIntervalMs: 10 });
    record(gone, 'w-gone', 3);
    record(restarted, 'w-restarted', 2);
    record(alive, 'w-alive', 2);
  });
  afterAll(async () => {
    clearInterval(beating);
    await recorder?.close();
    await cp?.close();
    await dropRedisPrefixAt(prefix);
    redis.disconnect();
    await db?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('closes the sessions of a gone or restarted worker as "worker lost", anchored, and leaves a live worker\'s open', async () => {
    await waitFor(async () => (await session(gone))?.endReason === 'worker lost' && (await session(restarted))?.endReason === 'worker lost', 'the lost sessions closed', 30_000);
    expect(await verify(gone)).toEqual({ ok: true, firstBrokenSeq: null, anchored: true });
    // The sweep runs every second: two more and the live worker's session is still open.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await session(alive)).toMatchObject({ endedAt: null, endReason: null });
    expect(await verify(alive)).toMatchObject({ ok: true, anchored: false });

    const audit = await withAdmin(async (c) => (await c.query<{ target: string; details: { workerLost: string; lastSeq: number } }>(`SELECT target, details FROM "AuditLogEntry" WHERE action = 'session.anchored' ORDER BY id`)).rows, db.url);
    expect(audit.map((a) => [a.target, a.details.workerLost, a.details.lastSeq]).sort()).toEqual([[gone, 'w-gone', 3], [restarted, 'w-restarted', 2]].sort());
  });

  it('pins the chain as far as it was recorded: a cut-off tail is named', async () => {
    await withAdmin((c) => c.query('DELETE FROM "SessionEvent" WHERE "sessionId" = $1 AND seq = 2', [restarted]), db.url);
    expect(await verify(restarted)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
  });

  it('lets events that arrive later in (the session is open again), and their session.end closes it and anchors the new end', async () => {
    // A statement the restarted worker's spool delivers late: the chain grows past its anchor (seq 3)
    // and still verifies, and the session is open again. (Timed a minute ahead, so the sweep does not
    // find it quiet and close it again before the end arrives.)
    recorder.record({ ...statementEvent(gone, 4), at: new Date(Date.now() + 60_000).toISOString() } as SessionEvent);
    await waitFor(async () => (await withAdmin((c) => c.query('SELECT 1 FROM "SessionEvent" WHERE "sessionId" = $1 AND seq = 4', [gone]), db.url)).rowCount === 1, 'the late statement stored', 20_000);
    expect(await verify(gone)).toEqual({ ok: true, firstBrokenSeq: null, anchored: true });
    expect(await session(gone)).toMatchObject({ endedAt: null, endReason: null });
    recorder.record(endEvent(gone, 5, 4));
    await waitFor(async () => (await session(gone))?.endReason === 'client closed', 'the real end stored', 20_000);
    expect(await verify(gone)).toEqual({ ok: true, firstBrokenSeq: null, anchored: true });
  });
});
