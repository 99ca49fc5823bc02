import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { JobName, JOB_TO_QUEUE, type KeySpace, keySpace, RECORDING_BLOB_TTL_SECONDS, type RecordEventBlobJob, type SessionEvent } from '@airlock/contracts';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config';
import { eventJson } from './event-json';
import { type Segment, Spool } from './spool';

/** What the protocol sessions see. */
export interface SessionRecorder {
  /** Hot path: buffers the event and returns; never throws, never waits. The session assigns seq. */
  record(event: SessionEvent): void;
  /** False while the spool is over AIRLOCK_SPOOL_MAX_BYTES: refuse new sessions (see SPOOL_FULL_MESSAGE). */
  canAcceptSessions(): boolean;
  /** Flushes and tries to drain for a while; whatever is left stays in the spool for the next start. */
  close(): Promise<void>;
}

export const SPOOL_FULL_MESSAGE = 'airlock: this worker cannot record new sessions: its recording spool is full while the control plane queue is unreachable; try another worker or later';

export interface RecorderOptions {
  flushIntervalMs: number;
  maxBatchEvents: number;
  /** Segments are merged into one job up to this many events when draining a backlog. */
  maxJobEvents: number;
  addTimeoutMs: number;
  retryMs: number;
  closeTimeoutMs: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = { flushIntervalMs: 50, maxBatchEvents: 500, maxJobEvents: 5000, addTimeoutMs: 3000, retryMs: 500, closeTimeoutMs: 5000 };

/**
 * The control plane stores each event idempotently, so a retried job costs
 * only work. Completed jobs are dropped (their events are in Postgres); failed
 * ones are kept a week for inspection.
 */
export const RECORD_JOB_OPTIONS: JobsOptions = { attempts: 20, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } };

interface Pending {
  seg: Segment;
  /** The segment's JSON Lines (UTF-8), kept in memory while Redis keeps up; dropped (re-read from disk) when a backlog builds. */
  bytes: Buffer | undefined;
}

export interface RecorderContext {
  config: Pick<WorkerConfig, 'id' | 'redisUrl' | 'redisPrefix' | 'stateDir' | 'recording'>;
  log: Logger;
}

/** Events kept in memory for pending segments; beyond it, they are read back from the spool. */
const MAX_EVENTS_IN_MEMORY = 50_000;

class SpoolingRecorder implements SessionRecorder {
  /**
   * Events since the last flush, already serialised: each event is written to JSON once, on
   * record(), and these lines become the bytes of both the spool segment and the job's blob. The
   * event object dies young, instead of waiting a flush interval in memory.
   */
  private buffer = '';
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending: Pending[] = [];
  private inMemory = 0;
  private draining: Promise<void> | undefined;
  private redisDown = false;
  /** Blob names: one per attempt to hand a batch to Redis. */
  private attempts = 0;
  private closed = false;
  private readonly spool: Spool;
  private readonly connection: Redis;
  private readonly queue: Queue;
  private readonly keys: KeySpace;
  /** Names this process's blobs apart from an earlier run's (segment ids restart with the spool). */
  private readonly run = randomBytes(6).toString('hex');
  private readonly log: Logger;

