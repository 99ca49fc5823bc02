#!/usr/bin/env node
// node-postgres' own integration suite (packages/pg/test/integration of brianc/node-postgres),
// run twice with the same client code: straight at the local Postgres, then through an Airlock
// worker (the built apps/worker/dist/main.js, every registered hook) whose connection is
// PERMISSIVE with masking off. Prints a per-file table and both totals; exits 1 when the gateway
// run differs from the direct one beyond the documented list below (EXPECTED), 2 on a setup error.
//
// Needs: `npm run build`, the local Postgres (trust on 127.0.0.1:5432, user postgres), Redis on
// 127.0.0.1:6379, and a checkout of the suite prepared OUTSIDE this repository:
//   mkdir -p /tmp/node-pg
//   git -C <node-postgres clone> archive pg@8.23.0 packages/pg | tar -x -C /tmp/node-pg
//   rm -rf /tmp/node-pg/packages/pg/lib && ln -s $PWD/node_modules/pg/lib /tmp/node-pg/packages/pg/lib
//   npm install --no-save --no-package-lock --prefix /tmp/node-pg async@2.6.4 co@4.6.0 bluebird@3.7.2 pg-copy-streams@0.3.0
//   ln -s $PWD/node_modules/pg-types /tmp/node-pg/node_modules/pg-types
//   node scripts/client-suites/node-postgres.mjs --suite /tmp/node-pg/packages/pg
// (lib/ is the installed pg's, so the client under test is the one this repository ships with, and
// pg-types is the instance that lib/ uses: huge-numeric-tests sets a type parser through it.)
//
// The suite's runner stops a file at its first failing test (process.exit), so a file's count is
// the tests that passed before that; "exit" is the file's exit status. A file whose gateway result
// differs is retried up to twice (timing-bound tests on a loaded machine); retries are shown.
// Options: --suite DIR (required) --only SUBSTRING (run matching files) --timeout MS (per file,
// default 120000) --verbose (print the output of every file whose result differs).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]] : acc), []),
);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const FILE_TIMEOUT = Number(args.timeout ?? 120_000);

/**
 * Files whose gateway result is allowed to differ from the direct one, with why. `gateway` is the
 * result expected through the gateway ({ passed, exit }); a file listed here that turns out to match
 * the direct run is reported but is not a failure.
 */
const EXPECTED = {
  // 'non-query error with callback' connects as user 'asldkfjsadlfkj' and expects a refusal; the
  // gateway authenticates by the API key (the password) and the Postgres user name is not a
  // credential, so it connects. The file stops there: its 7 later tests do not run (15 → 7).
  'client/error-handling-tests.js': { gateway: { passed: 7, exit: 255 }, reason: 'the gateway authenticates by API key; a wrong Postgres user name is not refused' },
  // Runs `psql -c "select pg_terminate_backend(<pid>)" template1`: template1 is not an Airlock
  // connection name (the gateway serves connections, not databases), and the pid the client holds
  // is Airlock's cancel key, not the real backend's.
  'gh-issues/130-tests.js': { gateway: { passed: 0, exit: 255 }, reason: 'psql to database template1 (not an Airlock connection) to pg_terminate_backend the real backend pid' },
};

function fail(msg) {
  process.stderr.write(`node-postgres suite: ${msg}\n`);
  process.exit(2);
}

function preflight(suite) {
  if (!suite || suite === true) fail('pass --suite <node-postgres checkout>/packages/pg (see the header of this script)');
  const dir = path.resolve(suite);
  if (!existsSync(path.join(dir, 'test/integration'))) fail(`${dir}/test/integration does not exist`);
  const installed = realpathSync(path.join(root, 'node_modules/pg/lib'));
  if (!existsSync(path.join(dir, 'lib')) || realpathSync(path.join(dir, 'lib')) !== installed) {
    fail(`${dir}/lib must be a link to ${installed} (the same client code direct and through the gateway): rm -rf ${dir}/lib && ln -s ${installed} ${dir}/lib`);
  }
  const suiteReq = createRequire(path.join(dir, 'test/test-helper.js'));
  for (const dep of ['async', 'co', 'bluebird', 'pg-copy-streams', 'pg-types']) {
    try {
      suiteReq.resolve(dep);
    } catch {
      fail(`${dep} is not resolvable from ${dir}/test (install the suite's devDependencies, see the header of this script)`);
    }
  }
  const libTypes = realpathSync(createRequire(path.join(installed, 'index.js')).resolve('pg-types'));
  if (realpathSync(suiteReq.resolve('pg-types')) !== libTypes) fail(`pg-types resolved from ${dir}/test must be ${libTypes} (the instance lib/ uses): link it`);
  if (!existsSync(path.join(root, 'apps/worker/dist/main.js'))) fail('build first: npm run build');
  return dir;
}

