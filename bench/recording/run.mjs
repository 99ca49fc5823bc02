// Recording ingestion benchmark: events per second stored by ONE control plane.
//
//   npx tsc -b apps/control-plane/tsconfig.build.json   (the bench runs the built control plane)
//   node bench/recording/run.mjs [--events 50000] [--sessions 50] [--batch 2000] [--concurrency 8] [--reps 1] [--form blob|plain-blob|lines|events]
//
// --form: the job payload: a blob of JSON Lines in Redis, compressed, that the job points to, as
// the worker sends it (default; RecordEventBlobJob schemaVersion 2), the same blob uncompressed
// (plain-blob, version 1), the JSON Lines inside the job, or the `events` array.
// Starts the built control plane on a fresh migrated database and a unique Redis prefix, enqueues
// N session events as record-events jobs (by default of the worker's batch size, 2000; sessions
// interleaved the way concurrent sessions reach a worker), and times from the first enqueue until
// every event is stored, hash-chained and every session anchored. Needs the local Postgres and Redis.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { admin, databaseUrl, redisPrefixCleanup } from '../lib/control-plane.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const EVENTS = Number(args.events ?? 50_000);
const SESSIONS = Number(args.sessions ?? 50);
const BATCH = Number(args.batch ?? 2000);
const CONCURRENCY = Number(args.concurrency ?? 8);
const REPS = Number(args.reps ?? 1);
const FORM = args.form ?? 'blob';
const REDIS_URL = process.env.AIRLOCK_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const cpMain = path.join(root, 'apps/control-plane/dist/main.js');
if (!existsSync(cpMain)) {
  process.stderr.write('bench: build the control plane first: npx tsc -b apps/control-plane/tsconfig.build.json\n');
  process.exit(2);
}
const { JobName, QueueName, keySpace, RECORDING_BLOB_TTL_SECONDS } = require(path.join(root, 'libs/contracts/dist/index.js'));
const { Queue } = require('bullmq');
const { Redis } = require('ioredis');
const { Client } = require('pg');

const dbUrl = databaseUrl;

function events(sessionIds, perSession) {
  const at = new Date().toISOString();
  const out = [];
  // Round-robin across sessions, seq ascending within each: what a worker with concurrent sessions emits.
  for (let seq = 0; seq < perSession; seq++) {
    for (const sessionId of sessionIds) {
      if (seq === 0) {
        out.push({ kind: 'session.start', sessionId, seq, at, identity: { kind: 'SERVICE_ACCOUNT', name: 'bench-bot', groups: [] }, tokenKind: 'api_key', connection: { name: 'bench', kind: 'POSTGRES' }, profile: 'readonly', workerId: 'bench', clientAddress: '127.0.0.1' });
      } else if (seq === perSession - 1) {
        out.push({ kind: 'session.end', sessionId, seq, at, reason: 'client closed', statements: perSession - 2, bytesIn: 0, bytesOut: 0 });
      } else {
        out.push({ kind: 'statement', sessionId, seq, at, sql: `SELECT * FROM pgbench_accounts WHERE aid = ${seq}`, params: [], fingerprint: 'a1b2c3', statementKind: 'SELECT', verdict: 'ALLOW', rule: null, durationMs: 0.2, rows: 1, bytes: 120, errorCode: null, masked: { email: 1 } });
      }
    }
  }
  return out;
}

