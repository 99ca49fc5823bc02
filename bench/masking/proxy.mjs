// Masking through the proxy: a 1M-row result read directly, through a worker with masking off,
// and through the same worker with masking on (every detector, style redact), in one run.
//
//   npx tsc -b apps/worker/tsconfig.build.json   (the bench runs the built worker)
//   node bench/masking/proxy.mjs [--reps 3] [--rows 1000000]
//
// Two results: "pii" — every row holds an email, a phone, a card and a note with an email in it
// (the worst case: every row is rewritten) — and "clean" — text columns with nothing to mask
// (the common case: every cell is scanned, no row is rewritten). Targets are interleaved within
// each repetition; medians over repetitions. Needs the local Postgres (trust on 127.0.0.1:5432)
// and Redis. Goal: masking on keeps >= 60% of the unmasked proxy's throughput.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
const ROWS = Number(args.rows ?? 1_000_000);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
/** --profile <dir>: the worker writes a V8 CPU profile there when it exits. */
const PROFILE = args.profile;

const workerMain = path.join(root, 'apps/worker/dist/main.js');
if (!existsSync(workerMain)) {
  process.stderr.write('bench: build the worker first: npx tsc -b apps/worker/tsconfig.build.json\n');
  process.exit(2);
}
const contracts = require(path.join(root, 'libs/contracts/dist/index.js'));
const identity = require(path.join(root, 'libs/identity/dist/index.js'));
const { Redis } = require('ioredis');

const QUERIES = {
  pii: `SELECT g AS id, 'user' || g || '@example.com' AS email, '+1 (415) 555-' || lpad((g % 10000)::text, 4, '0') AS phone,
    '4111111111111111' AS card, 'called about order ' || g || '; reply to user' || g || '@example.com' AS notes,
    (g::int8 * 7919) % 1000000 AS balance_cents, now() AS created_at FROM generate_series(1, ${ROWS}) g`,
  clean: `SELECT g AS id, 'customer ' || g AS name, 'status shipped, tracking pending, warehouse B' AS notes,
    repeat('lorem ipsum ', 8) AS body, (g::int8 * 7919) % 1000000 AS balance_cents, now() AS created_at FROM generate_series(1, ${ROWS}) g`,
};

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

/** Logs in, sends one simple Query, reads the whole result frame by frame; time to first DataRow and to ReadyForQuery. */
function readResult(port, database, user, password, sql) {
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
    let first = 0;
    let sample = '';
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
        if (code === 0x44) {
          if (rows++ === 0) {
            first = performance.now() - t0;
            sample = buf.subarray(pos, pos + len + 1).toString('latin1');
          }
        } else if (code === 0x52 && buf.readInt32BE(pos + 5) === 3) s.write(typed(0x70, Buffer.from(`${password}\0`)));
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
            return resolve({ ms, first, bytes, rows, sample });
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
  const cleanups = [];
  try {
    await run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', `CREATE DATABASE ${db}`]);
    cleanups.push(() => run('psql', ['-X', '-q', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]));

    const pool = contracts.generatePoolKeyPair();
    const key = identity.generateApiKey();
    const conn = (name, masking) => ({
      id: `c-${name}`, name, kind: 'POSTGRES', host: PG.host, port: PG.port, database: db, tls: { mode: 'disable' },
      guardrails: 'PERMISSIVE', masking, reviewTimeoutSeconds: 300, minApprovers: 1,
      credentials: [{ profile: 'rw', username: PG.user, sealed: contracts.seal(JSON.stringify({ password: 'unused' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
      maskingKeySealed: contracts.seal(randomBytes(32).toString('base64'), pool.publicKey),
    });
    const snapshot = {
      schemaVersion: 1, pool: 'bench', version: 1, generatedAt: new Date().toISOString(), oidc: null,
      connections: [conn('masked', true), conn('clear', false)],
      grants: ['masked', 'clear'].map((c, i) => ({ id: `g${i}`, subject: 'sa:bench', connection: c, profile: 'rw', expiresAt: null })),
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
    const port = await freePort();
    const worker = spawn(process.execPath, [...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []), workerMain], {
      env: {
        ...process.env, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: 'bench', AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey,
        AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
        AIRLOCK_STATE_DIR: path.join(work, 'worker'), LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    cleanups.push(() => (worker.kill('SIGTERM'), new Promise((r) => worker.once('exit', r))));
    await waitPort(port, 'worker');

    const targets = {
      direct: (sql) => readResult(PG.port, db, PG.user, '', sql),
      'masking off': (sql) => readResult(port, 'clear', 'bench', key.key, sql),
      'masking on': (sql) => readResult(port, 'masked', 'bench', key.key, sql),
    };
    const results = {};
    for (let rep = 1; rep <= REPS; rep++) {
      for (const [q, sql] of Object.entries(QUERIES).filter(([q]) => !args.only || q === args.only)) {
        for (const [t, read] of Object.entries(targets)) ((results[q] ??= {})[t] ??= []).push(await read(sql));
      }
      process.stdout.write(`repetition ${rep}/${REPS} done\n`);
    }

    const pad = (s, n) => String(s).padEnd(n);
    const lines = [`${ROWS} rows per result, ${REPS} interleaved repetitions, medians. ratio = throughput vs masking off (goal >= 0.60); +ttfr = time to first row added vs direct`];
    lines.push(pad('result', 8) + pad('target', 13) + pad('rows/s', 11) + pad('MB/s', 8) + pad('vs direct', 11) + pad('vs off', 8) + pad('ttfr ms', 9) + '+ttfr ms');
    for (const [q, byTarget] of Object.entries(results)) {
      const rps = (t) => median(byTarget[t].map((r) => r.rows / (r.ms / 1000)));
      const mbs = (t) => median(byTarget[t].map((r) => r.bytes / 1e6 / (r.ms / 1000)));
      const ttfr = (t) => median(byTarget[t].map((r) => r.first));
      for (const t of Object.keys(targets)) {
        lines.push(
          pad(q, 8) + pad(t, 13) + pad(rps(t).toFixed(0), 11) + pad(mbs(t).toFixed(1), 8) + pad((rps(t) / rps('direct')).toFixed(2), 11) +
            pad(t === 'direct' ? '' : (rps(t) / rps('masking off')).toFixed(2), 8) + pad(ttfr(t).toFixed(2), 9) + (t === 'direct' ? '' : (ttfr(t) - ttfr('direct')).toFixed(2)),
        );
      }
      lines.push(`  first masked row: ${JSON.stringify(byTarget['masking on'][0].sample.replace(/[\0-\x1f]+/g, ' ').slice(0, 160))}`);
    }
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