  constructor(
    private readonly ctx: RecorderContext,
    private readonly opts: RecorderOptions,
  ) {
    this.log = ctx.log.child({ component: 'recording' });
    this.spool = new Spool(path.join(ctx.config.stateDir, 'spool'), ctx.config.recording.spoolFsync);
    const recovered = this.spool.recover();
    const events = recovered.reduce((n, s) => n + s.events, 0);
    for (const seg of recovered) this.pending.push({ seg, bytes: undefined });
    this.log.info({ recoveredEvents: events, segments: recovered.length, spoolBytes: this.spool.bytes, dir: this.spool.dir }, `recording: recovered ${events} events from the spool`);

    this.connection = new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n: number) => Math.min(n * 200, 2000) });
    this.connection.on('error', (err: Error) => this.markDown(err));
    this.connection.on('ready', () => {
      if (this.redisDown) this.log.info({ pendingSegments: this.pending.length }, 'recording: redis is back, draining the spool');
      this.redisDown = false;
      this.kick();
    });
    this.keys = keySpace(ctx.config.redisPrefix);
    this.queue = new Queue(JOB_TO_QUEUE[JobName.RecordEvents], { connection: this.connection, prefix: this.keys.queuePrefix() });
    this.queue.on('error', (err: Error) => this.markDown(err));
    // The spool write is synchronous, so even a process.exit() without close() keeps the buffer.
    process.on('exit', this.onExit);
    this.kick();
  }

  private readonly onExit = (): void => this.flush();

  record(event: SessionEvent): void {
    this.buffer += eventJson(event) + '\n';
    if (++this.buffered >= this.opts.maxBatchEvents) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.flushIntervalMs);
  }

  canAcceptSessions(): boolean {
    return this.spool.bytes < this.ctx.config.recording.spoolMaxBytes;
  }

  /** Moves the buffer to the spool and hands it to the drain loop. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffered === 0) return;
    // One encoding to UTF-8 per batch; the bytes go to the spool and to Redis as they are.
    const bytes = Buffer.from(this.buffer);
    const events = this.buffered;
    this.buffer = '';
    this.buffered = 0;
    let seg: Segment;
    try {
      seg = this.spool.append(bytes, events);
    } catch (err) {
      // Disk trouble: keep the batch in memory only; it still goes to Redis.
      this.log.error({ err: (err as Error).message, events }, 'recording: spool write failed; batch kept in memory only');
      seg = { id: -1, file: '', bytes: 0, events };
    }
    this.pending.push({ seg, bytes });
    this.inMemory += events;
    this.kick();
  }

  async close(): Promise<void> {
    process.off('exit', this.onExit);
    this.flush();
    const deadline = Date.now() + this.opts.closeTimeoutMs;
    while (this.pending.length > 0 && !this.redisDown && Date.now() < deadline) await sleep(20, true);
    this.closed = true;
    await this.draining;
    if (this.pending.length > 0) this.log.warn({ events: this.pending.reduce((n, p) => n + p.seg.events, 0) }, 'recording: closing with events left in the spool; the next start drains them');
    // Queue.close waits for a connection that may never come back.
    this.connection.disconnect();
    await withTimeout(this.queue.close(), 1000).catch(() => undefined);
  }

  private kick(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      if (this.redisDown && this.connection.status !== 'ready') {
        await sleep(this.opts.retryMs);
        continue;
      }
      const take: Pending[] = [];
      let count = 0;
      for (const p of this.pending) {
        if (take.length > 0 && count + p.seg.events > this.opts.maxJobEvents) break;
        take.push(p);
        count += p.seg.events;
      }
      const parts = take.map((p) => p.bytes ?? this.spool.read(p.seg));
      const blob = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      // The blob first, then the job that points to it: a job never exists without its blob. Each
      // attempt has a blob of its own, so an add that timed out yet reached Redis leaves a job whose
      // blob no retry overwrites (the retry may carry more segments); the duplicate events it holds
      // are stored once.
      const workerId = this.ctx.config.id;
      const key = this.keys.recordingBlob(workerId, `${this.run}-${this.attempts++}`);
      const job: RecordEventBlobJob = { schemaVersion: 1, workerId, blob: key, events: count, bytes: blob.length };
      // A blob whose add failed is not deleted: the add may have reached Redis after the timeout,
      // and its job would then fail for a missing blob; an orphan expires with its TTL.
      try {
        await withTimeout(this.connection.set(key, blob, 'EX', RECORDING_BLOB_TTL_SECONDS), this.opts.addTimeoutMs);
        await withTimeout(this.queue.add(JobName.RecordEvents, job, RECORD_JOB_OPTIONS), this.opts.addTimeoutMs);
      } catch (err) {
        this.markDown(err as Error);
        this.releaseMemory();
        await sleep(this.opts.retryMs);
        continue;
      }
      for (const p of take) {
        if (p.seg.id >= 0) this.spool.remove(p.seg);
        if (p.bytes !== undefined) this.inMemory -= p.seg.events;
      }
      this.pending.splice(0, take.length);
    }
  }

  private markDown(err: Error): void {
    if (!this.redisDown) this.log.warn({ err: err.message, pendingSegments: this.pending.length }, 'recording: redis unreachable, spooling events to disk');
    this.redisDown = true;
  }

  /** While Redis is away the backlog lives on disk, not in memory. */
  private releaseMemory(): void {
    if (this.inMemory <= MAX_EVENTS_IN_MEMORY) return;
    for (const p of this.pending) {
      if (p.bytes !== undefined && p.seg.id >= 0) {
        this.inMemory -= p.seg.events;
        p.bytes = undefined;
      }
    }
  }
}

/**
 * The worker's recorder: batches events (every flushIntervalMs or
 * maxBatchEvents), writes each batch to the spool, sends it to the Recording
 * queue (the segment's bytes as a blob in Redis, and a job pointing to it) and deletes it from
 * the spool once Redis acknowledged the job. Pass it
 * to the Postgres listener: `postgresListener({ recorder: createRecorder })`.
 */
export function createRecorder(ctx: RecorderContext, options: Partial<RecorderOptions> = {}): SessionRecorder {
  return new SpoolingRecorder(ctx, { ...DEFAULT_RECORDER_OPTIONS, ...options });
}

/** Unref'd by default: a drain loop waiting on Redis must not keep a finished process alive. */
function sleep(ms: number, keepAlive = false): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    if (!keepAlive) t.unref();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`airlock: queue add timed out after ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
