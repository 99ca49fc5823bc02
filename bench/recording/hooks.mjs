// Recording cost in process: the relay of one session driven with pgbench -S's own messages
// through fake sockets (no kernel, no Postgres, no pgbench), with and without the statement
// recorder, and the recorder pipeline (spool + BullMQ) alone. Deterministic enough for callgrind
// and quiet enough to compare one change at a time on a busy machine; bench/recording/pgbench.mjs
// is the end-to-end figure.
//
//   npx tsc -b apps/worker/tsconfig.build.json
//   [AIRLOCK_RECORDING_FLUSH_MS=50] [AIRLOCK_RECORDING_BATCH_EVENTS=500] node bench/recording/hooks.mjs [--txns 200000] [--reps 5] [--only relay|pipeline] [--sink null|spool] [--floor 1] [--events built|plain] [--rate 10000]
//
// relay: µs of CPU per transaction (simple and prepared), hook sets "off" (a guardrail stand-in
// that allows everything and reports its decision) and "on" (the same + the statement recorder +
// the session counter, events to a sink that drops them). The difference is what recording
// costs the relay's thread before any event leaves it.
// pipeline: µs of CPU per event through the worker's spooling recorder into a real BullMQ queue
// on the local Redis (a unique prefix, obliterated at the end), batches as the recorder makes
// them; what the sink above leaves out. --rate n: events are recorded at n a second (in 10 ms
// slices), as sessions produce them, so batches are cut by the flush interval as in a worker
// under load; without it, as fast as the loop goes (a burst: batches of the maximum size, and a
// backlog the pipeline catches up with at close).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { REDIS_URL, benchName, cpuSeconds, parseArgs, redisCpuUs, require, requireBuilt } from '../lib/common.mjs';
import { median } from '../lib/stats.mjs';

const args = parseArgs();
const TXNS = Number(args.txns ?? 200_000);
const REPS = Number(args.reps ?? 5);
const ONLY = args.only;
const PLAIN = args.events === 'plain';
const RATE = args.rate === undefined ? 0 : Number(args.rate);
const TARGETS = args.floor === '1' ? ['off', 'floor-no-rows', 'floor', 'on'] : ['off', 'on'];

// The recorder's batches as a worker reads them from its environment (unset: the worker's defaults).
const recordingEnv = {
  ...(process.env.AIRLOCK_RECORDING_FLUSH_MS ? { flushIntervalMs: Number(process.env.AIRLOCK_RECORDING_FLUSH_MS) } : {}),
  ...(process.env.AIRLOCK_RECORDING_BATCH_EVENTS ? { maxBatchEvents: Number(process.env.AIRLOCK_RECORDING_BATCH_EVENTS) } : {}),
};

const dist = path.dirname(path.dirname(requireBuilt('apps/worker/dist/recording/statement-recorder.js')));
const req = (p) => require(path.join(dist, p));
const { Relay } = req('postgres/relay.js');
const { ALLOW } = req('postgres/hooks.js');
const { statementRecording } = req('recording/statement-recorder.js');
const { sessionCounter } = req('postgres/session-counter.js');
const { createRecorder } = req('recording/recorder.js');
const { statementEvent } = req('recording/event-json.js');
const wire = require(path.join(path.dirname(dist), '../../libs/pg-wire/dist/index.js'));
const { JOB_TO_QUEUE, JobName, keySpace } = require(path.join(path.dirname(dist), '../../libs/contracts/dist/index.js'));
const pino = require('pino');

/** Just enough of a socket for the relay: writes are counted and dropped. */
class FakeSocket {
  handlers = {};
  writableLength = 0;
  written = 0;
  on(ev, fn) {
    this.handlers[ev] = fn;
  }
  off() {}
  write(b) {
    this.written += b.length;
    return true;
  }
  cork() {}
  uncork() {}
  pause() {}
  resume() {}
  end() {}
}

const SQL = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1;';
const field = (name, typeOid) => ({ name, tableOid: 16400, columnAttr: 3, typeOid, typeSize: 4, typeModifier: -1, format: 0 });
const rowDesc = wire.buildRowDescription([field('abalance', 23)]);
const tail = Buffer.concat([wire.buildDataRow(['-4711']), wire.buildCommandComplete('SELECT 1'), wire.readyForQuery('I')]);

/** pgbench -S -M simple: one Query per transaction, the aid inlined. */
const simple = {
  setup: [],
  request: (aid) => wire.buildQuery(SQL.replace('$1', String(aid))),
  response: Buffer.concat([rowDesc, tail]),
};
/** pgbench -S -M prepared (libpq's PQexecPrepared): Parse once, then Bind, Describe portal, Execute, Sync. */
const prepared = {
  setup: [
    [Buffer.concat([wire.buildParse({ name: 'P0_1', sql: SQL, paramTypes: [] }), wire.buildSync()]), Buffer.concat([Buffer.from([0x31, 0, 0, 0, 4]), wire.readyForQuery('I')])],
  ],
  request: (aid) => Buffer.concat([wire.buildBind({ statement: 'P0_1', params: [String(aid)] }), wire.buildDescribe('P'), wire.buildExecute(), wire.buildSync()]),
  response: Buffer.concat([Buffer.from([0x32, 0, 0, 0, 4]), rowDesc, tail]),
};

