import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair, keySpace, seal, type PolicySnapshot, type SessionEvent, type SnapshotConnection } from '@airlock/contracts';
import { generateApiKey, hashApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefix, type TestDatabase } from '@airlock/testing';
import { Redis } from 'ioredis';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import type { SessionHooksFactory } from '../../apps/worker/src/postgres/hooks';
import { postgresListener } from '../../apps/worker/src/postgres/listener';
import { sessionCounter } from '../../apps/worker/src/postgres/session-counter';

export interface PgHarness {
  port: number;
  /** The agent's API key: its Postgres password. */
  token: string;
  /** A second identity with a grant that expires soon (set by `expiringGrantMs`). */
  expiringToken: string;
  db: TestDatabase;
  worker: RunningWorker;
  events: SessionEvent[];
  /** A node-postgres / libpq connection string through the worker. */
  url(connection?: string, token?: string, extra?: string): string;
  /** Env for psql/pgbench through the worker. */
  env(connection?: string, token?: string): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface HarnessOptions {
  tls?: { certFile: string; keyFile: string; require?: boolean };
  hooks?: SessionHooksFactory[];
  expiringGrantMs?: number;
  maxMessageBytes?: number;
  connection?: Partial<SnapshotConnection>;
  /** Reuse an existing database instead of creating one. */
  db?: TestDatabase;
  /** The upstream login of demo-pg (default: postgres, trust). */
  sealCredential?: { username: string; password: string };
}

function pgConnection(name: string, over: Partial<SnapshotConnection>, publicKey: string): SnapshotConnection {
  return {
    id: `c-${name}`,
    name,
    kind: 'POSTGRES',
    host: '127.0.0.1',
    port: 5432,
    database: 'postgres',
    tls: { mode: 'disable' },
    guardrails: 'PERMISSIVE',
    masking: false,
    reviewTimeoutSeconds: 300,
    minApprovers: 1,
    credentials: [{ profile: 'readonly', username: 'postgres', sealed: seal(JSON.stringify({ password: 'unused-trust' }), publicKey), rotatedAt: new Date().toISOString() }],
    ...over,
  };
}

export interface PgSnapshotFixture {
  db: TestDatabase;
  prefix: string;
  /** The pool's X25519 private key: AIRLOCK_POOL_PRIVATE_KEY of a worker of pool `pg`. */
  poolPrivateKey: string;
  agentKey: string;
  expiringKey: string;
  redis: Redis;
  /** Drops the Redis prefix (and the database, unless it was given). */
  dispose(): Promise<void>;
}

/** A database and a policy snapshot for pool `pg` (demo-pg, secret-pg, dead-pg) published under a Redis prefix of its own. */
export async function publishPgSnapshot(opts: HarnessOptions = {}): Promise<PgSnapshotFixture> {
  const db = opts.db ?? (await createTestDatabase({ migrated: false }));
  const prefix = testRedisPrefix();
  const keys = keySpace(prefix);
  const pool = generatePoolKeyPair();
  const agent = generateApiKey();
  const expiring = generateApiKey();
  const deadPort = await freePort();
  const snapshot: PolicySnapshot = {
    schemaVersion: 1,
    pool: 'pg',
    version: 1,
    generatedAt: new Date().toISOString(),
    oidc: null,
    connections: [
      pgConnection('demo-pg', { database: db.name, ...opts.connection, ...(opts.sealCredential ? { credentials: [{ profile: 'readonly', username: opts.sealCredential.username, sealed: seal(JSON.stringify({ password: opts.sealCredential.password }), pool.publicKey), rotatedAt: new Date().toISOString() }] } : {}) }, pool.publicKey),
      pgConnection('secret-pg', { database: db.name }, pool.publicKey),
      pgConnection('dead-pg', { port: deadPort }, pool.publicKey),
    ],
    grants: [
      { id: 'g1', subject: 'sa:agent', connection: 'demo-pg', profile: 'readonly', expiresAt: null },
      { id: 'g2', subject: 'sa:agent', connection: 'dead-pg', profile: 'readonly', expiresAt: null },
      { id: 'g3', subject: 'sa:shortlived', connection: 'demo-pg', profile: 'readonly', expiresAt: new Date(Date.now() + (opts.expiringGrantMs ?? 3_600_000)).toISOString() },
    ],
    apiKeys: [
      { lookupId: agent.id, hash: hashApiKey(agent.key), identityId: 'i-agent', identityName: 'agent', expiresAt: null },
      { lookupId: expiring.id, hash: hashApiKey(expiring.key), identityId: 'i-short', identityName: 'shortlived', expiresAt: null },
    ],
    guardrailRules: [],
    maskingRules: [],
  };
  const redis = new Redis('redis://127.0.0.1:6379');
  await redis.set(keys.policySnapshot('pg'), JSON.stringify(snapshot));
  return {
    db,
    prefix,
    poolPrivateKey: pool.privateKey,
    agentKey: agent.key,
    expiringKey: expiring.key,
    redis,
    async dispose() {
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
      if (!opts.db) await db.drop();
    },
  };
}

/** A worker with the Postgres listener and a snapshot published to its own Redis prefix. */
export async function startPgHarness(opts: HarnessOptions = {}): Promise<PgHarness> {
  const fx = await publishPgSnapshot(opts);
  const { db, prefix } = fx;
  const agent = { key: fx.agentKey };
  const expiring = { key: fx.expiringKey };
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-pg-'));
  const port = await freePort();
  const events: SessionEvent[] = [];
  const recorder = { record: (e: SessionEvent) => void events.push(e) };
  const worker = await startWorker(
    loadWorkerConfig({
      AIRLOCK_REDIS_PREFIX: prefix,
      AIRLOCK_WORKER_POOL: 'pg',
      AIRLOCK_WORKER_ID: 'w-pg-test',
      AIRLOCK_POOL_PRIVATE_KEY: fx.poolPrivateKey,
      AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
      AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`,
      AIRLOCK_STATE_DIR: stateDir,
      AIRLOCK_PG_TLS_CERT_FILE: opts.tls?.certFile,
      AIRLOCK_PG_TLS_KEY_FILE: opts.tls?.keyFile,
      AIRLOCK_PG_REQUIRE_TLS: opts.tls?.require ? '1' : '0',
      AIRLOCK_MAX_MESSAGE_BYTES: opts.maxMessageBytes ? String(opts.maxMessageBytes) : undefined,
      LOG_LEVEL: process.env.AIRLOCK_TEST_LOG ?? 'silent',
    }),
    [postgresListener({ hooks: () => [sessionCounter(recorder), ...(opts.hooks ?? [])] })],
  );
  const url = (connection = 'demo-pg', token = agent.key, extra = '') => `postgresql://agent:${encodeURIComponent(token)}@127.0.0.1:${port}/${connection}${extra}`;
  return {
    port,
    token: agent.key,
    expiringToken: expiring.key,
    db,
    worker,
    events,
    url,
    env: (connection = 'demo-pg', token = agent.key) => ({ ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'agent', PGPASSWORD: token, PGDATABASE: connection, PGSSLMODE: process.env.PGSSLMODE ?? 'prefer' }),
    async close() {
      await worker.close();
      rmSync(stateDir, { recursive: true, force: true });
      await fx.dispose();
    },
  };
}
