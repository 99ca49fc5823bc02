import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { createRecorder } from '../../apps/worker/src/recording/recorder';
import { gqlClient } from '../control-plane/support';
import { endEvent, OwnRedis, recorderContext, startEvent, statementEvent } from './support';

describe('a Redis outage in the middle of a session loses nothing', () => {
  let db: TestDatabase;
  let redis: OwnRedis;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  const prefix = testRedisPrefix();
  const adminToken = generateApiKey().key;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new OwnRedis(await freePort());
    await redis.start();
    cp = await startControlPlane(
      loadConfig({ DATABASE_URL: db.url, REDIS_URL: redis.url, AIRLOCK_DEV_MODE: '1', AIRLOCK_HTTP_PORT: '0', AIRLOCK_ADMIN_TOKEN: adminToken, AIRLOCK_REDIS_PREFIX: prefix, LOG_LEVEL: 'error' }),
    );
  });
  afterAll(async () => {
    await cp?.close();
    await redis?.dispose();
    await db?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('records 1,000 statements exactly once and in order across a Redis kill and restart, and the chain verifies', async () => {
    const lines: string[] = [];
    const recorder = createRecorder(recorderContext(stateDir, redis.url, prefix, lines), { addTimeoutMs: 500, retryMs: 100 });
    const sessionId = randomUUID();
    const N = 1000;
    recorder.record(startEvent(sessionId));
    for (let seq = 1; seq <= N; seq++) {
      recorder.record(statementEvent(sessionId, seq));
      if (seq === 300) await redis.kill();
      if (seq === 700) {
        // The recorder noticed the outage; events 300–700 went to the spool only.
        await waitFor(() => /redis unreachable, spooling events to disk/.test(lines.join('')), 'the recorder to notice the outage');
        expect(readdirSync(path.join(stateDir, 'spool')).length).toBeGreaterThan(0);
        await redis.start();
      }
      if (seq % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    recorder.record(endEvent(sessionId, N + 1, N));

    const seqs = await waitFor(
      () =>
        withAdmin(async (c) => {
          const r = await c.query<{ seq: number }>('SELECT seq FROM "SessionEvent" WHERE "sessionId" = $1 ORDER BY id', [sessionId]);
          return r.rowCount === N + 2 ? r.rows.map((x) => x.seq) : undefined;
        }, db.url),
      'all events stored',
      60_000,
      200,
    );
    // Exactly once, and stored (by insertion id) in seq order.
    expect(seqs).toEqual([...Array(N + 2).keys()]);
    expect(lines.join('')).toMatch(/redis unreachable, spooling events to disk/);
    expect(lines.join('')).toMatch(/redis is back, draining the spool/);
    await waitFor(() => readdirSync(path.join(stateDir, 'spool')).length === 0, 'spool emptied');

    const gql = gqlClient(cp.url);
    const res = await gql<{ verifySession: { ok: boolean; firstBrokenSeq: number | null; checked: number; anchored: boolean }; session: { statements: number; blocked: number; endReason: string } }>(
      'query($id: ID!) { verifySession(id: $id) { ok firstBrokenSeq checked anchored } session(id: $id) { statements blocked endReason } }',
      { id: sessionId },
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.verifySession).toEqual({ ok: true, firstBrokenSeq: null, checked: N + 2, anchored: true });
    expect(res.data!.session).toEqual({ statements: N, blocked: N / 10, endReason: 'client closed' });
    await recorder.close();
    // Each batch crossed Redis as a blob; the control plane deletes it once its job completed.
    const client = new Redis(redis.url);
    try {
      await waitFor(async () => (await client.keys(`${prefix}:recording:blob:*`)).length === 0, 'batch blobs deleted after their jobs completed');
    } finally {
      client.disconnect();
    }
  });
});