function info() {
  return {
    sessionId: randomUUID(), workerId: 'bench', subject: { kind: 'service_account', id: 'i1', name: 'bench', groups: [], tokenKind: 'api_key' },
    connection: { name: 'bench', masking: false }, profile: 'rw', clientUser: 'bench', applicationName: null, clientAddress: '127.0.0.1', tls: false, startedAt: new Date(), expiresAt: undefined,
  };
}

/** Allows everything and reports each decision like the guardrails do (their own cost is the same with and without recording). */
function guardStandIn(onDecision) {
  return (i) => {
    const rec = (source, name, sql) => ({ source, statementName: name, sql, verdict: 'allow', rule: 'STANDARD: reads', ruleId: null, reason: '', fingerprint: 'a1b2c3d4', statementKind: 'SELECT', statementKinds: ['SELECT'], at: new Date() });
    return {
      onQuery(sql) {
        onDecision?.(i, rec('query', null, sql));
        return ALLOW;
      },
      onParse(name, sql) {
        onDecision?.(i, rec('parse', name, sql));
        return ALLOW;
      },
    };
  };
}

/** The callbacks the statement recorder defines, with empty bodies: what the relay charges for them. */
function emptyHooks(rows) {
  return () => ({
    onQuery: () => ALLOW,
    onParse: () => ALLOW,
    onBind: () => ALLOW,
    onExecute: () => undefined,
    ...(rows ? { onRowDescription: (fields) => ({ fields }), onDataRow: () => null } : {}),
    onCommandComplete: () => undefined,
    onError: () => undefined,
  });
}

function session(factories) {
  const i = info();
  const hooks = factories.map((f) => f(i));
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  const stats = { bytesIn: 0, bytesOut: 0, statements: 0 };
  const relay = new Relay({ client, clientReader: new wire.FrameReader(), upstream, upstreamReader: new wire.FrameReader(), hooks, stats, log: pino({ level: 'silent' }), blockMarker: 'airlock_bench_marker', onEnd: () => undefined });
  relay.start();
  for (const h of hooks) h.onStart?.(i);
  return {
    send: (b) => client.handlers.data(b),
    answer: (b) => upstream.handlers.data(b),
    end: () => hooks.forEach((h) => h.onEnd?.('client closed', stats)),
  };
}

function cpuUs() {
  const u = process.cpuUsage();
  return u.user + u.system;
}


async function relayCost(name, mode, factories, sink) {
  const s = session(factories);
  for (const [req, res] of mode.setup) {
    s.send(req);
    s.answer(res);
  }
  const requests = Array.from({ length: 1024 }, (_, k) => mode.request(1 + ((k * 7919) % 100000)));
  const t0 = cpuUs();
  for (let n = 0; n < TXNS; n++) {
    s.send(requests[n & 1023]);
    s.answer(mode.response);
    if ((n & 4095) === 4095 && sink.yield) await sink.yield();
  }
  s.end();
  if (sink.settle) await sink.settle();
  return (cpuUs() - t0) / TXNS;
}

