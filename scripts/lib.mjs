// Shared helpers for the repository's scripts (quickstart, test): plain Node, no dependencies,
// because they run before `npm ci` has installed anything.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const say = (msg) => process.stdout.write(`airlock: ${msg}\n`);

/** Runs a command in the repository, inheriting stdio; throws with the command line on failure. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
}

export function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** `npm ci` when node_modules is missing or older than the lockfile. */
export function ensureInstalled() {
  const marker = path.join(root, 'node_modules/.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Generates the Prisma client when the schema changed since the last generation. */
export function ensurePrismaClient() {
  const out = path.join(root, 'apps/control-plane/src/generated/prisma/client.ts');
  const schema = path.join(root, 'prisma/schema.prisma');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(schema).mtimeMs) return;
  say('generating the Prisma client…');
  run(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
    env: { DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export function build() {
  say('building (tsc -b, and the console with Vite)…');
  run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json']);
  // The control plane serves this production bundle at /.
  run(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: path.join(root, 'apps/console') });
}

/**
 * System packages the suite drives (Debian's names): Chromium for browser tests, pgbouncer for the
 * proxy benchmark's reference, OpenSSH for SSH tests. Installed with apt when missing and we are root.
 */
export const SYSTEM_PACKAGES = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/sbin/pgbouncer', pkg: 'pgbouncer' },
  { bin: '/usr/bin/openssl', pkg: 'openssl' },
  { bin: '/usr/bin/psql', pkg: 'postgresql-client' },
  { bin: '/usr/bin/pgbench', pkg: 'postgresql-contrib' },
];

export function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((p) => !existsSync(p.bin)).map((p) => p.pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    throw new Error(`missing system packages: ${missing.join(', ')}; install them (Debian: apt-get install -y ${missing.join(' ')})`);
  }
  say(`installing ${missing.join(', ')} (apt-get)…`);
  run('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`]);
}

/** Resolves true when something accepts TCP connections at host:port. */
export function answers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export function hostPortOf(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

/**
 * Makes sure Postgres and Redis answer: starts the machine's own services when they are
 * installed but stopped (the commands the machine notes give), else explains what to do.
 */
export async function ensureServices({ pgUrl, redisUrl }) {
  const pg = hostPortOf(pgUrl, 5432);
  if (!(await answers(pg.host, pg.port))) {
    const clusters = existsSync('/etc/postgresql') ? readdirSafe('/etc/postgresql') : [];
    if (clusters.length && has('pg_ctlcluster')) {
      say(`Postgres does not answer at ${pg.host}:${pg.port}; starting the local cluster ${clusters[0]}/main…`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', clusters[0], 'main', 'start'], { stdio: 'inherit' });
    }
    if (!(await waitAnswers(pg.host, pg.port, 15_000))) return { postgres: false };
  }
  const rd = hostPortOf(redisUrl, 6379);
  if (!(await answers(rd.host, rd.port))) {
    if (!has('redis-server')) {
      throw new Error(`Redis does not answer at ${rd.host}:${rd.port} and none is installed: install it (Debian: apt-get install -y redis-server) or set REDIS_URL`);
    }
    say(`Redis does not answer at ${rd.host}:${rd.port}; starting redis-server…`);
    spawnSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', String(rd.port), '--save', '', '--appendonly', 'no', '--dir', '/tmp'], { stdio: 'inherit' });
    if (!(await waitAnswers(rd.host, rd.port, 10_000))) throw new Error(`redis-server did not come up at ${rd.host}:${rd.port}`);
  }
  return { postgres: true };
}

async function waitAnswers(host, port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await answers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

function readdirSafe(dir) {
  try {
    return execFileSync('ls', [dir]).toString().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

export { spawn, readFileSync };
