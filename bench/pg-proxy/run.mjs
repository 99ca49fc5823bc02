// Postgres proxy benchmark: direct vs Airlock (PERMISSIVE, session counter only) vs pgbouncer.
//
//   npx tsc -b apps/worker/tsconfig.build.json   (the bench runs the built worker)
//   apt-get install -y pgbouncer                 (Debian package; skipped with a note when absent)
//   node bench/pg-proxy/run.mjs [--reps 3] [--seconds 5] [--rows 1000000] [--clients 1,16] [--hooks none|production] [--processes 1,2] [--bare 1]
//
// --bare 1: a fourth target, bench/pg-proxy/bare-proxy.mjs (a Node TCP proxy with no framing at
// all): the floor of a proxy on Node's net module.
// --processes: one Airlock worker per value, with AIRLOCK_WORKER_PROCESSES set to it (default: 1
// and this machine's CPU count); a worker of n > 1 processes is the column "airlock×n".
//
// pgbench -S in -M simple / extended / prepared at each client count, each target interleaved
// within a repetition (the machine is noisy; medians over repetitions). Then a large result
// (SELECT repeat('x', 1000) FROM generate_series(1, rows) ≈ 1 GB) read by a minimal streaming
// client, direct vs Airlock. Needs the local Postgres (trust on 127.0.0.1:5432) and Redis.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { PG, benchMain, cpuSeconds, createDatabase, freePort, parseArgs, requireBuilt, root, waitPort } from '../lib/common.mjs';
import { directTarget, pgbench, pgbenchInit, workerTarget } from '../lib/pgbench.mjs';
import { readResult } from '../lib/read-result.mjs';
import { interleave, median, pad } from '../lib/stats.mjs';
import { benchKeys, benchSnapshot, pgConnection, publishSnapshot, startWorkerProcess } from '../lib/worker.mjs';

