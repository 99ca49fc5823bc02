// Recording cost on the proxy: pgbench -S through two workers that differ only by recording, in
// one run, interleaved, medians.
//
//   npx tsc -b apps/worker/tsconfig.build.json     (the bench runs the built worker)
//   node bench/recording/pgbench.mjs [--reps 3] [--seconds 5] [--clients 1,16] [--modes simple,prepared] [--masking 0|1]
//
// Targets: direct (Postgres), off (guardrails STANDARD + masking + review hooks, session counter on
// debug logs: nothing recorded) and on (the production hook list of apps/worker/src/listeners.ts:
// the same plus the statement recorder, every event through the spooling recorder into BullMQ).
// A no-op BullMQ consumer in this process stands in for the control plane, so the queue does not
// pile up in Redis. The goal: on keeps >= 0.90 of off's TPS. Needs the local Postgres and Redis.
// The ingest side (events/s one control plane stores) is bench/recording/run.mjs.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const REPS = Number(args.reps ?? 3);
const SECONDS = Number(args.seconds ?? 5);
const CLIENTS = (args.clients ?? '1,16').split(',').map(Number);
const MODES = (args.modes ?? 'simple,prepared').split(',');
const MASKING = args.masking === '1';
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const dist = path.join(root, 'apps/worker/dist');
if (!existsSync(path.join(dist, 'recording/statement-recorder.js'))) {
  process.stderr.write('bench: build the worker first: npx tsc -b apps/worker/tsconfig.build.json\n');
  process.exit(2);
}
const contracts = require(path.join(root, 'libs/contracts/dist/index.js'));
const identity = require(path.join(root, 'libs/identity/dist/index.js'));
const { Redis } = require('ioredis');
const { Worker } = require('bullmq');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`bench: ${what} did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks, 100 Hz on Linux). */
function cpuSeconds(pid) {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function pgbench(env, mode, clients, pid) {
  const cpu0 = cpuSeconds(pid);
  const { stdout } = await run('pgbench', ['-n', '-S', '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS)], { env: { ...process.env, ...env } });
  const txns = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
  const cpuUs = pid === undefined ? 0 : ((cpuSeconds(pid) - cpu0) / txns) * 1e6;
  return { tps: Number(/tps = ([\d.]+)/.exec(stdout)?.[1]), lat: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]), cpuUs, txns };
}

// Two worker mains on the built code; the only difference is the recording.
const workerMain = (recording) => `
const req = (p) => require(${JSON.stringify(dist)} + '/' + p);
const { startWorker } = req('bootstrap.js');
const { loadWorkerConfig } = req('config.js');
const { postgresListener } = req('postgres/listener.js');
const { sessionCounter } = req('postgres/session-counter.js');
const { LogRecorder } = req('postgres/recorder.js');
const { postgresGuardrails, withSqlGuard } = req('guardrails/index.js');
const { postgresMasking } = req('masking/index.js');
const { reviewHooks } = req('reviews/index.js');
const { postgresHooks } = req('listeners.js');
const { createRecorder } = req('recording/recorder.js');
const listener = ${recording === 'hooks'}
  ? postgresListener({ hooks: (ctx) => postgresHooks(ctx, new LogRecorder(ctx.log)) })
  : ${recording === true}
  ? postgresListener({ recorder: (ctx) => createRecorder(ctx), hooks: postgresHooks })
  : postgresListener({ hooks: (ctx) => [postgresGuardrails(ctx), postgresMasking(ctx), reviewHooks(ctx), sessionCounter(new LogRecorder(ctx.log))] });