function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('-tests.js')) out.push(p);
  }
  return out.sort();
}

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

async function waitPort(port, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`worker did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const psql = (sql) => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', 'postgres', '-c', sql]);

/** Runs one file like the suite's Makefile does (`node file`), returns passes, skips, exit, output. */
function runFile(suite, file, pgEnv) {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
    const child = spawn(process.execPath, [file], { cwd: suite, env: { ...env, ...pgEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), FILE_TIMEOUT);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ passed: (out.match(/✔/g) ?? []).length, skipped: (out.match(/SKIPPED/g) ?? []).length, exit: signal ? `killed (${FILE_TIMEOUT} ms)` : code, out });
    });
  });
}

async function runAll(suite, files, pgEnv, label) {
  const results = {};
  for (const f of files) {
    const rel = path.relative(path.join(suite, 'test/integration'), f);
    results[rel] = await runFile(suite, f, pgEnv);
    process.stderr.write(`${label} ${rel}: ${results[rel].passed} passed, exit ${results[rel].exit}\n`);
  }
  return results;
}

function firstError(out) {
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const i = lines.findIndex((l) => /FAILED!|Error|Message:|did not complete/.test(l));
  return i < 0 ? lines.slice(-2).join(' | ') : lines.slice(i, i + 3).join(' | ');
}

async function startGateway(db, cleanups) {
  const contracts = require(path.join(root, 'libs/contracts/dist/index.js'));
  const identity = require(path.join(root, 'libs/identity/dist/index.js'));
  const { Redis } = require('ioredis');
  const prefix = `airlock_nodepg_${randomBytes(4).toString('hex')}`;
  const poolName = 'client-suite';
  const pool = contracts.generatePoolKeyPair();
  const key = identity.generateApiKey();
  const connection = 'node-pg-suite';
  const account = 'suite-agent';
  const snapshot = {
    schemaVersion: 1, pool: poolName, version: 1, generatedAt: new Date().toISOString(), oidc: null,
    connections: [{
      id: 'c-node-pg', name: connection, kind: 'POSTGRES', host: PG.host, port: PG.port, database: db, tls: { mode: 'disable' },
      guardrails: 'PERMISSIVE', masking: false, reviewTimeoutSeconds: 300, minApprovers: 1,
      credentials: [{ profile: 'rw', username: PG.user, sealed: contracts.seal(JSON.stringify({ password: 'unused-trust' }), pool.publicKey), rotatedAt: new Date().toISOString() }],
    }],
    grants: [{ id: 'g1', subject: `sa:${account}`, connection, profile: 'rw', expiresAt: null }],
    apiKeys: [{ lookupId: key.id, hash: identity.hashApiKey(key.key), identityId: 'i-suite', identityName: account, expiresAt: null }],
    guardrailRules: [], maskingRules: [],
  };
  const redis = new Redis('redis://127.0.0.1:6379');
  await redis.set(contracts.keySpace(prefix).policySnapshot(poolName), JSON.stringify(snapshot));
  cleanups.push(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  const state = mkdtempSync(path.join(tmpdir(), 'airlock-nodepg-'));
  cleanups.push(() => rmSync(state, { recursive: true, force: true }));
  const port = await freePort();
  const worker = spawn(process.execPath, [path.join(root, 'apps/worker/dist/main.js')], {
    env: {
      ...process.env, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_WORKER_POOL: poolName, AIRLOCK_WORKER_ID: 'w-node-pg-suite',
      AIRLOCK_POOL_PRIVATE_KEY: pool.privateKey, AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`, AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${await freePort()}`,
      AIRLOCK_STATE_DIR: state, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((r) => worker.once('exit', r));
  cleanups.push(async () => {
    worker.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  });
  await waitPort(port);
  return { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: account, PGPASSWORD: key.key, PGDATABASE: connection };
}

async function main() {
  const suite = preflight(args.suite);
  let files = testFiles(path.join(suite, 'test/integration'));
  if (typeof args.only === 'string') files = files.filter((f) => f.includes(args.only));
  const pgVersion = require(path.join(root, 'node_modules/pg/package.json')).version;
  const cleanups = [];
  let code = 0;
  try {
    const tag = randomBytes(4).toString('hex');
    const directDb = `airlock_nodepg_direct_${tag}`;
    const gatewayDb = `airlock_nodepg_gateway_${tag}`;
    for (const db of [directDb, gatewayDb]) {
      await psql(`CREATE DATABASE ${db}`);
      cleanups.push(() => psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    }
    const direct = await runAll(suite, files, { PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user, PGDATABASE: directDb }, 'direct ');
    const gatewayEnv = await startGateway(gatewayDb, cleanups);
    const gateway = await runAll(suite, files, gatewayEnv, 'gateway');
    // A few files are timing-bound (1105-tests: 5000 sequential round trips inside the runner's fixed
    // 5 s per test); a file that differs is run again up to twice, and the retry is shown.
    const retried = {};
    for (const f of files) {
      const rel = path.relative(path.join(suite, 'test/integration'), f);
      for (let i = 0; i < 2 && (gateway[rel].passed !== direct[rel].passed || gateway[rel].exit !== direct[rel].exit); i++) {
        retried[rel] = (retried[rel] ?? 0) + 1;
        gateway[rel] = await runFile(suite, f, gatewayEnv);
        process.stderr.write(`gateway ${rel} (retry ${retried[rel]}): ${gateway[rel].passed} passed, exit ${gateway[rel].exit}\n`);
      }
    }

    const rows = [];
    const unexpected = [];
    const totals = { direct: { passed: 0, files: 0 }, gateway: { passed: 0, files: 0 } };
    for (const rel of Object.keys(direct)) {
      const d = direct[rel];
      const g = gateway[rel];
      totals.direct.passed += d.passed;
      totals.gateway.passed += g.passed;
      if (d.exit === 0) totals.direct.files++;
      if (g.exit === 0) totals.gateway.files++;
      const same = d.passed === g.passed && d.exit === g.exit;
      const doc = EXPECTED[rel];
      let note = '';
      if (!same && doc && doc.gateway.passed === g.passed && doc.gateway.exit === g.exit) note = `documented: ${doc.reason}`;
      else if (!same) {
        note = `UNEXPECTED: ${firstError(g.out)}`.slice(0, 300);
        unexpected.push(rel);
        if (args.verbose) process.stdout.write(`\n----- ${rel} through the gateway -----\n${g.out}\n----- direct -----\n${d.out}\n`);
      } else if (doc) note = 'documented difference did not occur';
      else if (d.exit !== 0) note = `fails direct too: ${firstError(d.out)}`.slice(0, 200);
      if (retried[rel]) note = `(gateway retried ${retried[rel]}×) ${note}`;
      rows.push([rel, `${d.passed}`, `${d.exit}`, `${g.passed}`, `${g.exit}`, note]);
    }
    const head = ['file', 'direct ✔', 'exit', 'gateway ✔', 'exit', 'note'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : r[i].length))));
    const line = (r) => r.map((c, i) => (i === 5 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
    process.stdout.write(`\nnode-postgres integration suite (${suite}), client pg@${pgVersion}: direct vs Airlock (PERMISSIVE, masking off)\n`);
    process.stdout.write(`${line(head)}\n${rows.map(line).join('\n')}\n`);
    process.stdout.write(`\ntotal: direct ${totals.direct.passed} tests passed, ${totals.direct.files}/${files.length} files exit 0\n`);
    process.stdout.write(`total: gateway ${totals.gateway.passed} tests passed, ${totals.gateway.files}/${files.length} files exit 0\n`);
    if (unexpected.length) {
      process.stdout.write(`\n${unexpected.length} file(s) differ beyond the documented list: ${unexpected.join(', ')}\n`);
      code = 1;
    } else process.stdout.write('\nsame results direct and through the gateway, apart from the documented differences\n');
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch((err) => process.stderr.write(`cleanup: ${err.message}\n`));
  }
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(2);
});
