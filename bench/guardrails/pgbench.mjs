// Guardrail cost on the proxy: pgbench -S through the worker with STANDARD guardrails vs the same
// worker code with no guard hooks, in one run, interleaved, medians. Then sql-guard's own rate
// (classify.bench.mjs: cold and cached statements per second).
//
//   npx tsc -b apps/worker/tsconfig.build.json     (the bench runs the built worker)
//   node bench/guardrails/pgbench.mjs [--reps 3] [--seconds 5] [--clients 1,16] [--modes simple,extended,prepared]
//
// Targets: direct (Postgres), nohooks (worker with the session counter only: the proxy alone),
// permissive (the same plus the guardrail hooks, PERMISSIVE preset) and standard (STANDARD preset).
// The goal: standard keeps ≥ 0.90 of nohooks' TPS. Needs the local Postgres (trust) and Redis.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runGuardBench } from './classify.bench.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const REPS = Number(args.reps ?? 3);
const SECONDS = Number(args.seconds ?? 5);
const CLIENTS = (args.clients ?? '1,16').split(',').map(Number);
const MODES = (args.modes ?? 'simple,extended,prepared').split(',');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const dist = path.join(root, 'apps/worker/dist');
if (!existsSync(path.join(dist, 'main.js'))) {
  process.stderr.write('bench: build the worker first: npx tsc -b apps/worker/tsconfig.build.json\n');
  process.exit(2);
}
const contracts = require(path.join(root, 'libs/contracts/dist/index.js'));
const identity = require(path.join(root, 'libs/identity/dist/index.js'));
const { Redis } = require('ioredis');

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

async function pgbench(env, mode, clients, pid, retries = 2) {
  try {
    return await pgbenchOnce(env, mode, clients, pid);
  } catch (err) {
    // A shared machine: someone else's test may terminate backends mid-run. Retry, say so.
    if (retries === 0) throw err;
    process.stdout.write(`pgbench failed (${String(err.message).split('\n')[1] ?? err.message}); retrying\n`);
    return pgbench(env, mode, clients, pid, retries - 1);
  }
}

async function pgbenchOnce(env, mode, clients, pid) {
  const cpu0 = cpuSeconds(pid);
  const { stdout } = await run('pgbench', ['-n', '-S', '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS)], { env: { ...process.env, ...env } });
  const txns = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
  // Worker CPU per transaction: what the proxy costs, independent of what else loads the machine.
  const cpuUs = pid === undefined ? 0 : ((cpuSeconds(pid) - cpu0) / txns) * 1e6;
  return { tps: Number(/tps = ([\d.]+)/.exec(stdout)?.[1]), lat: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]), cpuUs };
}

// Two small worker mains on the built code, so the comparison isolates the guardrail hooks (the
// production main also runs masking, review and recording hooks, measured by their own benches):
// the Postgres listener with the session counter only, and the same plus the guardrail hooks.
const workerMain = (withGuardrails) => `
const { startWorker } = require(${JSON.stringify(path.join(dist, 'bootstrap.js'))});
const { loadWorkerConfig } = require(${JSON.stringify(path.join(dist, 'config.js'))});
const { postgresListener } = require(${JSON.stringify(path.join(dist, 'postgres/listener.js'))});
const { sessionCounter } = require(${JSON.stringify(path.join(dist, 'postgres/session-counter.js'))});
const { LogRecorder } = require(${JSON.stringify(path.join(dist, 'postgres/recorder.js'))});
const { postgresGuardrails, withSqlGuard } = require(${JSON.stringify(path.join(dist, 'guardrails/index.js'))});
const hooks = (ctx) => [sessionCounter(new LogRecorder(ctx.log)), ...(${withGuardrails} ? [postgresGuardrails(ctx)] : [])];
startWorker(loadWorkerConfig(), [withSqlGuard(postgresListener({ hooks }))]).then((w) => process.once('SIGTERM', () => w.close().then(() => process.exit(0))));
`;