async function relayBench() {
  const sinks = {
    null: () => ({ recorder: { record: () => undefined } }),
    spool: () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'airlock-rec-bench-'));
      const prefix = benchName();
      const log = pino({ level: 'silent' });
      const recorder = createRecorder({ config: { id: 'bench', redisUrl: REDIS_URL, redisPrefix: prefix, stateDir: dir, recording: { spoolMaxBytes: 1 << 30, spoolFsync: false } }, log });
      return {
        recorder,
        yield: () => new Promise((r) => setImmediate(r)),
        settle: async () => {
          await recorder.close();
          const { Queue } = require('bullmq');
          const { Redis } = require('ioredis');
          const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
          const q = new Queue(JOB_TO_QUEUE[JobName.RecordEvents], { connection, prefix: keySpace(prefix).queuePrefix() });
          await dropQueue(q, connection, prefix);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
  const sinkName = args.sink ?? 'null';
  const results = {};
  for (let rep = 0; rep < REPS; rep++) {
    for (const [modeName, mode] of Object.entries({ simple, prepared })) {
      for (const target of TARGETS) {
        const sink = target === 'on' ? sinks[sinkName]() : {};
        let factories;
        if (target === 'off') factories = [guardStandIn()];
        else if (target === 'floor') factories = [guardStandIn(), emptyHooks(true)];
        else if (target === 'floor-no-rows') factories = [guardStandIn(), emptyHooks(false)];
        else {
          const rec = statementRecording(sink.recorder);
          factories = [guardStandIn(rec.onDecision), rec.hooks, sessionCounter(sink.recorder)];
        }
        ((results[modeName] ??= {})[target] ??= []).push(await relayCost(target, mode, factories, sink));
      }
    }
  }
  process.stdout.write(`relay + hooks in process, ${TXNS} pgbench -S transactions, ${REPS} reps, median µs CPU per transaction (events to the ${sinkName} sink)\n`);
  for (const [m, by] of Object.entries(results)) {
    const off = median(by.off);
    const on = median(by.on);
    const floors = TARGETS.filter((t) => t.startsWith('floor')).map((t) => `  ${t} +${(median(by[t]) - off).toFixed(2)}`).join('');
    process.stdout.write(`  ${m.padEnd(9)} off ${off.toFixed(2)}  on ${on.toFixed(2)}  recording +${(on - off).toFixed(2)} µs/txn${floors}\n`);
  }
  if (TARGETS.length > 2) process.stdout.write('  (floor: what the relay charges for the recorder\'s callbacks with empty bodies; floor-no-rows: the same without onRowDescription/onDataRow)\n');
}

/** Drops the queue and every other key of the prefix (the batches' blobs), then the connection. */
async function dropQueue(q, connection, prefix) {
  await q.obliterate({ force: true });
  await q.close();
  const left = await connection.keys(`${prefix}:*`);
  if (left.length > 0) await connection.del(...left);
  connection.disconnect();
}

async function pipelineBench() {
  const events = Math.min(TXNS, 100_000);
  const runs = [];
  const mainRuns = [];
  const redisRuns = [];
  for (let rep = 0; rep < REPS; rep++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-rec-bench-'));
    const prefix = benchName();
    const log = pino({ level: 'silent' });
    const recorder = createRecorder({ config: { id: 'bench', redisUrl: REDIS_URL, redisPrefix: prefix, stateDir: dir, recording: { spoolMaxBytes: 1 << 30, spoolFsync: false, ...recordingEnv } }, log });
    const sessionIds = Array.from({ length: 16 }, () => randomUUID());
    const at = new Date().toISOString();
    // The recorder's pipeline thread loads its modules once per worker process: let it boot
    // before the clock starts (a worker pays that once, not per event).
    await new Promise((r) => setTimeout(r, 1500));
    const { Redis } = require('ioredis');
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const redis0 = await redisCpuUs(redis);
    const t0 = cpuUs();
    const main0 = cpuSeconds(process.pid, process.pid) * 1e6;
    const paceStart = performance.now();
    for (let n = 0; n < events; n++) {
      // Built the way StatementTrail builds them (the recorder writes those by hand, not with JSON.stringify).
      const event = statementEvent({
        at, sql: `SELECT abalance FROM pgbench_accounts WHERE aid = ${n};`, params: undefined, fingerprint: 'a1b2c3d4', statementKind: 'SELECT',
        verdict: 'ALLOW', rule: 'STANDARD: reads', reviewId: null, approver: null, durationMs: 0.123, rows: 1, bytes: 16, errorCode: null, masked: {}, sample: { columns: ['abalance'], rows: [['-4711']] },
      });
      event.sessionId = sessionIds[n & 15];
      event.seq = n >> 4;
      // --events plain: the same event as a plain object, written by JSON.stringify (what the hand writer saves).
      recorder.record(PLAIN ? { ...event } : event);
      if (RATE > 0) {
        // Paced: the events of the next 10 ms slice, then wait for its time.
        const slice = Math.max(1, Math.round(RATE / 100));
        if (n % slice === slice - 1) {
          const due = paceStart + ((n + 1) / RATE) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        }
      } else if ((n & 1023) === 1023) await new Promise((r) => setImmediate(r));
    }
    await recorder.close();
    runs.push((cpuUs() - t0) / events);
    mainRuns.push((cpuSeconds(process.pid, process.pid) * 1e6 - main0) / events);
    // Redis's work for the events: the blobs and jobs (one INFO call on top).
    redisRuns.push(((await redisCpuUs(redis)) - redis0) / events);
    redis.disconnect();
    const { Queue } = require('bullmq');
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const q = new Queue(JOB_TO_QUEUE[JobName.RecordEvents], { connection, prefix: keySpace(prefix).queuePrefix() });
    const left = await q.getJobCounts('waiting');
    await dropQueue(q, connection, prefix);
    rmSync(dir, { recursive: true, force: true });
    if (left.waiting === 0) throw new Error('bench: no job reached the queue');
  }
  process.stdout.write(`recorder pipeline (spool + BullMQ), ${events} statement events${RATE > 0 ? ` at ${RATE}/s` : ' (burst)'}, ${REPS} reps: median ${median(runs).toFixed(2)} µs CPU per event in the worker process, ${median(mainRuns).toFixed(2)} on its main thread (the sessions' thread); Redis ${median(redisRuns).toFixed(2)} µs per event (its whole CPU: run with nothing else on it)${recordingEnv.flushIntervalMs || recordingEnv.maxBatchEvents ? `; batches: ${JSON.stringify(recordingEnv)}` : ''}\n`);
}

if (ONLY !== 'pipeline') await relayBench();
if (ONLY !== 'relay') await pipelineBench();
process.exit(0);
