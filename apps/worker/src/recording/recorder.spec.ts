import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { JobName, keySpace, QueueName, RECORDING_BLOB_TTL_SECONDS, RecordEventBlobJob, SessionEvent } from '@airlock/contracts';
import { testRedisPrefix, waitFor } from '@airlock/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Pipeline } from './pipeline';
import { createRecorder, RECORD_JOB_OPTIONS, type RecorderContext } from './recorder';
import { createSlabMemory, releaseSlab, SLAB_COUNT, slabView } from './shared-slabs';

const REDIS_URL = 'redis://127.0.0.1:6379';

function statement(sessionId: string, seq: number): SessionEvent {
  return { kind: 'statement', sessionId, seq, at: new Date().toISOString(), sql: `SELECT ${seq}`, fingerprint: null, statementKind: 'SELECT', verdict: 'ALLOW', rule: null, durationMs: 1, rows: 1, bytes: 8, errorCode: null, masked: {} };
}

function context(stateDir: string, redisUrl: string, prefix: string, lines: string[] = [], spoolMaxBytes = 1 << 30, batching: { flushIntervalMs?: number; maxBatchEvents?: number } = {}): RecorderContext {
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  return { config: { id: 'w-test', redisUrl, redisPrefix: prefix, stateDir, recording: { spoolMaxBytes, spoolFsync: false, ...batching } }, log };
}