startWorker(loadWorkerConfig(), [withSqlGuard(listener)]).then((w) => process.once('SIGTERM', () => w.close().then(() => process.exit(0))));
`;

async function main() {
  const db = `airlock_bench_${randomBytes(4).toString('hex')}`;
  const prefix = `airlock_bench_${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(path.join(tmpdir(), 'airlock-bench-'));
  const cleanups = [];
  try {
    await run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', `CREATE DATABASE ${db}`]);
    cleanups.push(() => run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]));
    // pgbench -i drops and creates tables: straight to Postgres, never through STANDARD.
    await run('pgbench', ['-i', '-q', '-s', '1', '-h', PG.host, '-U', PG.user, db]);

    const pool = contracts.generatePoolKeyPair();
    const key = identity.generateApiKey();
    const snapshot = {
      schemaVersion: 1, pool: 'bench', version: 1, generatedAt: new Date().toISOString(), oidc: null,
      connections: [{
        id: 'c-bench', name: 'bench', kind: 'POSTGRES', host: PG.host, port: PG.port, database: db, tls: { mode: 'disable' },
        guardrails: 'STANDARD', masking: MASKING, reviewTimeoutSeconds: 300, minApprovers: 1,
        credentials: [{ profile: 'rw', username: PG.user, sealed: contracts.seal(JSON.stringify({ password: 'unused' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
      }],
      grants: [{ id: 'g1', subject: 'sa:bench', connection: 'bench', profile: 'rw', expiresAt: null }],
      apiKeys: [{ lookupId: key.id, hash: key.hash, identityId: 'i1', identityName: 'bench', expiresAt: null }],
      guardrailRules: [], maskingRules: [],
    };
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = contracts.keySpace(prefix);
    await redis.set(keys.policySnapshot('bench'), JSON.stringify(snapshot));
    cleanups.push(async () => {
      const left = await redis.keys(`${prefix}:*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
    });

    // The control plane's part, minus storage: take every record-events job and count its events.
    let consumed = 0;
    const consumer = new Worker(contracts.JOB_TO_QUEUE[contracts.JobName.RecordEvents], async (job) => void (consumed += job.data.events.length), {
      connection: new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null }), prefix: keys.queuePrefix(), concurrency: 8, removeOnComplete: { count: 0 },
    });
    cleanups.push(() => consumer.close());

    const startWorkerProcess = async (name, main) => {
      const port = await freePort();
      const file = path.join(work, `${name}-worker.cjs`);
      writeFileSync(file, main);
      // AIRLOCK_BENCH_PROFILE=<dir>: a CPU profile of each worker, written when it exits.
      const prof = process.env.AIRLOCK_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.AIRLOCK_BENCH_PROFILE), '--cpu-prof-name', `${name}.cpuprofile`] : [];
      const child = spawn(process.execPath, [...prof, file], {
        env: {
          ...process.env, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'bench', AIRLOCK_WORKER_ID: `bench-${name}`, AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey,
          AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`, AIRLOCK_STATE_DIR: path.join(work, name), LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      cleanups.push(() => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'), setTimeout(resolve, 5000).unref())));
      await waitPort(port, `worker ${name}`);
      return { port, pid: child.pid };
    };
    const off = await startWorkerProcess('off', workerMain(false));
    const on = await startWorkerProcess('on', workerMain(true));
    // --split 1: a third worker with the recording hooks but events only to debug logs (no spool,
    // no queue), to tell the hooks' cost from the pipeline's.
    const hooksOnly = args.split === '1' ? await startWorkerProcess('hooks', workerMain('hooks')) : undefined;

    const via = ({ port }) => ({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'bench', PGPASSWORD: key.key, PGDATABASE: 'bench', PGSSLMODE: 'disable' });
    const targets = { direct: { PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user, PGDATABASE: db }, off: via(off), on: via(on), ...(hooksOnly ? { hooks: via(hooksOnly) } : {}) };
    const pids = { direct: undefined, off: off.pid, on: on.pid, hooks: hooksOnly?.pid };
    for (const t of Object.values(targets)) await run('pgbench', ['-n', '-S', '-t', '200'], { env: { ...process.env, ...t } });

    const names = Object.keys(targets);
    const results = {};
    let onTxns = 0;
    for (let rep = 1; rep <= REPS; rep++) {
      for (const clients of CLIENTS) {
        for (const mode of MODES) {
          const order = names.map((_, i) => names[(i + rep) % names.length]);
          for (const t of order) {
            const r = await pgbench(targets[t], mode, clients, pids[t]);
            if (t === 'on') onTxns += r.txns;
            ((results[`${mode}/${clients}`] ??= {})[t] ??= []).push(r);
          }
        }
      }
      process.stdout.write(`repetition ${rep}/${REPS} done\n`);
    }
    // Every recorded statement reaches the queue (one statement event per transaction, plus the
    // sessions' start/end events): wait for the consumer to catch up, then report.
    const deadline = Date.now() + 60_000;
    while (consumed < onTxns && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

    const pad = (s, n) => String(s).padEnd(n);
    const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
    const lines = [];
    lines.push(`pgbench -S, -T ${SECONDS}, ${REPS} interleaved repetitions, medians (TPS), STANDARD guardrails, masking ${MASKING ? 'on' : 'off'}. on/off = TPS kept with recording; goal >= 0.90`);
    lines.push(pad('mode/clients', 14) + pad('direct', 9) + pad('off', 9) + pad('on', 9) + pad('on/off', 8) + pad('+lat µs', 9) + 'worker CPU µs/txn off → on');
    for (const [k, by] of Object.entries(results)) {
      const m = Object.fromEntries(names.map((n) => [n, median(by[n].map((r) => r.tps))]));
      const lat = Object.fromEntries(names.map((n) => [n, median(by[n].map((r) => r.lat))]));
      const cpu = Object.fromEntries(['off', 'on'].map((n) => [n, median(by[n].map((r) => r.cpuUs))]));
      lines.push(
        pad(k, 14) + pad(m.direct.toFixed(0), 9) + pad(m.off.toFixed(0), 9) + pad(m.on.toFixed(0), 9) + pad((m.on / m.off).toFixed(2), 8) +
          pad(((lat.on - lat.off) * 1000).toFixed(0), 9) + `${cpu.off.toFixed(1)} → ${cpu.on.toFixed(1)} (${pct(cpu.on / cpu.off)})` +
          (by.hooks ? `   hooks only (no pipeline): ${median(by.hooks.map((r) => r.tps)).toFixed(0)} TPS, ${(median(by.hooks.map((r) => r.tps)) / m.off).toFixed(2)} of off, ${median(by.hooks.map((r) => r.cpuUs)).toFixed(1)} µs/txn` : ''),
      );
    }
    lines.push('');
    lines.push(`events consumed from the queue: ${consumed} (statements run through "on": ${onTxns})`);
    process.stdout.write('\n' + lines.join('\n') + '\n');
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
