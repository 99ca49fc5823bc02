// Recording cost on the proxy: pgbench -S through two workers that differ only by recording, in
// one run, interleaved, medians.
//
//   npx tsc -b apps/worker/tsconfig.build.json     (the bench runs the built worker)
//   node bench/recording/pgbench.mjs [--reps 3] [--seconds 5] [--clients 1,16] [--modes simple,prepared] [--masking 0|1] [--ingest during|between] [--split 1] [--floor 1] [--processes 1]
//
// Targets: direct (Postgres), off (guardrails STANDARD + masking + review hooks, session counter on
// debug logs: nothing recorded) and on (the production hook list of apps/worker/src/listeners.ts:
// the same plus the statement recorder, every event through the spooling recorder into BullMQ).
// A BullMQ consumer in this process stands in for the control plane: it takes every record-events
// job, reads its blob, counts the events and deletes the blob (it stores nothing). --ingest during
// (default): it runs while pgbench does, on the same 2 cores, as a control plane on the same host
// would. --ingest between: it is paused while pgbench runs and drains the queue between
// measurements, as a control plane on its own host takes nothing from the proxy's cores (Redis
// still does its part inside the windows). The goal: on keeps >= 0.90 of off's TPS. Besides TPS,
// each window's CPU per transaction: the worker's (and its main thread's) and Redis's (INFO cpu).
// Needs the local Postgres and Redis.
// The workers read the environment as a worker does: AIRLOCK_RECORDING_FLUSH_MS and
// AIRLOCK_RECORDING_BATCH_EVENTS set the recording batches of "on".
// The ingest side (events/s one control plane stores) is bench/recording/run.mjs.
import { writeFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import path from 'node:path';
import { REDIS_URL, benchMain, createDatabase, parseArgs, redisCpuUs, require, requireBuilt } from '../lib/common.mjs';
import { directTarget, pgbench, pgbenchInit, pgbenchWarmUp, workerTarget } from '../lib/pgbench.mjs';
import { change, interleave, median, pad } from '../lib/stats.mjs';
import { benchKeys, benchSnapshot, builtLibs, pgConnection, publishSnapshot, startWorkerProcess } from '../lib/worker.mjs';

const args = parseArgs();
const REPS = Number(args.reps ?? 3);
const SECONDS = Number(args.seconds ?? 5);
const CLIENTS = (args.clients ?? '1,16').split(',').map(Number);
const MODES = (args.modes ?? 'simple,prepared').split(',');
const MASKING = args.masking === '1';
const INGEST = args.ingest ?? 'during';
/** AIRLOCK_WORKER_PROCESSES of every worker ("main thread" CPU is then the supervisor's: not shown). */
const PROCESSES = Number(args.processes ?? 1);
if (!['during', 'between'].includes(INGEST)) throw new Error('--ingest: during or between');

const dist = path.dirname(path.dirname(requireBuilt('apps/worker/dist/recording/statement-recorder.js')));
const { Redis } = require('ioredis');
const { Worker } = require('bullmq');

// Two worker mains on the built code; the only difference is the recording.
const workerMain = (recording) => `
const req = (p) => require(${JSON.stringify(dist)} + '/' + p);
const { runWorker } = req('run.js');
const { loadWorkerConfig } = req('config.js');
const { postgresListener } = req('postgres/listener.js');
const { sessionCounter } = req('postgres/session-counter.js');
const { LogRecorder } = req('postgres/recorder.js');
const { postgresGuardrails, withSqlGuard } = req('guardrails/index.js');
const { postgresMasking } = req('masking/index.js');
const { reviewHooks } = req('reviews/index.js');
const { postgresHooks } = req('listeners.js');
const { createRecorder } = req('recording/recorder.js');
const { ALLOW } = req('postgres/hooks.js');
// The recorder's callbacks with empty bodies (rows included): what the relay alone charges for them.
const emptyRecorder = () => ({
  onQuery: () => ALLOW, onParse: () => ALLOW, onBind: () => ALLOW, onExecute: () => undefined,
  onRowDescription: (fields) => ({ fields }), onDataRow: () => null, onCommandComplete: () => undefined, onError: () => undefined,
});
const listener = ${recording === 'floor'}
  ? postgresListener({ hooks: (ctx) => [postgresGuardrails(ctx), postgresMasking(ctx), reviewHooks(ctx), emptyRecorder, sessionCounter(new LogRecorder(ctx.log))] })
  : ${recording === 'hooks'}
  ? postgresListener({ hooks: (ctx) => postgresHooks(ctx, new LogRecorder(ctx.log)) })
  : ${recording === true}
  ? postgresListener({ recorder: (ctx) => createRecorder(ctx), hooks: postgresHooks })
  : postgresListener({ hooks: (ctx) => [postgresGuardrails(ctx), postgresMasking(ctx), reviewHooks(ctx), sessionCounter(new LogRecorder(ctx.log))] });
runWorker(loadWorkerConfig(), [withSqlGuard(listener)]).catch((err) => (process.stderr.write('airlock: worker failed to start: ' + err.message + '\\n'), process.exit(1)));
`;

function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

benchMain(async ({ db, prefix, work, cleanups }) => {
  const { contracts } = builtLibs();
  await createDatabase(db, cleanups);
  // pgbench -i drops and creates tables: straight to Postgres, never through STANDARD.
  await pgbenchInit(db);

  const { pool, key } = benchKeys();
  const snapshot = benchSnapshot({ key, connections: [pgConnection({ name: 'bench', db, pool, guardrails: 'STANDARD', masking: MASKING })] });
  const keys = await publishSnapshot(prefix, snapshot, cleanups);

  // The control plane's part, minus storage: take every record-events job and count its events.
  let consumed = 0;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanups.push(() => connection.disconnect()); // BullMQ leaves a connection it is given open: the process would not exit.
  // Jobs point to a blob of JSON Lines (older workers: carry the lines or an events array): count
  // the events, delete the blob, store nothing.
  const eventsIn = async (data) => {
    if (typeof data.blob !== 'string') return typeof data.lines === 'string' ? countLines(data.lines) : data.events.length;
    const blob = await connection.getBuffer(data.blob);
    await connection.del(data.blob);
    // schemaVersion 2: the lines compressed (raw DEFLATE), as the control plane reads them.
    return countLines((data.schemaVersion === 2 ? inflateRawSync(blob) : blob).toString('utf8'));
  };
  /** A consumer on connections of its own (BullMQ keeps a connection it is given open: closed here with it). */
  const consume = () => {
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const w = new Worker(contracts.JOB_TO_QUEUE[contracts.JobName.RecordEvents], async (job) => {
      // Not `consumed += await …`: that reads `consumed` before the await, and concurrent jobs would overwrite each other's counts.
      const n = await eventsIn(job.data);
      consumed += n;
    }, {
      connection: conn, prefix: keys.queuePrefix(), concurrency: 8, removeOnComplete: { count: 0 },
    });
    w.on('failed', (_job, err) => process.stderr.write(`consumer: ${err.message}\n`));
    return { close: () => w.close().finally(() => conn.disconnect()) };
  };
  // during: one consumer all along; between: one per gap between windows, closed before the next.
  let consumer = INGEST === 'during' ? consume() : undefined;
  cleanups.push(() => consumer?.close());
  /** Statement events "on" produced so far (one per transaction), for --ingest between. */
  let produced = 0;
  const drained = async () => {
    const deadline = Date.now() + 120_000;
    while (consumed < produced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };

  const start = (name, main) => {
    const entry = path.join(work, `${name}-worker.cjs`);
    writeFileSync(entry, main);
    // AIRLOCK_BENCH_PROFILE=<dir>: a CPU profile of each worker, written when it exits.
    // AIRLOCK_BENCH_NODE_ARGS: extra node flags for every worker (e.g. GC settings to compare).
    const nodeArgs = [
      ...(process.env.AIRLOCK_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.AIRLOCK_BENCH_PROFILE), '--cpu-prof-name', `${name}.cpuprofile`] : []),
      ...(process.env.AIRLOCK_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ];
    return startWorkerProcess({ entry, name: `worker ${name}`, workerId: `bench-${name}`, nodeArgs, processes: PROCESSES, prefix, privateKey: pool.privateKey, stateDir: path.join(work, name), cleanups });
  };
  const off = await start('off', workerMain(false));
  const on = await start('on', workerMain(true));
  // --split 1: a third worker with the recording hooks but events only to debug logs (no spool,
  // no queue), to tell the hooks' cost from the pipeline's.
  const hooksOnly = args.split === '1' ? await start('hooks', workerMain('hooks')) : undefined;
  // --floor 1: a worker with off's hooks plus the recorder's callbacks with empty bodies: the
  // relay's own charge for them (its row tracking included), the floor of any recorder built on them.
  const floor = args.floor === '1' ? await start('floor', workerMain('floor')) : undefined;

  const via = ({ port }) => workerTarget(port, key.key);
  const targets = { direct: directTarget(db), off: via(off), on: via(on), ...(hooksOnly ? { hooks: via(hooksOnly) } : {}), ...(floor ? { floor: via(floor) } : {}) };
  const pids = { direct: undefined, off: off.pid, on: on.pid, hooks: hooksOnly?.pid, floor: floor?.pid };
  await pgbenchWarmUp(targets);

  const names = Object.keys(targets);
  const cells = CLIENTS.flatMap((clients) => MODES.map((mode) => [`${mode}/${clients}`, { mode, clients }]));
  const results = await interleave({
    reps: REPS, cells, names, rotate: true,
    measure: async (t, { mode, clients }) => {
      if (INGEST === 'between') {
        // The queue is empty and no consumer runs when the window starts.
        consumer = consume();
        await drained();
        await consumer.close();
        consumer = undefined;
      }
      const redis0 = await redisCpuUs(connection);
      const r = await pgbench({ env: targets[t], mode, clients, seconds: SECONDS, pid: pids[t] });
      if (t === 'on') produced += r.txns;
      // Redis's own CPU in the window: the blobs and jobs "on" sends (and, --ingest during, the consumer's work).
      return { ...r, redisCpuUs: ((await redisCpuUs(connection)) - redis0) / r.txns };
    },
  });
  consumer ??= consume();
  const onTxns = Object.values(results).reduce((n, by) => n + by.on.reduce((m, r) => m + r.txns, 0), 0);
  // Every recorded statement reaches the queue (one statement event per transaction, plus the
  // sessions' start/end events): wait for the consumer to catch up, then report.
  const deadline = Date.now() + 60_000;
  while (consumed < onTxns && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

  const lines = [];
  lines.push(`pgbench -S, -T ${SECONDS}, ${REPS} interleaved repetitions, medians (TPS), STANDARD guardrails, masking ${MASKING ? 'on' : 'off'}, ingest stand-in ${INGEST === 'during' ? 'running during the windows' : 'draining between the windows'}${PROCESSES > 1 ? `, workers of ${PROCESSES} processes` : ''}. on/off = TPS kept with recording; goal >= 0.90`);
  lines.push(pad('mode/clients', 14) + pad('direct', 9) + pad('off', 9) + pad('on', 9) + pad('on/off', 8) + pad('+lat µs', 9) + 'worker CPU µs/txn off → on (process, main thread); Redis CPU µs/txn');
  for (const [k, by] of Object.entries(results)) {
    const m = Object.fromEntries(names.map((n) => [n, median(by[n].map((r) => r.tps))]));
    const lat = Object.fromEntries(names.map((n) => [n, median(by[n].map((r) => r.lat))]));
    const cpu = Object.fromEntries(['off', 'on'].map((n) => [n, median(by[n].map((r) => r.cpuUs))]));
    const main = Object.fromEntries(['off', 'on'].map((n) => [n, median(by[n].map((r) => r.mainCpuUs))]));
    const redis = Object.fromEntries(['off', 'on'].map((n) => [n, median(by[n].map((r) => r.redisCpuUs))]));
    lines.push(
      pad(k, 14) + pad(m.direct.toFixed(0), 9) + pad(m.off.toFixed(0), 9) + pad(m.on.toFixed(0), 9) + pad((m.on / m.off).toFixed(2), 8) +
        pad(((lat.on - lat.off) * 1000).toFixed(0), 9) + `${cpu.off.toFixed(1)} → ${cpu.on.toFixed(1)} (${change(cpu.on / cpu.off)})` + (PROCESSES > 1 ? '' : `, main thread ${main.off.toFixed(1)} → ${main.on.toFixed(1)}`) +
        `; Redis ${redis.off.toFixed(1)} → ${redis.on.toFixed(1)}` +
        (by.hooks ? `   hooks only (no pipeline): ${median(by.hooks.map((r) => r.tps)).toFixed(0)} TPS, ${(median(by.hooks.map((r) => r.tps)) / m.off).toFixed(2)} of off, ${median(by.hooks.map((r) => r.cpuUs)).toFixed(1)} µs/txn` : '') +
        (by.floor ? `   floor (empty callbacks): ${median(by.floor.map((r) => r.tps)).toFixed(0)} TPS, ${(median(by.floor.map((r) => r.tps)) / m.off).toFixed(2)} of off, ${median(by.floor.map((r) => r.cpuUs)).toFixed(1)} µs/txn` : ''),
    );
  }
  lines.push('');
  lines.push(`events consumed from the queue: ${consumed} (statements run through "on": ${onTxns})`);
  process.stdout.write('\n' + lines.join('\n') + '\n');
});
