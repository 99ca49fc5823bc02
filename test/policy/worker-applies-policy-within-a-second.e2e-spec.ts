import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefix, waitFor, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { AccessError, authorize } from '../../apps/worker/src/access/authorize';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import { gqlClient } from '../control-plane/support';

/** The requirement: a worker applies a policy change within one second of the mutation returning. */
const WITHIN_MS = 1000;

describe('a worker applies a policy change within a second (real control plane, worker, Postgres and Redis)', () => {
  const adminToken = generateApiKey().key;
  const prefix = testRedisPrefix();
  const poolKeys = generatePoolKeyPair();
  let db: TestDatabase;
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let worker: RunningWorker;
  let stateDir: string;
  let gql: ReturnType<typeof gqlClient>;
  let botKey: string;

  const admin = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await gql<T>(query, variables, adminToken);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const poolVersion = async () => (await admin<{ workerPools: Array<{ name: string; policyVersion: number }> }>('{ workerPools { name policyVersion } }')).workerPools.find((p) => p.name === 'default')!.policyVersion;
  const reportedVersion = async () => (await admin<{ workers: Array<{ id: string; policyVersion: number }> }>('{ workers(pool: "default") { id policyVersion } }')).workers.find((w) => w.id === worker.id)?.policyVersion ?? -1;

  /** Runs a mutation, then waits (at most WITHIN_MS from its return) for the worker to report the pool's new version over GraphQL. */
  const expectPropagated = async (mutation: () => Promise<unknown>) => {
    await mutation();
    const returnedAt = performance.now();
    const target = await poolVersion();
    await waitFor(async () => (await reportedVersion()) >= target, `workers { policyVersion } >= ${target}`, WITHIN_MS - (performance.now() - returnedAt), 10);
    expect(worker.ctx.policy.version).toBe(target);
    return performance.now() - returnedAt;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-policy-e2e-'));
    cp = await startControlPlane(
      loadConfig({
        DATABASE_URL: db.url,
        AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
        AIRLOCK_ADMIN_TOKEN: adminToken,
        AIRLOCK_HTTP_PORT: '0',
        AIRLOCK_REDIS_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      }),
    );
    gql = gqlClient(cp.url);
    await admin('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
    worker = await startWorker(
      loadWorkerConfig({
        AIRLOCK_REDIS_PREFIX: prefix,
        AIRLOCK_WORKER_ID: 'propagation-worker',
        AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
        AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
        AIRLOCK_STATE_DIR: stateDir,
        LOG_LEVEL: 'silent',
      }),
    );
    await waitFor(async () => (await reportedVersion()) === (await poolVersion()), 'the worker to report the initial policy');
  });

  afterAll(async () => {
    await worker?.close();
    await cp?.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('reports the new version within a second of createConnection, createServiceAccount and grantAccess returning', async () => {
    await expectPropagated(() =>
      admin('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
        i: { name: 'demo', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: 'postgres', credentials: [{ profile: 'readonly', username: 'postgres', password: 'pw-not-used' }] },
      }),
    );
    expect(worker.ctx.policy.current?.connections.get('demo')).toBeDefined();

    await expectPropagated(async () => {
      const data = await admin<{ createServiceAccount: { apiKey: string } }>('mutation { createServiceAccount(input: { name: "propagation-bot" }) { apiKey } }');
      botKey = data.createServiceAccount.apiKey;
    });

    await expectPropagated(() => admin('mutation { grantAccess(input: { subject: "sa:propagation-bot", connection: "demo", reason: "e2e" }) { id } }'));
    const access = await authorize(worker.ctx.policy.current, botKey, 'demo', 'POSTGRES');
    expect(access.grant.subject).toBe('sa:propagation-bot');
    expect(access.credential).toBeDefined();
  });

  it('reports the new version within a second of setConnectionPolicy returning, each time', async () => {
    for (const masking of [false, true, false]) {
      await expectPropagated(() => admin('mutation($m: Boolean) { setConnectionPolicy(input: { connection: "demo", masking: $m }) { name } }', { m: masking }));
      expect(worker.ctx.policy.current?.connections.get('demo')?.masking).toBe(masking);
    }
  });

  it('refuses the service account with BAD_TOKEN at the worker once its key is revoked', async () => {
    await expectPropagated(() => admin('mutation { revokeApiKey(input: { serviceAccount: "propagation-bot" }) { name } }'));
    const err = await authorize(worker.ctx.policy.current, botKey, 'demo', 'POSTGRES').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessError);
    expect((err as AccessError).code).toBe('BAD_TOKEN');
    expect((err as AccessError).message).toMatch(/^airlock:/);
  });
});
