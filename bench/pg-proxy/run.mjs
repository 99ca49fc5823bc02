// Postgres proxy benchmark: direct vs Airlock (PERMISSIVE, session counter only) vs pgbouncer.
//
//   npx tsc -b apps/worker/tsconfig.build.json   (the bench runs the built worker)
//   apt-get install -y pgbouncer                 (Debian package; skipped with a note when absent)
//   node bench/pg-proxy/run.mjs [--reps 3] [--seconds 5] [--rows 1000000] [--clients 1,16] [--hooks none|production]
//
// pgbench -S in -M simple / extended / prepared at each client count, each target interleaved
// within a repetition (the machine is noisy; medians over repetitions). Then a large result
// (SELECT repeat('x', 1000) FROM generate_series(1, rows) ≈ 1 GB) read by a minimal streaming
// client, direct vs Airlock. Needs the local Postgres (trust on 127.0.0.1:5432) and Redis.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const ROWS = Number(args.rows ?? 1_000_000);
const CLIENTS = (args.clients ?? '1,16').split(',').filter(Boolean).map(Number);
const MODES = ['simple', 'extended', 'prepared'];
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
/** none: the proxy with its session counter only; production: main.js with every registered hook. */
const HOOKS = args.hooks ?? 'none';

const workerMain = path.join(root, 'apps/worker/dist/main.js');
if (!existsSync(workerMain)) {
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

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid) {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function pgbench(env, mode, clients, pid) {
  const cpu0 = cpuSeconds(pid);
  const { stdout } = await run('pgbench', ['-n', '-S', '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS)], { env: { ...process.env, ...env } });
  const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
  const lat = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
  const tx = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
  return { tps, lat, cpuUs: ((cpuSeconds(pid) - cpu0) / tx) * 1e6 };
}

/** Logs in (trust or cleartext password) and reads one query's whole result, frame by frame. */
function readLargeResult(port, database, user, password, sql) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    let pending = Buffer.alloc(0);
    let phase = 'login';
    let bytes = 0;
    let rows = 0;
    let t0 = 0;
    const typed = (code, body) => {
      const b = Buffer.alloc(5 + body.length);
      b[0] = code;
      b.writeInt32BE(4 + body.length, 1);
      body.copy(b, 5);
      return b;
    };
    s.on('connect', () => s.write(Buffer.concat([startup, params])));
    s.on('error', reject);
    s.on('data', (chunk) => {
      bytes += chunk.length;
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let pos = 0;
      while (buf.length - pos >= 5) {
        const len = buf.readInt32BE(pos + 1);
        if (buf.length - pos < len + 1) break;
        const code = buf[pos];
        if (code === 0x44) rows++;
        else if (code === 0x52 && buf.readInt32BE(pos + 5) === 3) s.write(typed(0x70, Buffer.from(`${password}\0`)));
        else if (code === 0x45) return reject(new Error(`bench: server error ${buf.subarray(pos, pos + len + 1).toString('latin1')}`));
        else if (code === 0x5a) {
          if (phase === 'login') {
            phase = 'query';
            t0 = performance.now();
            bytes = 0;
            s.write(typed(0x51, Buffer.from(`${sql}\0`)));
          } else {
            const ms = performance.now() - t0;
            s.end(typed(0x58, Buffer.alloc(0)));
            return resolve({ ms, bytes, rows });
          }
        }
        pos += len + 1;
      }
      pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    });
  });
}

async function main() {
  const db = `airlock_bench_${randomBytes(4).toString('hex')}`;
  const prefix = `airlock_bench_${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(path.join(tmpdir(), 'airlock-bench-'));
  chmodSync(work, 0o777);
  const cleanups = [];
  try {
    await run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', `CREATE DATABASE ${db}`]);
    cleanups.push(() => run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]));
    await run('pgbench', ['-i', '-q', '-s', '1', '-h', PG.host, '-U', PG.user, db]);

    // Airlock worker with a snapshot of its own.
    const pool = contracts.generatePoolKeyPair();
    const key = identity.generateApiKey();
    const snapshot = {
      schemaVersion: 1, pool: 'bench', version: 1, generatedAt: new Date().toISOString(), oidc: null,
      connections: [{
        id: 'c1', name: 'bench', kind: 'POSTGRES', host: PG.host, port: PG.port, database: db, tls: { mode: 'disable' },
        guardrails: 'PERMISSIVE', masking: false, reviewTimeoutSeconds: 300, minApprovers: 1,
        credentials: [{ profile: 'rw', username: PG.user, sealed: contracts.seal(JSON.stringify({ password: 'unused' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
      }],
      grants: [{ id: 'g1', subject: 'sa:bench', connection: 'bench', profile: 'rw', expiresAt: null }],
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
    const airlockPort = await freePort();
    const workerEntry = HOOKS === 'production' ? workerMain : path.join(root, 'bench/pg-proxy/worker.mjs');
    const worker = spawn(process.execPath, [...(process.env.AIRLOCK_BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.AIRLOCK_BENCH_PROFILE}`] : []), workerEntry], {
      env: {
        ...process.env, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'bench', AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey,
        AIRLOCK_PG_LISTEN: `127.0.0.1:${airlockPort}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
        AIRLOCK_STATE_DIR: path.join(work, 'worker'), LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    cleanups.push(() => worker.kill('SIGTERM'));
    await waitPort(airlockPort, 'worker');

    const targets = {
      direct: { PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user, PGDATABASE: db },
      airlock: { PGHOST: '127.0.0.1', PGPORT: String(airlockPort), PGUSER: 'bench', PGPASSWORD: key.key, PGDATABASE: 'bench', PGSSLMODE: 'disable' },
    };

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
    const pids = { airlock: worker.pid, pgbouncer: bouncer?.pid };
    const results = {};
    for (let rep = 1; rep <= REPS; rep++) {
      for (const clients of CLIENTS) {
        for (const mode of MODES) {
          for (const t of names) {
            const r = await pgbench(targets[t], mode, clients, pids[t]);
            ((results[`${mode}/${clients}`] ??= {})[t] ??= []).push(r);
          }
        }
      }
      if (CLIENTS.length) process.stdout.write(`repetition ${rep}/${REPS} done\n`);
    }

    const pad = (s, n) => String(s).padEnd(n);
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
      big.direct.push(await readLargeResult(PG.port, db, PG.user, '', sql));
      const cpu0 = cpuSeconds(worker.pid);
      const r = await readLargeResult(airlockPort, 'bench', 'bench', key.key, sql);
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
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
