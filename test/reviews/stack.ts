import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { createTestDatabase, freePort, testRedisPrefix, dropRedisPrefix, waitFor, withAdmin, type TestDatabase } from '@airlock/testing';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { startControlPlane } from '../../apps/control-plane/src/bootstrap';
import { loadConfig } from '../../apps/control-plane/src/config/config';
import { startWorker, type RunningWorker } from '../../apps/worker/src/bootstrap';
import { loadWorkerConfig } from '../../apps/worker/src/config';
import { LISTENERS } from '../../apps/worker/src/listeners';
import { gqlClient, startLocalIssuer } from '../control-plane/support';

export const REVIEW_FIELDS = 'id kind connection requester statement fingerprint classification rule createdAt expiresAt status decisions { approver decision reason at }';

export interface ReviewStack {
  cp: Awaited<ReturnType<typeof startControlPlane>>;
  worker: RunningWorker;
  pgPort: number;
  target: TestDatabase;
  agentKey: string;
  adminToken: string;
  tokens: { alice: string; bob: string; carol: string };
  webhooks: Array<Record<string, unknown>>;
  /** The path of each webhook request, in the order they came. */
  webhookPaths: string[];
  /** The webhook receiver's base URL (any path under it is recorded). */
  hookBase: string;
  /** The control plane's database. */
  dbUrl: string;
  /** The Redis key prefix of this stack. */
  prefix: string;
  gql: ReturnType<typeof gqlClient>;
  /** Runs GraphQL as someone; throws on errors. */
  as<T>(token: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  psql(sql: string, opts?: { token?: string; connection?: string }): PsqlRun;
  /** A fresh value of customers.email for id 1, read straight from the target. */
  email(id?: number): Promise<string>;
  /** Environment for a worker process of the same pool (apps/worker/dist/main.js). */
  workerEnv(pgPort: number, healthPort: number, stateDir: string): NodeJS.ProcessEnv;
  /** Starts another control-plane replica on the same database and Redis prefix. */
  replica(): Promise<Awaited<ReturnType<typeof startControlPlane>>>;
  /** psql against another worker port. */
  psqlAt(port: number, sql: string): PsqlRun;
  close(): Promise<void>;
}

export interface PsqlRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The review id from the notice, once psql printed it. */
  reviewId(): Promise<string>;
  done: Promise<number>;
}

/**
 * A control plane (in-process), a worker running the real listener set with the pool key (so the
 * control plane's snapshot drives it), a target database with a customers table, a local OIDC
 * issuer for alice (approver), bob (admin) and carol (no role), and a webhook receiver.
 */
