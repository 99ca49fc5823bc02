// Guardrail classification throughput. Build first: npx tsc -b libs/sql-guard/tsconfig.build.json
// Run: node bench/guardrails/classify.bench.mjs [--runs 5] [--ms 1000]
// Prints statements/s, medians over runs: cold (every statement distinct: full parse, no cache hit)
// and cached (pgbench -S -M simple: one shape, a new literal every time).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const lib = require('../../libs/sql-guard/dist/index.js');
const { CORPUS } = require('../../libs/sql-guard/dist/corpus/standard-corpus.js');

const ctx = { identity: 'bench', groups: [] };

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Calls next() for about `ms` milliseconds and returns calls per second. */
function rate(ms, next) {
  const end = performance.now() + ms;
  let n = 0;
  let t = performance.now();
  const start = t;
  while (t < end) {
    for (let i = 0; i < 200; i++) next(n++);
    t = performance.now();
  }
  return (n / (t - start)) * 1000;
}

/** A distinct statement per call: corpus rows with a unique identifier appended so no cache can hit. */
function coldStatement(i) {
  const row = CORPUS[i % CORPUS.length];
  return `${row.sql.replace(/;\s*$/, '')}; SELECT c${i} FROM bench_t${i}`;
}

export function pgbenchSelect() {
  return `SELECT abalance FROM pgbench_accounts WHERE aid = ${1 + Math.floor(Math.random() * 100000)};`;
}

/**
 * For other benches (e.g. the pgbench ratio run): loads the parser and returns a STANDARD guard and
 * the function the worker calls per statement.
 */
export async function standardGuard(rules = []) {
  await lib.initSqlGuard();
  const guard = lib.createGuard({ preset: 'STANDARD', rules });
  return { guard, evaluate: (sql) => guard.evaluate(sql, ctx) };
}

export async function runGuardBench({ runs = 5, ms = 1000 } = {}) {
  await lib.initSqlGuard();
  const cold = [];
  const cached = [];
  const pgbenchCold = [];
  for (let r = 0; r < runs; r++) {
    const noCache = lib.createGuard({ preset: 'STANDARD', rules: [], cacheSize: 0 });
    cold.push(rate(ms, (i) => noCache.evaluate(coldStatement(i + r * 1e7), ctx)));
    pgbenchCold.push(rate(ms, () => noCache.evaluate(pgbenchSelect(), ctx)));
    const withCache = lib.createGuard({ preset: 'STANDARD', rules: [] });
    cached.push(rate(ms, () => withCache.evaluate(pgbenchSelect(), ctx)));
  }
  return { runs, cold: median(cold), pgbenchUncached: median(pgbenchCold), pgbenchCached: median(cached) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const res = await runGuardBench({ runs: arg('--runs', 5), ms: arg('--ms', 1000) });
  const f = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`sql-guard STANDARD, medians of ${res.runs} runs (statements/s, one core)`);
  console.log(`  cold, distinct 2-statement messages (parse + fingerprint + normalize): ${f(res.cold)}`);
  console.log(`  pgbench -S select, cache disabled:                                 ${f(res.pgbenchUncached)}`);
  console.log(`  pgbench -S select, cached (new literal each time):                 ${f(res.pgbenchCached)}`);
  console.log(`  cached / uncached: ${(res.pgbenchCached / res.pgbenchUncached).toFixed(1)}x`);
}
