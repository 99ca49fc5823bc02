import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair, keySpace, seal, type PolicySnapshot, type SnapshotConnection, type SnapshotRule } from '@airlock/contracts';
import { generateApiKey, hashApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefix, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import { postgresMasking, type StatementMasking } from '../../apps/worker/src/masking';
import type { SessionInfo } from '../../apps/worker/src/postgres/hooks';
import { postgresListener } from '../../apps/worker/src/postgres/listener';

/** Connections of the masking harness, all on the same test database. */
export type MaskedConnection = 'crm' | 'crm-clear' | 'crm-rules';

export interface MaskingHarness {
  port: number;
  token: string;
  db: TestDatabase;
  worker: RunningWorker;
  /** Every statement that masked something, as the recorder would get it. */
  statements: Array<{ session: string; masking: StatementMasking }>;
  url(connection?: MaskedConnection, extra?: string): string;
  env(connection?: MaskedConnection): NodeJS.ProcessEnv;
  /** Publishes a new snapshot version with these rules on `crm-rules` (and masking flags). */
  publish(over?: { rules?: SnapshotRule[]; crmMasking?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * A worker running the production masking hooks (postgresMasking on the live policy), with a
 * snapshot of three connections: `crm` (masking on, no rules), `crm-clear` (masking off) and
 * `crm-rules` (masking on with the given rules). Each has its own sealed hash key.
 */
export async function startMaskingHarness(opts: { db?: TestDatabase; rules?: SnapshotRule[] } = {}): Promise<MaskingHarness> {
  const db = opts.db ?? (await createTestDatabase({ migrated: false }));
  const prefix = testRedisPrefix();
  const keys = keySpace(prefix);
  const pool = generatePoolKeyPair();
  const agent = generateApiKey();
  const conn = (name: string, over: Partial<SnapshotConnection>): SnapshotConnection => ({
    id: `c-${name}`,
    name,
    kind: 'POSTGRES',
    host: '127.0.0.1',
    port: 5432,
    database: db.name,
    tls: { mode: 'disable' },
    guardrails: 'PERMISSIVE',
    masking: true,
    reviewTimeoutSeconds: 300,
    minApprovers: 1,
    credentials: [{ profile: 'readonly', username: 'postgres', sealed: seal(JSON.stringify({ password: 'unused-trust' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
    maskingKeySealed: seal(randomBytes(32).toString('base64'), pool.publicKey),
    ...over,
  });
  const base = [conn('crm', {}), conn('crm-clear', { masking: false }), conn('crm-rules', {})];
  let version = 0;
  const redis = new Redis('redis://127.0.0.1:6379');
  const snapshotOf = (rules: SnapshotRule[], crmMasking: boolean): PolicySnapshot => ({
    schemaVersion: 1,
    pool: 'mask',
    version: ++version,
    generatedAt: new Date().toISOString(),
    oidc: null,
    connections: base.map((c) => (c.name === 'crm' ? { ...c, masking: crmMasking } : c)),
    grants: base.map((c, i) => ({ id: `g${i}`, subject: 'sa:agent', connection: c.name, profile: 'readonly', expiresAt: null })),
    apiKeys: [{ lookupId: agent.id, hash: hashApiKey(agent.key), identityId: 'i-agent', identityName: 'agent', expiresAt: null }],
    guardrailRules: [],
    maskingRules: rules,
  });
  let rules = opts.rules ?? [];
  await redis.set(keys.policySnapshot('mask'), JSON.stringify(snapshotOf(rules, true)));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-mask-'));
  const port = await freePort();
  const statements: MaskingHarness['statements'] = [];
  const worker = await startWorker(
    loadWorkerConfig({
      AIRLOCK_REDIS_PREFIX: prefix,
      AIRLOCK_WORKER_POOL: 'mask',
      AIRLOCK_WORKER_ID: 'w-mask-test',
      AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey,
      AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
      AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`,
      AIRLOCK_STATE_DIR: stateDir,
      LOG_LEVEL: process.env.AIRLOCK_TEST_LOG ?? 'silent',
    }),
    [postgresListener({ hooks: (ctx) => [postgresMasking(ctx, { onStatementMasked: (info: SessionInfo, masking) => void statements.push({ session: info.sessionId, masking }) })] })],
  );
  return {
    port,
    token: agent.key,
    db,
    worker,
    statements,
    url: (connection = 'crm', extra = '') => `postgresql://agent:${encodeURIComponent(agent.key)}@127.0.0.1:${port}/${connection}${extra}`,
    env: (connection = 'crm') => ({ ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'agent', PGPASSWORD: agent.key, PGDATABASE: connection, PGSSLMODE: 'disable' }),
    async publish(over = {}) {
      rules = over.rules ?? rules;
      const snap = snapshotOf(rules, over.crmMasking ?? true);
      await redis.set(keys.policySnapshot('mask'), JSON.stringify(snap));
      await redis.publish(keys.policyChannel(), JSON.stringify({ schemaVersion: 1, pool: 'mask', version: snap.version }));
      const deadline = Date.now() + 10_000;
      while (worker.ctx.policy.version < snap.version) {
        if (Date.now() > deadline) throw new Error('worker did not take the new snapshot');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await worker.close();
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
      rmSync(stateDir, { recursive: true, force: true });
      if (!opts.db) await db.drop();
    },
  };
}