/** µs per call of the guardrail hooks' onQuery / onParse on pgbench's statement, no I/O. */
function hookCost(snapshot, privateKey) {
  const { guardrailHooks, GuardCache } = require(path.join(dist, 'guardrails/index.js'));
  const { PolicyIndex } = require(path.join(dist, 'policy/policy-index.js'));
  const index = new PolicyIndex(snapshot, privateKey);
  const info = { sessionId: 's', workerId: 'w', subject: { kind: 'service_account', id: 'i', name: 'bench', groups: [], tokenKind: 'api_key' }, connection: index.connections.get('standard') };
  const hooks = guardrailHooks({ policy: () => index, guards: new GuardCache() })(info);
  const time = (fn) => {
    const runs = [];
    for (let r = 0; r < 5; r++) {
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1000) for (let i = 0; i < 500; i++, n++) fn(n);
      runs.push(((performance.now() - t0) * 1000) / n);
    }
    return median(runs);
  };
  return {
    simple: time((i) => hooks.onQuery(`SELECT abalance FROM pgbench_accounts WHERE aid = ${1 + (i % 100000)};`)),
    parse: time(() => hooks.onParse('', 'SELECT abalance FROM pgbench_accounts WHERE aid = $1;', [])),
  };
}

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
    const conn = (name, guardrails) => ({
      id: `c-${name}`, name, kind: 'POSTGRES', host: PG.host, port: PG.port, database: db, tls: { mode: 'disable' },
      guardrails, masking: false, reviewTimeoutSeconds: 300, minApprovers: 1,
      credentials: [{ profile: 'rw', username: PG.user, sealed: contracts.seal(JSON.stringify({ password: 'unused' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
    });
    const snapshot = {
      schemaVersion: 1, pool: 'bench', version: 1, generatedAt: new Date().toISOString(), oidc: null,
      connections: [conn('standard', 'STANDARD'), conn('permissive', 'PERMISSIVE')],
      grants: ['standard', 'permissive'].map((c, i) => ({ id: `g${i}`, subject: 'sa:bench', connection: c, profile: 'rw', expiresAt: null })),
      apiKeys: [{ lookupId: key.id, hash: key.hash, identityId: 'i1', identityName: 'bench', expiresAt: null }],
      guardrailRules: [], maskingRules: [],
    };
    const redis = new Redis('redis://127.0.0.1:6379');
    await redis.set(contracts.keySpace(prefix).policySnapshot('bench'), JSON.stringify(snapshot));
    cleanups.push(async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    const startWorkerProcess = async (name, argv) => {
      const port = await freePort();
      const child = spawn(process.execPath, argv, {
        env: {
          ...process.env, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'bench', AIRLOCK_WORKER_ID: `bench-${name}`, AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey,
          AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`, AIRLOCK_STATE_DIR: path.join(work, name), LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      cleanups.push(() => child.kill('SIGTERM'));
      await waitPort(port, `worker ${name}`);
      return { port, pid: child.pid };
    };
    const mains = { nohooks: path.join(work, 'no-hooks-worker.cjs'), guarded: path.join(work, 'guarded-worker.cjs') };
    writeFileSync(mains.nohooks, workerMain(false));
    writeFileSync(mains.guarded, workerMain(true));
    const bare = await startWorkerProcess('nohooks', [mains.nohooks]);
    const guarded = await startWorkerProcess('guarded', [mains.guarded]);

    const via = ({ port }, connection) => ({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'bench', PGPASSWORD: key.key, PGDATABASE: connection, PGSSLMODE: 'disable' });
    const targets = {
      direct: { PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user, PGDATABASE: db },
      nohooks: via(bare, 'standard'),
      permissive: via(guarded, 'permissive'),
      standard: via(guarded, 'standard'),
    };
    // Warm up each path once (connections, JIT, the guard's caches), then interleave.
    const pids = { direct: undefined, nohooks: bare.pid, permissive: guarded.pid, standard: guarded.pid };
    for (const t of Object.values(targets)) await run('pgbench', ['-n', '-S', '-t', '200'], { env: { ...process.env, ...t } });

    const names = Object.keys(targets);
    const results = {};
    for (let rep = 1; rep <= REPS; rep++) {
      for (const clients of CLIENTS) {
        for (const mode of MODES) {
          // Rotate the order each repetition so no target always runs first.
          const order = names.map((_, i) => names[(i + rep) % names.length]);
          for (const t of order) ((results[`${mode}/${clients}`] ??= {})[t] ??= []).push(await pgbench(targets[t], mode, clients, pids[t]));
        }
      }
      process.stdout.write(`repetition ${rep}/${REPS} done\n`);
    }

    const pad = (s, n) => String(s).padEnd(n);
    const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
    const lines = [];
    lines.push(`pgbench -S, -T ${SECONDS}, ${REPS} interleaved repetitions, medians (TPS). vs proxy = TPS kept vs the worker without guard hooks; goal for standard: >= 0.90`);
    lines.push(pad('mode/clients', 14) + pad('direct', 9) + pad('nohooks', 9) + pad('permissive', 12) + pad('standard', 10) + pad('proxy/direct', 14) + pad('permissive vs proxy', 21) + pad('standard vs proxy', 19) + pad('+lat µs', 9) + 'worker CPU µs/txn nohooks → standard');
    for (const [k, by] of Object.entries(results)) {
      const m = Object.fromEntries(names.map((n) => [n, median(by[n].map((r) => r.tps))]));
      const lat = Object.fromEntries(names.map((n) => [n, median(by[n].map((r) => r.lat))]));
      lines.push(
        pad(k, 14) + pad(m.direct.toFixed(0), 9) + pad(m.nohooks.toFixed(0), 9) + pad(m.permissive.toFixed(0), 12) + pad(m.standard.toFixed(0), 10) +
          pad((m.nohooks / m.direct).toFixed(2), 14) + pad((m.permissive / m.nohooks).toFixed(2), 21) + pad((m.standard / m.nohooks).toFixed(2), 19) +
          pad(((lat.standard - lat.nohooks) * 1000).toFixed(0), 9) +
          `${median(by.nohooks.map((r) => r.cpuUs)).toFixed(1)} → ${median(by.standard.map((r) => r.cpuUs)).toFixed(1)} (${pct(median(by.standard.map((r) => r.cpuUs)) / median(by.nohooks.map((r) => r.cpuUs)))})`,
      );
    }
    const hook = hookCost(snapshot, pool.privateKey);
    lines.push('');
    lines.push(`guardrail hook per message, in process (STANDARD, median of 5 × 1 s): simple Query (new literal each time) ${hook.simple.toFixed(2)} µs, ` +
      `Parse (same text each time) ${hook.parse.toFixed(2)} µs; compare with the worker CPU per transaction above`);
    const g = await runGuardBench({ runs: 5, ms: 1000 });
    const f = (x) => Math.round(x).toLocaleString('en-US');
    lines.push('');
    lines.push(`sql-guard STANDARD in process, medians of ${g.runs} runs, statements/s on one core:`);
    lines.push(`  cold (distinct 2-statement messages, full parse): ${f(g.cold)}`);
    lines.push(`  pgbench -S select, cache off:                     ${f(g.pgbenchUncached)}`);
    lines.push(`  pgbench -S select, cached (new literal each time): ${f(g.pgbenchCached)}`);
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
