import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgHarness, type PgHarness } from './harness';

const run = promisify(execFile);

/**
 * node-postgres' own integration suite (packages/pg/test/integration) through the worker.
 * npm packages ship no tests, so point AIRLOCK_NODE_PG_TESTS at a checkout of
 * brianc/node-postgres' packages/pg (tag pg@8.23.0) whose lib/ is a symlink to the installed
 * node_modules/pg/lib, e.g.:
 *   git -C node-postgres archive pg@8.23.0 packages/pg | tar -x -C /tmp/node-pg
 *   ln -sfn $PWD/node_modules/pg/lib /tmp/node-pg/packages/pg/lib   (after rm -rf …/lib)
 *   AIRLOCK_NODE_PG_TESTS=/tmp/node-pg/packages/pg npx vitest run --project e2e test/postgres/node-postgres-suite
 * The suite also needs pg's devDependencies resolvable from that checkout: async@2.6.4,
 * co@4.6.0, bluebird@3.7.2 and pg-copy-streams@0.3.0 (none is installed in this repository).
 * Skipped when unset or when they are missing.
 */
const SUITE = process.env.AIRLOCK_NODE_PG_TESTS;
const DEV_DEPENDENCIES = ['async', 'co', 'bluebird', 'pg-copy-streams'];

function resolvable(dir: string | undefined): boolean {
  if (!dir || !existsSync(path.join(dir, 'test/integration'))) return false;
  const req = createRequire(path.join(dir, 'package.json'));
  return DEV_DEPENDENCIES.every((d) => {
    try {
      req.resolve(d);
      return true;
    } catch {
      return false;
    }
  });
}

/** Files that cannot pass through any gateway that authenticates by token, with why. */
const EXPECTED_TO_FAIL: Record<string, string> = {};

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('-tests.js')) out.push(p);
  }
  return out.sort();
}

describe.skipIf(!resolvable(SUITE))('node-postgres integration suite through the worker', () => {
  let h: PgHarness;
  beforeAll(async () => {
    h = await startPgHarness();
  });
  afterAll(async () => h?.close());

  it('passes every file except the documented ones', async () => {
    const files = testFiles(path.join(SUITE!, 'test/integration'));
    const failed: Record<string, string> = {};
    for (const file of files) {
      const rel = path.relative(SUITE!, file);
      try {
        await run(process.execPath, [file], { cwd: SUITE!, env: { ...h.env(), PGSSLMODE: 'disable', TEST_TIMEOUT: '20000' }, timeout: 120_000 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        failed[rel] = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => /Error|assert|expected|airlock/i.test(l)).slice(0, 3).join(' | ') || e.message;
      }
    }
    process.stdout.write(`node-postgres suite: ${files.length - Object.keys(failed).length}/${files.length} files passed\n`);
    for (const [f, why] of Object.entries(failed)) process.stdout.write(`  FAIL ${f}: ${why.slice(0, 300)}\n`);
    expect(Object.keys(failed).filter((f) => !(f in EXPECTED_TO_FAIL))).toEqual([]);
  }, 900_000);
});
