// Human review latency on loopback, end to end through real parts:
//   arrival → console: a statement reaches the worker (client sends it) until a console's
//                      graphql-ws `reviewRequested` subscription receives the request;
//   decision → result: `decideReview` sent until the client has its statement's result.
// Run: npm run build && node bench/reviews/run.mjs [reviews=50]
// Needs the local Postgres (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379);
// creates and drops its own databases and uses its own Redis key prefix.
//
// The control plane, a worker (the real listener set: guardrails + review hooks) and the
// clients run in this process; the agent is node-postgres, the approver an ADMIN API key.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REDIS_URL, freePort, require, root } from '../lib/common.mjs';
import { admin, cleanupStack, databaseUrl as urlOf, loadBuilt, redisPrefixCleanup, startBenchControlPlane } from '../lib/control-plane.mjs';
import { latencyLine } from '../lib/stats.mjs';

loadBuilt('apps/control-plane/dist/bootstrap.js');
const { startWorker } = loadBuilt('apps/worker/dist/bootstrap.js');
const { loadWorkerConfig } = loadBuilt('apps/worker/dist/config.js');
const { LISTENERS } = loadBuilt('apps/worker/dist/listeners.js');
const { generatePoolKeyPair } = require('@airlock/contracts');
const { Client } = require('pg');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const { migrate } = await import(path.join(root, 'scripts/migrate.mjs'));

const REVIEWS = Number(process.argv[2] ?? 50);
const id = randomBytes(4).toString('hex');
const dbName = `airlock_bench_${id}`;
const targetName = `airlock_bench_target_${id}`;
const prefix = `airlock_bench_${id}`;

const cleanups = cleanupStack();
const line = (label, s) => latencyLine(label, s, 48);

try {
  await admin(`CREATE DATABASE "${dbName}"`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  await admin(`CREATE DATABASE "${targetName}"`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${targetName}" WITH (FORCE)`));
  await admin("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL); INSERT INTO customers VALUES (1, 'x')", urlOf(targetName));
  cleanups.push(redisPrefixCleanup(prefix));
  await migrate({ databaseUrl: urlOf(dbName), quiet: true });

  const { cp, adminToken, gql } = await startBenchControlPlane({ dbUrl: urlOf(dbName), prefix, cleanups });

  const poolKeys = generatePoolKeyPair();
  await gql('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
  await gql('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
    i: { name: 'bench', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: targetName, tls: { mode: 'disable' }, credentials: [{ profile: 'readwrite', username: 'postgres', password: 'unused' }] },
  });
  await gql('mutation { setConnectionPolicy(input: { connection: "bench", guardrails: STANDARD, masking: false }) { name } }');
  const agentKey = (await gql('mutation { createServiceAccount(input: { name: "agent" }) { apiKey } }')).createServiceAccount.apiKey;
  await gql('mutation { grantAccess(input: { subject: "sa:agent", connection: "bench" }) { id } }');

  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-bench-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const pgPort = await freePort();
  const worker = await startWorker(
    loadWorkerConfig({
      REDIS_URL, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_ID: 'bench-reviews', AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
      AIRLOCK_PG_LISTEN: `127.0.0.1:${pgPort}`, AIRLOCK_HEALTH_LISTEN: '127.0.0.1:0', AIRLOCK_STATE_DIR: stateDir, LOG_LEVEL: 'silent',
    }),
    LISTENERS,
  );
  cleanups.push(() => worker.close());
  for (let i = 0; !worker.ctx.policy.current?.grants('bench').length; i++) {
    if (i > 200) throw new Error('the worker never applied the policy');
    await new Promise((r) => setTimeout(r, 25));
  }

  // The console: one graphql-ws subscription.
  const seenAt = new Map();
  const waiting = new Map();
  const ws = createClient({ url: `${cp.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${adminToken}` } });
  cleanups.push(() => ws.dispose());
  ws.subscribe({ query: 'subscription { reviewRequested { id } }' }, {
    next: (m) => {
      const rid = m.data.reviewRequested.id;
      seenAt.set(rid, performance.now());
      waiting.get(rid)?.();
    },
    error: (err) => process.stderr.write(`airlock bench: subscription: ${JSON.stringify(err)}\n`),
    complete: () => undefined,
  });
  await new Promise((r) => setTimeout(r, 300));

  // The agent: one node-postgres session through the worker.
  const agent = new Client({ host: '127.0.0.1', port: pgPort, user: 'agent', password: agentKey, database: 'bench', ssl: false });
  await agent.connect();
  cleanups.push(() => agent.end());
  let noticed;
  agent.on('notice', (n) => {
    const m = /review (r_[0-9a-f]+)/.exec(n.message);
    if (m) noticed?.(m[1]);
  });

  const oneReview = async (i) => {
    const gotId = new Promise((r) => (noticed = r));
    const sent = performance.now();
    let doneAt = 0;
    const result = agent.query(`UPDATE customers SET name = 'bench-${i}' WHERE id = 1`).then((r) => ((doneAt = performance.now()), r));
    const rid = await gotId;
    if (!seenAt.has(rid)) await new Promise((r) => waiting.set(rid, r));
    const seen = seenAt.get(rid);
    const decided = performance.now();
    await gql('mutation($i: DecideReviewInput!) { decideReview(input: $i) { status } }', { i: { id: rid, decision: 'APPROVE' } });
    const mutationReturned = performance.now();
    const r = await result;
    const done = doneAt;
    if (r.rowCount !== 1) throw new Error(`review ${rid}: expected UPDATE 1, got ${r.command} ${r.rowCount}`);
    return { toConsole: seen - sent, decisionToResult: done - decided, mutation: mutationReturned - decided };
  };

  for (let i = 0; i < 5; i++) await oneReview(`warm-${i}`);
  const rows = [];
  for (let i = 0; i < REVIEWS; i++) rows.push(await oneReview(i));
  const col = (k) => rows.map((r) => r[k]).sort((a, b) => a - b);
  process.stdout.write(`airlock reviews bench: ${REVIEWS} reviews, one worker, one control plane, loopback (goal: both under 100 ms)\n`);
  process.stdout.write(`${line('statement arrives → console subscription has it', col('toConsole'))}\n`);
  process.stdout.write(`${line('decideReview sent → client has its result', col('decisionToResult'))}\n`);
  process.stdout.write(`${line('(decideReview HTTP round trip, for reference)', col('mutation'))}\n`);
} finally {
  await cleanups.run();
}
