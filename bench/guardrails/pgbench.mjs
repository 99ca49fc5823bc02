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
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchMain, createDatabase, parseArgs, require, requireBuilt } from '../lib/common.mjs';
import { directTarget, pgbench, pgbenchInit, pgbenchWarmUp, workerTarget } from '../lib/pgbench.mjs';
import { change, interleave, median, pad } from '../lib/stats.mjs';
import { benchKeys, benchSnapshot, pgConnection, publishSnapshot, startWorkerProcess } from '../lib/worker.mjs';
import { runGuardBench } from './classify.bench.mjs';

const args = parseArgs();
const REPS = Number(args.reps ?? 3);
const SECONDS = Number(args.seconds ?? 5);
const CLIENTS = (args.clients ?? '1,16').split(',').map(Number);
const MODES = (args.modes ?? 'simple,extended,prepared').split(',');

const dist = path.dirname(requireBuilt('apps/worker/dist/main.js'));

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

benchMain(async ({ db, prefix, work, cleanups }) => {
  await createDatabase(db, cleanups);
  // pgbench -i drops and creates tables: straight to Postgres, never through STANDARD.
  await pgbenchInit(db);

  const { pool, key } = benchKeys();
  const snapshot = benchSnapshot({ key, connections: [pgConnection({ name: 'standard', db, pool, guardrails: 'STANDARD' }), pgConnection({ name: 'permissive', db, pool })] });
  await publishSnapshot(prefix, snapshot, cleanups);

  const start = (name, main) => {
    const entry = path.join(work, `${name}-worker.cjs`);
    writeFileSync(entry, main);
    return startWorkerProcess({ entry, name: `worker ${name}`, workerId: `bench-${name}`, prefix, privateKey: pool.privateKey, stateDir: path.join(work, name), cleanups });
  };
  const bare = await start('nohooks', workerMain(false));
  const guarded = await start('guarded', workerMain(true));

  const via = ({ port }, connection) => workerTarget(port, key.key, connection);
  const targets = {
    direct: directTarget(db),
    nohooks: via(bare, 'standard'),
    permissive: via(guarded, 'permissive'),
    standard: via(guarded, 'standard'),
  };
  // Warm up each path once (connections, JIT, the guard's caches), then interleave.
  const pids = { direct: undefined, nohooks: bare.pid, permissive: guarded.pid, standard: guarded.pid };
  await pgbenchWarmUp(targets);

  const names = Object.keys(targets);
  const cells = CLIENTS.flatMap((clients) => MODES.map((mode) => [`${mode}/${clients}`, { mode, clients }]));
  // Rotate the order each repetition so no target always runs first.
  const results = await interleave({
    reps: REPS, cells, names, rotate: true,
    measure: (t, { mode, clients }) => pgbench({ env: targets[t], mode, clients, seconds: SECONDS, pid: pids[t], retries: 2 }),
  });

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
        `${median(by.nohooks.map((r) => r.cpuUs)).toFixed(1)} → ${median(by.standard.map((r) => r.cpuUs)).toFixed(1)} (${change(median(by.standard.map((r) => r.cpuUs)) / median(by.nohooks.map((r) => r.cpuUs)))})`,
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
});
