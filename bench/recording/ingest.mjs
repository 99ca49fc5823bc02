// Recording ingestion in process: the control plane's RecordingService and repository alone (no
// BullMQ, no HTTP), fed record-events payloads the way the queue's concurrency hands them over.
// For iterating on the ingest path; bench/recording/run.mjs is the end-to-end figure.
//
//   npx tsc -b apps/control-plane/tsconfig.build.json
//   node bench/recording/ingest.mjs [--events 50000] [--sessions 50] [--batch 500] [--inflight 8] [--reps 3] [--form lines|events]
//
// Prints events/s and the control plane's CPU µs per event (this process: decode, validation,
// hash chain, SQL building); the rest of the wall time is Postgres.
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs, root } from '../lib/common.mjs';
import { admin, databaseUrl, loadBuilt } from '../lib/control-plane.mjs';
import { median } from '../lib/stats.mjs';

const args = parseArgs();
const EVENTS = Number(args.events ?? 50_000);
const SESSIONS = Number(args.sessions ?? 50);
const BATCH = Number(args.batch ?? 500);
const INFLIGHT = Number(args.inflight ?? 8);
const REPS = Number(args.reps ?? 3);
const FORM = args.form ?? 'lines';

loadBuilt('node_modules/@nestjs/common/index.js').Logger.overrideLogger(['warn', 'error']);
const { loadConfig } = loadBuilt('apps/control-plane/dist/config/config.js');
const { PrismaService } = loadBuilt('apps/control-plane/dist/prisma/prisma.service.js');
const { RecordingRepository } = loadBuilt('apps/control-plane/dist/recording/recording.repository.js');
const { RecordingService } = loadBuilt('apps/control-plane/dist/recording/recording.service.js');
const { migrate } = await import(pathToFileURL(path.join(root, 'scripts/migrate.mjs')).href);

function payloads() {
  const at = new Date().toISOString();
  const ids = Array.from({ length: SESSIONS }, () => randomUUID());
  const per = Math.max(3, Math.floor(EVENTS / SESSIONS));
  const all = [];
  for (let seq = 0; seq < per; seq++) {
    for (const sessionId of ids) {
      if (seq === 0) all.push({ kind: 'session.start', sessionId, seq, at, identity: { kind: 'SERVICE_ACCOUNT', name: 'bench-bot', groups: [] }, tokenKind: 'api_key', connection: { name: 'bench', kind: 'POSTGRES' }, profile: 'readonly', workerId: 'bench', clientAddress: '127.0.0.1' });
      else if (seq === per - 1) all.push({ kind: 'session.end', sessionId, seq, at, reason: 'client closed', statements: per - 2, bytesIn: 0, bytesOut: 0 });
      else all.push({ kind: 'statement', sessionId, seq, at, sql: `SELECT abalance FROM pgbench_accounts WHERE aid = ${seq}`, params: [String(seq)], fingerprint: 'a1b2c3', statementKind: 'SELECT', verdict: 'ALLOW', rule: null, durationMs: 0.2, rows: 1, bytes: 120, errorCode: null, masked: {}, sample: { columns: ['abalance'], rows: [['-4711']] } });
    }
  }
  const out = [];
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    out.push(FORM === 'events' ? { schemaVersion: 1, workerId: 'bench', events: batch } : { schemaVersion: 1, workerId: 'bench', lines: batch.map((e) => `${JSON.stringify(e)}\n`).join('') });
  }
  return { out, events: all.length };
}

async function once() {
  const db = `airlock_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${db}"`);
  const config = loadConfig({ DATABASE_URL: databaseUrl(db), AIRLOCK_DEV_MODE: '1' });
  const prisma = new PrismaService(config);
  const repo = new RecordingRepository(prisma, config);
  try {
    await migrate({ databaseUrl: databaseUrl(db), quiet: true });
    const service = new RecordingService(repo);
    const { out, events } = payloads();
    // The payload strings stand for what BullMQ hands over: parse them as it would.
    const wire = out.map((p) => JSON.stringify(p));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let next = 0;
    const lane = async () => {
      while (next < wire.length) await service.ingest(JSON.parse(wire[next++]));
    };
    await Promise.all(Array.from({ length: INFLIGHT }, lane));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return { perSecond: events / (ms / 1000), cpuUs: (cpu.user + cpu.system) / events };
  } finally {
    await repo.onModuleDestroy?.();
    await prisma.$disconnect();
    await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  }
}

const runs = [];
for (let rep = 0; rep < REPS; rep++) runs.push(await once());
process.stdout.write(
  `ingest in process (${FORM}, ${BATCH} events/job, ${INFLIGHT} in flight, ${SESSIONS} sessions): median ${Math.round(median(runs.map((r) => r.perSecond)))} events/s, ${median(runs.map((r) => r.cpuUs)).toFixed(1)} µs CPU/event in the control plane\n`,
);
process.exit(0);
