#!/usr/bin/env node
// `npm test`: the whole suite on a fresh clone — install, generate, build, lint, typecheck, then
// unit, integration (real Postgres and Redis) and end-to-end tests in one Vitest run.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build, ensureInstalled, ensurePrismaClient, ensureServices, ensureSystemPackages, root, run, say } from './lib.mjs';

const t0 = Date.now();
const step = (name, fn) => {
  const t = Date.now();
  fn();
  say(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
};

process.on('uncaughtException', (err) => {
  say(err.message);
  process.exit(1);
});

ensureInstalled();
ensureSystemPackages();
const { postgres } = await ensureServices({
  pgUrl: process.env.AIRLOCK_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.AIRLOCK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
});
if (!postgres) {
  say('Postgres does not answer at 127.0.0.1:5432: start it, or point AIRLOCK_TEST_PG_URL at one (trust auth, a superuser)');
  process.exit(1);
}
ensurePrismaClient();
step('build', build);
const nx = path.join(root, 'node_modules/nx/dist/bin/nx.js');
const nxEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: process.env.CI ? 'true' : '' };
step('lint and typecheck', () => run(process.execPath, [nx, 'run-many', '-t', 'lint', 'typecheck', '--parallel=2', '--outputStyle=static'], { env: nxEnv }));
// The end-to-end tests, benches' helpers and lint rules live outside the Nx projects: check them too.
step('lint and typecheck of test/ and tools/', () => {
  run(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), 'test', 'tools', 'scripts']);
  run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'test/tsconfig.json']);
});

mkdirSync(path.join(root, 'tmp'), { recursive: true });
const report = path.join(root, 'tmp/vitest-report.json');
let failed = false;
try {
  run(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
} catch {
  failed = true;
}
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  say(`whole suite in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.stdout.write(`${r.numPassedTests} passed, ${r.numFailedTests} failed\n`);
} catch {
  say('no test report was written');
  failed = true;
}
process.exit(failed ? 1 : 0);
