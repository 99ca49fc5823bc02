// Shared by the benches: the repository root, a require for built code and dependencies,
// `--name value` options, the local Postgres, free ports, process CPU time, and the
// try/finally every bench wraps itself in (a scratch directory and cleanups run in reverse).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const require = createRequire(path.join(root, 'package.json'));
export const run = promisify(execFile);

/** The local Postgres every bench uses (trust on 127.0.0.1:5432). */
export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
export const REDIS_URL = process.env.AIRLOCK_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN_URL = process.env.AIRLOCK_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** `--name value` pairs from the command line. */
export const parseArgs = (argv = process.argv.slice(2)) =>
  Object.fromEntries(argv.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));

/** A unique `airlock_bench_<hex>` name (databases, Redis prefixes). */
export const benchName = () => `airlock_bench_${randomBytes(4).toString('hex')}`;

/** Exits with a hint when a built file (relative to the root) is missing. */
export function requireBuilt(file, what = 'the worker', build = 'npx tsc -b apps/worker/tsconfig.build.json') {
  const full = path.join(root, file);
  if (!existsSync(full)) {
    process.stderr.write(`bench: build ${what} first: ${build}\n`);
    process.exit(2);
  }
  return full;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitPort(port, what, ms = 15000) {
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

/**
 * CPU seconds (user + system) a process has used so far, from /proc (clock ticks, 100 Hz on
 * Linux); NaN when unknown. Without tid: the process and its live child processes (a worker with
 * AIRLOCK_WORKER_PROCESSES > 1 is a supervisor whose children serve the sessions).
 */
export function cpuSeconds(pid, tid) {
  if (!pid) return NaN;
  try {
    // With tid: one thread's (tid = pid is the main thread, where a Node process runs its JavaScript).
    const fields = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) / 100;
    return tid ? own : own + childPids(pid).reduce((n, child) => n + (cpuSeconds(child) || 0), 0);
  } catch {
    return NaN;
  }
}

/** Redis's own CPU so far (µs, user + system) from INFO cpu, through an ioredis connection (any Redis, local or not). */
export async function redisCpuUs(connection) {
  const info = await connection.info('cpu');
  const field = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1e6;
}

/** The live child processes of pid (forked by its main thread). */
function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const psql = (sql) => run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', sql]);

/** CREATE DATABASE through psql; the DROP is pushed on cleanups. */
export async function createDatabase(db, cleanups) {
  await psql(`CREATE DATABASE ${db}`);
  cleanups.push(() => psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
}

/**
 * Runs body({ db, prefix, work, cleanups }) with a fresh database name, Redis prefix and scratch
 * directory; runs the cleanups in reverse and removes the directory whatever happens; prints the
 * error and exits 1 on failure. worldWritable: chmod 777 the directory (pgbouncer runs as postgres).
 */
export function benchMain(body, { worldWritable = false } = {}) {
  const go = async () => {
    const db = benchName();
    const prefix = benchName();
    const work = mkdtempSync(path.join(tmpdir(), 'airlock-bench-'));
    if (worldWritable) chmodSync(work, 0o777);
    const cleanups = [];
    try {
      await body({ db, prefix, work, cleanups });
    } finally {
      for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    }
  };
  return go().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
