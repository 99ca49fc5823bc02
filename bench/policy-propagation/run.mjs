// Policy propagation: time from a policy mutation returning to every worker
// of the pool applying the new snapshot version.
// Run: npm run build && node bench/policy-propagation/run.mjs [changes=100] [workers=5]
// Needs the local Postgres (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379);
// creates and drops its own database and uses its own Redis key prefix.
//
// Each worker runs in this process with its own Redis connections (as separate
// processes would); "applied" is the worker's PolicyStore 'change' event, so no
// polling interval is added to the measurement. The control plane publishes
// before it answers, so a worker that applied the new version before the HTTP
// response reached us counts as 0 ms after the return; the "sent" and "notice"
// lines show where the time actually goes.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REDIS_URL, require, root } from '../lib/common.mjs';
import { admin, cleanupStack, databaseUrl, loadBuilt, redisPrefixCleanup, startBenchControlPlane } from '../lib/control-plane.mjs';
import { latencyLine } from '../lib/stats.mjs';

loadBuilt('apps/control-plane/dist/bootstrap.js');
const { startWorker } = loadBuilt('apps/worker/dist/bootstrap.js');
const { loadWorkerConfig } = loadBuilt('apps/worker/dist/config.js');
const { generatePoolKeyPair } = require('@airlock/contracts');
const { Redis } = require('ioredis');
const { migrate } = await import(path.join(root, 'scripts/migrate.mjs'));

const CHANGES = Number(process.argv[2] ?? 100);
const WORKERS = Number(process.argv[3] ?? 5);
const TIMEOUT_MS = 5000;

const id = randomBytes(4).toString('hex');
const dbName = `airlock_bench_${id}`;
const prefix = `airlock_bench_${id}`;
const dbUrl = databaseUrl(dbName);

const cleanups = cleanupStack();
const ms = (v) => `${v.toFixed(1)} ms`;

try {
  await admin(`CREATE DATABASE "${dbName}"`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  cleanups.push(redisPrefixCleanup(prefix));
  await migrate({ databaseUrl: dbUrl, quiet: true });

  const { gql } = await startBenchControlPlane({ dbUrl, prefix, cleanups });
  const poolVersion = async () => (await gql('{ workerPools { name policyVersion } }')).workerPools.find((p) => p.name === 'default').policyVersion;

  const poolKeys = generatePoolKeyPair();
  await gql('mutation($i: RegisterWorkerPoolInput!) { registerWorkerPool(input: $i) { name } }', { i: { name: 'default', publicKey: poolKeys.publicKey } });
  await gql('mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }', {
    i: { name: 'bench', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: 'postgres', credentials: [{ profile: 'readonly', username: 'postgres', password: randomBytes(8).toString('hex') }] },
  });

  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-bench-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  // Per worker: the time each version was applied.
  const applied = [];
  const waiters = [];
  for (let i = 0; i < WORKERS; i++) {
    const w = await startWorker(
      loadWorkerConfig({
        REDIS_URL,
        AIRLOCK_REDIS_PREFIX: prefix,
        AIRLOCK_WORKER_ID: `bench-${i}`,
        AIRLOCK_POOL_PRIVATE_KEY: poolKeys.privateKey,
        AIRLOCK_HEALTH_LISTEN: '127.0.0.1:0',
        AIRLOCK_STATE_DIR: path.join(stateDir, String(i)),
        LOG_LEVEL: 'silent',
      }),
    );
    cleanups.push(() => w.close());
    const seen = new Map();
    applied.push(seen);
    w.ctx.policy.on('change', (index) => {
      seen.set(index.version, performance.now());
      for (const wake of waiters.splice(0)) wake();
    });
    seen.set(w.ctx.policy.version, performance.now());
  }
  const appliedAt = (seen, target) => {
    let at;
    for (const [v, t] of seen) if (v >= target && (at === undefined || t < at)) at = t;
    return at;
  };
  const allApplied = (target) =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`not every worker applied version ${target} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      const check = () => {
        const times = applied.map((seen) => appliedAt(seen, target));
        if (times.every((t) => t !== undefined)) {
          clearTimeout(deadline);
          resolve(times);
        } else waiters.push(check);
      };
      check();
    });

  // A bench-side subscriber timestamps each notice, to split the latency into "control plane" and "worker" parts.
  const noticeAt = new Map();
  const sub = new Redis(REDIS_URL);
  cleanups.push(async () => sub.disconnect());
  await sub.subscribe(`${prefix}:policy:changed`);
  sub.on('message', (_channel, message) => {
    const { version } = JSON.parse(message);
    if (!noticeAt.has(version)) noticeAt.set(version, performance.now());
  });

  // Warm up: every worker on the current version, a few changes unmeasured.
  await allApplied(await poolVersion());
  let masking = true;
  const toggle = () => gql('mutation($m: Boolean) { setConnectionPolicy(input: { connection: "bench", masking: $m }) { name } }', { m: (masking = !masking) });
  for (let i = 0; i < 5; i++) {
    await toggle();
    await allApplied(await poolVersion());
  }

  const sentToAll = []; // mutation sent → last worker applied
  const noticeToAll = []; // notice published → last worker applied
  const all = []; // mutation returned → last worker applied
  const each = []; // mutation returned → each worker applied
  const mutationMs = [];
  let early = 0;
  for (let i = 0; i < CHANGES; i++) {
    const sent = performance.now();
    await toggle();
    const returned = performance.now();
    mutationMs.push(returned - sent);
    const target = await poolVersion();
    const times = await allApplied(target);
    const last = Math.max(...times);
    sentToAll.push(last - sent);
    const notice = noticeAt.get(target);
    if (notice !== undefined) noticeToAll.push(Math.max(0, last - notice));
    for (const t of times) {
      if (t < returned) early++;
      each.push(Math.max(0, t - returned));
    }
    all.push(Math.max(0, Math.max(...times) - returned));
  }
  all.sort((a, b) => a - b);
  sentToAll.sort((a, b) => a - b);
  noticeToAll.sort((a, b) => a - b);
  each.sort((a, b) => a - b);
  mutationMs.sort((a, b) => a - b);
  const line = (label, s) => latencyLine(label, s, 44);
  process.stdout.write(
    [
      `policy propagation: ${CHANGES} setConnectionPolicy changes, ${WORKERS} workers (in-process, own Redis connections), one pool`,
      line('mutation round trip (send → response)', mutationMs),
      line(`mutation sent → all ${WORKERS} workers applied`, sentToAll),
      line(`notice published → all ${WORKERS} workers applied`, noticeToAll),
      line(`mutation returned → all ${WORKERS} workers applied`, all),
      line('mutation returned → each worker applied', each),
      `worker applications already done when the response arrived: ${early} of ${CHANGES * WORKERS}`,
      `requirement (issue): all workers within 1000 ms → ${all[all.length - 1] < 1000 ? 'met' : 'NOT met'} (max ${ms(all[all.length - 1])})`,
    ].join('\n') + '\n',
  );
} catch (err) {
  process.stderr.write(`airlock bench: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
} finally {
  await cleanups.run();
}