/** A proxy to the local Redis that hangs up on every connection until `up` is set. */
async function switchableRedis(): Promise<{ url: string; up: boolean; close(): void }> {
  const link = { url: '', up: false, close: () => proxy.close() };
  const proxy = net.createServer((c) => {
    if (!link.up) return c.destroy();
    const r = net.connect(6379, '127.0.0.1');
    c.pipe(r).pipe(c);
    c.on('error', () => r.destroy());
    r.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  link.url = `redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  return link;
}

describe('worker recorder (real Redis)', () => {
  const dirs: string[] = [];
  const prefix = testRedisPrefix();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QueueName.Recording, { connection: redis, prefix: keySpace(prefix).queuePrefix() });
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'airlock-rec-'));
    dirs.push(d);
    return d;
  };
  const queued = async () => {
    const jobs = (await queue.getJobs(['waiting', 'prioritized', 'delayed'])).sort((a, b) => Number(a.id) - Number(b.id));
    // Each job points to a blob of JSON Lines whose every line is a valid event, as many as the job says.
    const batches = await Promise.all(
      jobs.map(async (j) => {
        const job = RecordEventBlobJob.parse(j.data);
        const blob = await redis.getBuffer(job.blob);
        if (!blob) throw new Error(`job ${j.id}: blob ${job.blob} is missing`);
        expect(blob.length).toBe(job.bytes);
        // Workers send the lines compressed (schemaVersion 2).
        expect(job.schemaVersion).toBe(2);
        const lines = job.schemaVersion === 2 ? inflateRawSync(blob) : blob;
        if (job.schemaVersion === 2) expect(lines.length).toBe(job.plainBytes);
        const events = lines.toString('utf8').split('\n').filter(Boolean).map((l) => SessionEvent.parse(JSON.parse(l)));
        expect(events.length).toBe(job.events);
        return events;
      }),
    );
    return batches.flat();
  };

  afterEach(async () => {
    await queue.obliterate({ force: true });
    const blobs = await redis.keys(`${prefix}:recording:blob:*`);
    if (blobs.length > 0) await redis.del(...blobs);
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('batches events into record-events jobs with explicit options and empties the spool once acknowledged', async () => {
    const dir = tmp();
    const rec = createRecorder(context(dir, REDIS_URL, prefix), { flushIntervalMs: 10, maxBatchEvents: 100 });
    const id = randomUUID();
    for (let i = 0; i < 250; i++) rec.record(statement(id, i));
    await waitFor(async () => (await queued()).length === 250, 'all events queued');
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.every((j) => j.name === JobName.RecordEvents)).toBe(true);
    expect(jobs[0]!.opts).toMatchObject({ attempts: RECORD_JOB_OPTIONS.attempts, removeOnComplete: true });
    // Blobs expire on their own, after a job's retries could have run out.
    const ttl = await redis.ttl(RecordEventBlobJob.parse(jobs[0]!.data).blob);
    expect(ttl).toBeGreaterThan(RECORDING_BLOB_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(RECORDING_BLOB_TTL_SECONDS);
    expect((await queued()).map((e) => e.seq)).toEqual([...Array(250).keys()]);
    await waitFor(() => readdirSync(path.join(dir, 'spool')).length === 0, 'spool emptied');
    await rec.close();
  });

  it('spools while Redis is unreachable, refuses new sessions when full, and drains in order after a restart', async () => {
    const dir = tmp();
    // A port we hold, hanging up on every connection: nobody else's Redis can appear there mid-test.
    const sink = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const deadUrl = `redis://127.0.0.1:${(sink.address() as net.AddressInfo).port}`;
    const lines: string[] = [];
    const rec = createRecorder(context(dir, deadUrl, prefix, lines, 20_000), { flushIntervalMs: 5, maxBatchEvents: 50, addTimeoutMs: 200, retryMs: 50, closeTimeoutMs: 200 });
    const id = randomUUID();
    expect(rec.canAcceptSessions()).toBe(true);
    for (let i = 0; i < 300; i++) rec.record(statement(id, i));
    await waitFor(() => readdirSync(path.join(dir, 'spool')).length >= 6, 'batches spooled');
    expect(rec.canAcceptSessions()).toBe(false);
    await rec.close();
    sink.close();
    expect(lines.join('')).toMatch(/redis unreachable, spooling events to disk/);

    // Same spool, Redis reachable: recovered, counted in the log, drained in order.
    const restartLines: string[] = [];
    const again = createRecorder(context(dir, REDIS_URL, prefix, restartLines), { flushIntervalMs: 5 });
    expect(restartLines.join('')).toMatch(/recording: recovered 300 events from the spool/);
    await waitFor(async () => (await queued()).length === 300, 'spool drained');
    expect((await queued()).map((e) => e.seq)).toEqual([...Array(300).keys()]);
    expect(readdirSync(path.join(dir, 'spool'))).toEqual([]);
    expect(again.canAcceptSessions()).toBe(true);
    await again.close();
  });

  it('replaces a pipeline thread that dies: the batches it had not spooled, and those recorded meanwhile, still reach the queue', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const rec = createRecorder(context(dir, REDIS_URL, prefix, lines), { flushIntervalMs: 5, maxBatchEvents: 20 });
    const id = randomUUID();
    for (let i = 0; i < 100; i++) rec.record(statement(id, i));
    // A message the thread cannot read makes it throw and exit (test-only: the thread is private).
    (rec as unknown as { thread: { postMessage(m: unknown): void } }).thread.postMessage({ t: 'batch', id: 0 });
    for (let i = 100; i < 200; i++) rec.record(statement(id, i));
    await waitFor(() => lines.join('').includes('the pipeline thread stopped; its batches are in the spool; starting another in 1000 ms'), 'the thread stopped');
    // The batches the dead thread never read are in the spool already, written by the recorder itself.
    const spooled = new Set<number>();
    for (const f of readdirSync(path.join(dir, 'spool'))) {
      for (const l of readFileSync(path.join(dir, 'spool', f), 'utf8').split('\n').filter(Boolean)) spooled.add((JSON.parse(l) as { seq: number }).seq);
    }
    for (let i = 100; i < 200; i++) expect(spooled.has(i), `seq ${i} spooled`).toBe(true);
    for (let i = 200; i < 300; i++) rec.record(statement(id, i));
    // Every event once at least (a batch the dead thread spooled and the new one spooled again is stored once by the control plane).
    await waitFor(async () => new Set((await queued()).map((e) => e.seq)).size === 300, 'all events queued');
    await waitFor(() => readdirSync(path.join(dir, 'spool')).length === 0, 'spool emptied');
    await rec.close();
  });

  it("batches as the worker's configuration says (AIRLOCK_RECORDING_BATCH_EVENTS, AIRLOCK_RECORDING_FLUSH_MS)", async () => {
    const dir = tmp();
    const rec = createRecorder(context(dir, REDIS_URL, prefix, [], 1 << 30, { maxBatchEvents: 3, flushIntervalMs: 60_000 }));
    const id = randomUUID();
    for (let i = 0; i < 7; i++) rec.record(statement(id, i));
    // Two full batches of 3 go at once; the seventh event waits for the (one-minute) interval.
    await waitFor(async () => (await queued()).length === 6, 'two batches of three queued');
    await new Promise((r) => setTimeout(r, 300));
    expect((await queued()).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    await rec.close();
    expect((await queued()).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('drops an event it cannot serialise, logs it, and keeps the rest of its batch', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const rec = createRecorder(context(dir, REDIS_URL, prefix, lines), { flushIntervalMs: 5 });
    const id = randomUUID();
    for (let i = 0; i < 10; i++) rec.record(i === 4 ? ({ ...statement(id, i), rows: BigInt(1) } as unknown as SessionEvent) : statement(id, i));
    await waitFor(async () => (await queued()).length === 9, 'the other events queued');
    expect((await queued()).map((e) => e.seq)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(lines.join('')).toMatch(/an event could not be serialised; dropped/);
    await rec.close();
  });

  it('drops a line torn by a crash mid-write on recovery, and drains the rest of that segment', async () => {
    const dir = tmp();
    const id = randomUUID();
    const whole = [0, 1, 2].map((i) => `${JSON.stringify(statement(id, i))}\n`).join('');
    mkdirSync(path.join(dir, 'spool'), { recursive: true });
    writeFileSync(path.join(dir, 'spool', '0000000000000001.jsonl'), whole + JSON.stringify(statement(id, 3)).slice(0, 40));
    const lines: string[] = [];
    const rec = createRecorder(context(dir, REDIS_URL, prefix, lines), { flushIntervalMs: 5 });
    expect(lines.join('')).toMatch(/recording: recovered 3 events from the spool/);
    await waitFor(async () => (await queued()).length === 3, 'recovered events queued');
    expect((await queued()).map((e) => e.seq)).toEqual([0, 1, 2]);
    await rec.close();
  });

  it('records more batches than it has shared slabs while Redis is away, and drains every one in order when it returns', async () => {
    const dir = tmp();
    const redisLink = await switchableRedis();
    const url = redisLink.url;
    const rec = createRecorder(context(dir, url, prefix), { flushIntervalMs: 5, maxBatchEvents: 10, addTimeoutMs: 200, retryMs: 50 });
    const id = randomUUID();
    const batches = SLAB_COUNT * 3;
    for (let i = 0; i < batches * 10; i++) rec.record(statement(id, i));
    await waitFor(() => readdirSync(path.join(dir, 'spool')).length >= batches, 'every batch spooled');
    redisLink.up = true;
    await waitFor(async () => (await queued()).length === batches * 10, 'every event queued', 20_000);
    expect((await queued()).map((e) => e.seq)).toEqual([...Array(batches * 10).keys()]);
    await rec.close();
    redisLink.close();
  });

  it('gives a shared slab back while Redis is away and sends its batch from the spool, not from the slab, when Redis returns', async () => {
    const dir = tmp();
    const redisLink = await switchableRedis();
    const url = redisLink.url;
    const mem = createSlabMemory(2, 4096);
    const released: number[] = [];
    const ids = new Int32Array(new SharedArrayBuffer(4));
    ids[0] = 1;
    const pipeline = new Pipeline(
      { workerId: 'w-test', redisUrl: url, redisPrefix: prefix, spoolDir: path.join(dir, 'spool'), spoolFsync: false },
      { maxJobEvents: 5000, addTimeoutMs: 200, retryMs: 50, closeTimeoutMs: 5000 },
      { log: () => undefined, spooled: () => undefined, spoolBytes: () => undefined, released: (slab) => (released.push(slab), releaseSlab(mem, slab)) },
      ids,
      [],
    );
    const id = randomUUID();
    const text = [0, 1, 2].map((i) => `${JSON.stringify(statement(id, i))}\n`).join('');
    const view = slabView(mem, 1, Buffer.byteLength(text));
    view.write(text);
    Atomics.store(mem.state, 1, 1);
    pipeline.accept(1, view, 3, 1);
    await waitFor(() => released.includes(1), 'the slab given back while Redis is away');
    expect(Atomics.load(mem.state, 1)).toBe(0);
    // The recorder may now write another batch there: what reaches Redis must not change.
    view.fill(0x78);
    redisLink.up = true;
    await waitFor(async () => (await queued()).length === 3, 'the batch queued', 20_000);
    expect((await queued()).map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(released).toEqual([1]);
    await pipeline.close();
    redisLink.close();
  });
});