export async function startReviewStack(opts: { sweepSeconds?: number } = {}): Promise<ReviewStack> {
  const adminToken = generateApiKey().key;
  const prefix = testRedisPrefix();
  const poolKeys = generatePoolKeyPair();
  const db = await createTestDatabase();
  const target = await createTestDatabase({ migrated: false });
  await withAdmin(async (c) => {
    await c.query('CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL)');
    await c.query("INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 20) g");
  }, target.url);
  const idp = await startLocalIssuer();
  const webhooks: Array<Record<string, unknown>> = [];
  const webhookPaths: string[] = [];
  const hookServer = http.createServer((req, res) => {
    webhookPaths.push(req.url ?? '');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      webhooks.push(JSON.parse(body) as Record<string, unknown>);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-reviews-e2e-'));
  const cpEnv = {
    DATABASE_URL: db.url,
    AIRLOCK_MASTER_KEY: randomBytes(32).toString('hex'),
    AIRLOCK_ADMIN_TOKEN: adminToken,
    AIRLOCK_HTTP_PORT: '0',
    AIRLOCK_REDIS_PREFIX: prefix,
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: 'airlock',
    AIRLOCK_REVIEW_WEBHOOK_URL: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
    AIRLOCK_REVIEW_SWEEP_SECONDS: String(opts.sweepSeconds ?? 1),
    LOG_LEVEL: 'warn',
  };
  const cp = await startControlPlane(loadConfig(cpEnv));
  const replicas: Array<Awaited<ReturnType<typeof startControlPlane>>> = [];
  const gql = gqlClient(cp.url);
  const as = async <T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await gql<T>(query, variables, token);
    if (res.errors?.length || !res.data) throw Object.assign(new Error(`GraphQL: ${JSON.stringify(res.errors)}`), { errors: res.errors });
    return res.data;
  };
  const tokens = {
    alice: await idp.sign({ preferred_username: 'alice', email: 'alice@example.com', groups: ['airlock-approvers'] }, { sub: 'alice', exp: '1h' }),
    bob: await idp.sign({ preferred_username: 'bob', email: 'bob@example.com', groups: ['airlock-admins'] }, { sub: 'bob', exp: '1h' }),
    carol: await idp.sign({ preferred_username: 'carol', email: 'carol@example.com', groups: [] }, { sub: 'carol', exp: '1h' }),
  };

  await as(adminToken, 'mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
  await as(adminToken, 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
    i: { name: 'shop', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: target.name, tls: { mode: 'disable' }, credentials: [{ profile: 'readwrite', username: 'postgres', password: 'trust-not-used' }] },
  });
  await as(adminToken, 'mutation { setConnectionPolicy(input: { connection: "shop", guardrails: STANDARD, masking: false }) { name } }');
  const sa = await as<{ createServiceAccount: { apiKey: string } }>(adminToken, 'mutation { createServiceAccount(input: { name: "agent" }) { apiKey } }');
  await as(adminToken, 'mutation { grantAccess(input: { subject: "sa:agent", connection: "shop", reason: "e2e" }) { id } }');
  await as(adminToken, 'mutation { grantAccess(input: { subject: "user:alice@example.com", connection: "shop", reason: "e2e" }) { id } }');

  const pgPort = await freePort();
  const worker = await startWorker(
    loadWorkerConfig({
      AIRLOCK_REDIS_PREFIX: prefix,
      AIRLOCK_WORKER_ID: `reviews-${prefix}`,
      AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
      AIRLOCK_PG_LISTEN: `127.0.0.1:${pgPort}`,
      AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
      AIRLOCK_STATE_DIR: stateDir,
      AIRLOCK_CONSOLE_URL: 'http://console.example',
      LOG_LEVEL: process.env.AIRLOCK_TEST_LOG ?? 'silent',
    }),
    LISTENERS,
  );
  await waitFor(() => worker.ctx.policy.current?.grants('shop').some((g) => g.subject === 'user:alice@example.com') || undefined, 'the worker to apply the policy');

  const psql = (sql: string, o: { token?: string; connection?: string; port?: number } = {}): PsqlRun => {
    const child = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(o.port ?? pgPort), PGUSER: 'agent', PGPASSWORD: o.token ?? sa.createServiceAccount.apiKey, PGDATABASE: o.connection ?? 'shop', PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '5' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    return {
      child,
      stdout: () => out,
      stderr: () => err,
      reviewId: () => waitFor(() => /waiting for approval of review (r_[0-9a-f]+)/.exec(err)?.[1], 'psql to print the review notice', 10_000, 5),
      done,
    };
  };

  return {
    cp, worker, pgPort, target, agentKey: sa.createServiceAccount.apiKey, adminToken, tokens, webhooks, webhookPaths, gql, as, psql, dbUrl: db.url, prefix,
    hookBase: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`,
    psqlAt: (port, sql) => psql(sql, { port }),
    async replica() {
      const r = await startControlPlane(loadConfig(cpEnv));
      replicas.push(r);
      return r;
    },
    workerEnv: (port, healthPort, dir) => ({
      PATH: process.env.PATH, REDIS_URL: 'redis://127.0.0.1:6379', AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_ID: `killable-${prefix}`, AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
      AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${healthPort}`, AIRLOCK_STATE_DIR: dir, AIRLOCK_CONSOLE_URL: 'http://console.example', LOG_LEVEL: 'silent',
    }),
    async email(id = 1) {
      const c = new Client({ connectionString: target.url });
      await c.connect();
      try {
        return (await c.query<{ email: string }>('SELECT email FROM customers WHERE id = $1', [id])).rows[0]!.email;
      } finally {
        await c.end();
      }
    },
    async close() {
      await worker.close().catch(() => undefined);
      for (const r of replicas) await r.close();
      await cp.close();
      await new Promise((r) => hookServer.close(r));
      await idp.close();
      const redis = new Redis('redis://127.0.0.1:6379');
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
      await db.drop();
      await target.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