async function once(rep) {
  const db = `airlock_bench_${randomBytes(4).toString('hex')}`;
  const prefix = `airlock_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${db}"`);
  const { migrate } = await import(pathToFileURL(path.join(root, 'scripts/migrate.mjs')).href);
  await migrate({ databaseUrl: dbUrl(db), quiet: true });
  // AIRLOCK_BENCH_PROFILE=<dir>: a CPU profile of the control plane, written when it exits.
  const nodeArgs = process.env.AIRLOCK_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.AIRLOCK_BENCH_PROFILE)] : [];
  const cp = spawn(process.execPath, [...nodeArgs, cpMain], {
    env: { ...process.env, DATABASE_URL: dbUrl(db), REDIS_URL, AIRLOCK_REDIS_PREFIX: prefix, AIRLOCK_DEV_MODE: '1', AIRLOCK_HTTP_PORT: '0', AIRLOCK_RECORDING_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QueueName.Recording, { connection, prefix: keySpace(prefix).queuePrefix() });
  const pg = new Client({ connectionString: dbUrl(db) });
  try {
    await pg.connect();
    // The control plane is up once its consumer has registered with the queue.
    for (let i = 0; (await queue.getWorkersCount()) === 0; i++) {
      if (i > 300 || cp.exitCode !== null) throw new Error('control plane did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const perSession = Math.max(3, Math.floor(EVENTS / SESSIONS));
    const sessionIds = Array.from({ length: SESSIONS }, () => randomUUID());
    const all = events(sessionIds, perSession);
    const jobs = [];
    const blobs = [];
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const lines = batch.map((e) => `${JSON.stringify(e)}\n`).join('');
      let data;
      if (FORM === 'events') data = { schemaVersion: 1, workerId: 'bench', events: batch };
      else if (FORM === 'lines') data = { schemaVersion: 1, workerId: 'bench', lines };
      else {
        const plain = Buffer.from(lines);
        // As the worker's pipeline compresses them (apps/worker/src/recording/pipeline.ts).
        const bytes = FORM === 'plain-blob' ? plain : deflateRawSync(plain, { level: 1, memLevel: 9 });
        const blob = keySpace(prefix).recordingBlob('bench', String(i));
        blobs.push([blob, bytes]);
        data = FORM === 'plain-blob'
          ? { schemaVersion: 1, workerId: 'bench', blob, events: batch.length, bytes: bytes.length }
          : { schemaVersion: 2, workerId: 'bench', blob, events: batch.length, bytes: bytes.length, encoding: 'deflate-raw', plainBytes: plain.length };
      }
      jobs.push({ name: JobName.RecordEvents, data, opts: { attempts: 20, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 86400 } } });
    }
    const t0 = performance.now();
    // As the worker does: the blob, then the job.
    for (let i = 0; i < jobs.length; i += 100) {
      const chunk = blobs.slice(i, i + 100);
      if (chunk.length > 0) await Promise.all(chunk.map(([k, b]) => connection.set(k, b, 'EX', RECORDING_BLOB_TTL_SECONDS)));
      await queue.addBulk(jobs.slice(i, i + 100));
    }
    const enqueued = performance.now() - t0;
    for (;;) {
      const r = await pg.query('SELECT coalesce(sum("lastSeq" + 1), 0)::int AS stored, count(*) FILTER (WHERE "endedAt" IS NOT NULL)::int AS ended FROM "Session"');
      if (r.rows[0].stored === all.length && r.rows[0].ended === SESSIONS) break;
      if (performance.now() - t0 > 600_000) throw new Error(`timed out: ${r.rows[0].stored}/${all.length} stored`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - t0;
    const anchors = (await pg.query(`SELECT count(*)::int AS n FROM "AuditLogEntry" WHERE action = 'session.anchored'`)).rows[0].n;
    if (anchors !== SESSIONS) throw new Error(`expected ${SESSIONS} anchors, found ${anchors}`);
    return { rep, events: all.length, jobs: jobs.length, enqueueMs: enqueued, totalMs: ms, perSecond: all.length / (ms / 1000) };
  } finally {
    await pg.end().catch(() => undefined);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
    cp.kill('SIGTERM');
    await new Promise((r) => (cp.exitCode !== null ? r() : cp.once('exit', r)));
    // After the control plane is gone: its queues write their meta keys up to the end.
    await redisPrefixCleanup(prefix)();
    await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  }
}

const results = [];
for (let rep = 1; rep <= REPS; rep++) {
  const r = await once(rep);
  results.push(r);
  process.stdout.write(`rep ${rep}: ${r.events} events in ${r.jobs} jobs, enqueued in ${r.enqueueMs.toFixed(0)} ms, all stored+chained+anchored in ${r.totalMs.toFixed(0)} ms: ${Math.round(r.perSecond)} events/s\n`);
}
const median = results.map((r) => r.perSecond).sort((a, b) => a - b)[Math.floor(results.length / 2)];
process.stdout.write(`recording ingestion, one control plane (concurrency ${CONCURRENCY}, ${SESSIONS} sessions, ${BATCH} events/job as ${FORM}): median ${Math.round(median)} events/s\n`);