const args = parseArgs();
const REPS = Number(args.reps ?? 3);
const SECONDS = Number(args.seconds ?? 5);
const ROWS = Number(args.rows ?? 1_000_000);
const CLIENTS = (args.clients ?? '1,16').split(',').filter(Boolean).map(Number);
const MODES = ['simple', 'extended', 'prepared'];
/** none: the proxy with its session counter only; production: main.js with every registered hook. */
const HOOKS = args.hooks ?? 'none';
const PROCESSES = [...new Set((args.processes ?? `1,${availableParallelism()}`).split(',').filter(Boolean).map(Number))];
if (PROCESSES.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error('--processes: numbers from 1 to 64');

const workerMain = requireBuilt('apps/worker/dist/main.js');

benchMain(async ({ db, prefix, work, cleanups }) => {
  await createDatabase(db, cleanups);
  await pgbenchInit(db);

  // Airlock worker with a snapshot of its own.
  const { pool, key } = benchKeys();
  await publishSnapshot(prefix, benchSnapshot({ key, connections: [pgConnection({ name: 'bench', db, pool })] }), cleanups);
  // One worker per process count, each with its own state; "airlock" is the one-process worker.
  const workers = {};
  for (const processes of PROCESSES) {
    const name = processes === 1 ? 'airlock' : `airlock×${processes}`;
    workers[name] = await startWorkerProcess({
      entry: HOOKS === 'production' ? workerMain : path.join(root, 'bench/pg-proxy/worker.mjs'),
      // AIRLOCK_BENCH_NODE_ARGS: extra node flags for the worker (e.g. GC settings to compare).
      nodeArgs: [...(process.env.AIRLOCK_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.AIRLOCK_BENCH_PROFILE}`] : []), ...(process.env.AIRLOCK_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
      name: `worker ${name}`, processes, prefix, privateKey: pool.privateKey, stateDir: path.join(work, name), cleanups,
    });
  }
  // The large result goes through one session, which one process serves: the one-process worker's (or the first).
  const worker = workers.airlock ?? Object.values(workers)[0];
  const airlockPort = worker.port;

  const targets = { direct: directTarget(db), ...Object.fromEntries(Object.entries(workers).map(([name, w]) => [name, workerTarget(w.port, key.key)])) };

  let bare = null;
  if (args.bare === '1') {
    const port = await freePort();
    bare = spawn(process.execPath, [path.join(root, 'bench/pg-proxy/bare-proxy.mjs'), String(port), PG.host, String(PG.port)], { stdio: 'inherit' });
    cleanups.push(() => bare.kill('SIGTERM'));
    await waitPort(port, 'bare proxy');
    targets['node-bare'] = { ...directTarget(db), PGPORT: String(port), PGSSLMODE: 'disable' };
  }

  let bouncer = null;
  if (existsSync('/usr/sbin/pgbouncer')) {
    const port = await freePort();
    const ini = path.join(work, 'pgbouncer.ini');
    writeFileSync(ini, [
      '[databases]', `${db} = host=${PG.host} port=${PG.port} dbname=${db} user=${PG.user}`,
      '[pgbouncer]', `listen_addr = 127.0.0.1`, `listen_port = ${port}`, 'auth_type = trust', `auth_file = ${path.join(work, 'users.txt')}`,
      'pool_mode = session', 'max_client_conn = 200', 'default_pool_size = 32', `unix_socket_dir =`, `logfile = ${path.join(work, 'pgbouncer.log')}`,
      `pidfile = ${path.join(work, 'pgbouncer.pid')}`, 'ignore_startup_parameters = extra_float_digits',
    ].join('\n') + '\n');
    writeFileSync(path.join(work, 'users.txt'), `"${PG.user}" ""\n`);
    chmodSync(ini, 0o644);
    // pgbouncer refuses to run as root.
    const asRoot = process.getuid?.() === 0;
    bouncer = spawn('/usr/sbin/pgbouncer', asRoot ? ['-u', 'postgres', ini] : [ini], { stdio: "ignore" });
    cleanups.push(() => bouncer.kill('SIGTERM'));
    await waitPort(port, 'pgbouncer');
    targets.pgbouncer = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: PG.user, PGDATABASE: db, PGSSLMODE: 'disable' };
  } else {
    process.stdout.write('pgbouncer not installed (apt-get install -y pgbouncer): reference column skipped\n');
  }

  const names = Object.keys(targets);
  const pids = { ...Object.fromEntries(Object.entries(workers).map(([name, w]) => [name, w.pid])), 'node-bare': bare?.pid, pgbouncer: bouncer?.pid };
  const cells = CLIENTS.flatMap((clients) => MODES.map((mode) => [`${mode}/${clients}`, { mode, clients }]));
  const results = await interleave({
    reps: REPS, cells, names, progress: CLIENTS.length > 0,
    measure: (t, { mode, clients }) => pgbench({ env: targets[t], mode, clients, seconds: SECONDS, pid: pids[t] }),
  });

  const lines = [];
  lines.push(`Airlock hooks: ${HOOKS === 'production' ? 'every hook registered in apps/worker/src/listeners.ts (connection PERMISSIVE, masking off)' : 'session counter only (PERMISSIVE, no guardrail/masking/review hooks)'}`);
  if (CLIENTS.length) {
  lines.push(`pgbench -S, -T ${SECONDS}, ${REPS} interleaved repetitions, medians; ratio = TPS kept vs direct; +lat = added mean latency`);
  lines.push(pad('mode/clients', 14) + pad('direct tps', 12) + names.filter((n) => n !== 'direct').map((n) => pad(`${n} tps`, 14) + pad('ratio', 7) + pad('+lat µs', 9) + pad('cpu µs/tx', 11)).join(''));
  for (const [k, byTarget] of Object.entries(results)) {
    const d = median(byTarget.direct.map((r) => r.tps));
    const dl = median(byTarget.direct.map((r) => r.lat));
    let line = pad(k, 14) + pad(d.toFixed(0), 12);
    for (const n of names.filter((x) => x !== 'direct')) {
      const tps = median(byTarget[n].map((r) => r.tps));
      const lat = median(byTarget[n].map((r) => r.lat));
      const cpu = median(byTarget[n].map((r) => r.cpuUs));
      line += pad(tps.toFixed(0), 14) + pad((tps / d).toFixed(2), 7) + pad(((lat - dl) * 1000).toFixed(0), 9) + pad(Number.isFinite(cpu) ? cpu.toFixed(1) : '-', 11);
    }
    lines.push(line);
  }
  }

  const sql = `SELECT repeat('x', 1000) FROM generate_series(1, ${ROWS})`;
  const big = { direct: [], airlock: [] };
  for (let rep = 0; rep < REPS; rep++) {
    big.direct.push(await readResult(PG.port, db, PG.user, '', sql));
    const cpu0 = cpuSeconds(worker.pid);
    const r = await readResult(airlockPort, 'bench', 'bench', key.key, sql);
    big.airlock.push({ ...r, cpu: cpuSeconds(worker.pid) - cpu0 });
  }
  const mbps = (r) => r.bytes / 1e6 / (r.ms / 1000);
  const dm = median(big.direct.map(mbps));
  const am = median(big.airlock.map(mbps));
  lines.push('');
  lines.push(`large result: ${sql} (${(big.direct[0].bytes / 1e9).toFixed(2)} GB, ${big.direct[0].rows} rows), medians of ${REPS}`);
  const cpuPerGb = median(big.airlock.map((r) => r.cpu / (r.bytes / 1e9)));
  lines.push(`  direct  ${dm.toFixed(0)} MB/s   airlock ${am.toFixed(0)} MB/s   ratio ${(am / dm).toFixed(2)}   airlock CPU ${cpuPerGb.toFixed(2)} s/GB`);
  process.stdout.write('\n' + lines.join('\n') + '\n');
}, { worldWritable: true });
