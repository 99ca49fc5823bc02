import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair, keySpace, type Heartbeat } from '@airlock/contracts';
import { freePort, testRedisPrefix, dropRedisPrefix, waitFor } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../bootstrap';
import { loadWorkerConfig } from '../config';
import { snapshotFixture } from './snapshot-fixture';

describe('worker policy and heartbeat (real Redis)', () => {
  const prefix = testRedisPrefix();
  const keys = keySpace(prefix);
  const pool = generatePoolKeyPair();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  const redis = new Redis('redis://127.0.0.1:6379');
  let worker: RunningWorker;

  const publish = async (version: number, raw?: string) => {
    await redis.set(keys.policySnapshot('p1'), raw ?? JSON.stringify(snapshotFixture({ pool: 'p1', version, poolPublicKey: pool.publicKey })));
    await redis.publish(keys.policyChannel(), JSON.stringify({ schemaVersion: 1, pool: 'p1', version }));
  };
  const health = async () => (await fetch(`${worker.healthUrl}/healthz`)).json() as Promise<{ policyVersion: number; status: string }>;

  beforeAll(async () => {
    await publish(1);
    const port = await freePort();
    worker = await startWorker(
      loadWorkerConfig({
        AIRLOCK_REDIS_PREFIX: prefix,
        AIRLOCK_WORKER_POOL: 'p1',
        AIRLOCK_WORKER_ID: 'w-test',
        AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey,
        AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${port}`,
        AIRLOCK_STATE_DIR: stateDir,
        LOG_LEVEL: 'silent',
      }),
    );
  });
  afterAll(async () => {
    await worker?.close();
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('fetches the snapshot on start and serves /healthz', async () => {
    expect(await health()).toMatchObject({ status: 'ok', policyVersion: 1 });
  });

  it('applies a new version on notice and reports it in its heartbeat', async () => {
    await publish(2);
    await waitFor(async () => (await health()).policyVersion === 2, 'policy version 2');
    const hb = await waitFor(async () => {
      const raw = await redis.hget(keys.workers(), 'w-test');
      const parsed = raw ? (JSON.parse(raw) as Heartbeat) : undefined;
      return parsed?.policyVersion === 2 ? parsed : undefined;
    }, 'heartbeat with version 2');
    expect(hb).toMatchObject({ id: 'w-test', pool: 'p1', region: 'local' });
  });

  it('refuses a snapshot that fails the contract schema and keeps the old one', async () => {
    await publish(3, JSON.stringify({ schemaVersion: 1, pool: 'p1', version: 3, connections: 'nope' }));
    await worker.ctx.policy.refresh('test');
    expect((await health()).policyVersion).toBe(2);
  });

  it('opens sealed credentials with the pool key', () => {
    const index = worker.ctx.policy.current!;
    expect(index.credential(index.connections.get('demo-pg')!, 'readonly')).toEqual({ username: 'postgres', secret: { password: 'pw-123' } });
  });

  it('exposes Prometheus metrics', async () => {
    expect(await (await fetch(`${worker.healthUrl}/metrics`)).text()).toMatch(/airlock_worker_policy_version \d/);
  });
});
