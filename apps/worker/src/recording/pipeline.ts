import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { JobName, JOB_TO_QUEUE, type KeySpace, keySpace, RECORDING_BLOB_TTL_SECONDS, type RecordEventBlobJob } from '@airlock/contracts';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Segment, Spool } from './spool';

// The recorder's I/O: every batch of JSON lines is written to the spool, then handed to Redis (a
// blob of the lines, compressed, and a record-events job pointing to it), then deleted from the
// spool. It runs on a thread of its own (pipeline-thread.ts), so neither a slow disk nor a slow
// Redis holds up the sessions' thread, and the sessions' thread spends no time on either.

export interface PipelineOptions {
  /** Segments are merged into one job up to this many events when draining a backlog. */
  maxJobEvents: number;
  addTimeoutMs: number;
  retryMs: number;
  closeTimeoutMs: number;
}

/**
 * The control plane stores each event idempotently, so a retried job costs
 * only work. Completed jobs are dropped (their events are in Postgres); failed
 * ones are kept a week for inspection.
 */
export const RECORD_JOB_OPTIONS: JobsOptions = { attempts: 20, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } };

export interface PipelineConfig {
  workerId: string;
  redisUrl: string;
  redisPrefix: string;
  spoolDir: string;
  spoolFsync: boolean;
}

/** Where the pipeline reports; on the thread, these are messages to the recorder. */
export interface PipelineEvents {
  log(level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string): void;
  /** The batch is in the spool (or, when the disk failed, only in this pipeline's memory). */
  spooled(batch: number): void;
  /** The spool's size changed. */
  spoolBytes(bytes: number): void;
  /** The pipeline no longer reads the shared slab a batch came in (shared-slabs.ts). */
  released(slab: number): void;
}

interface Pending {
  seg: Segment;
  /** The segment's JSON Lines (UTF-8), kept in memory while Redis keeps up; dropped (re-read from disk) when a backlog builds. */
  bytes: Buffer | undefined;
  /** The shared slab `bytes` views, or -1 (bytes of its own, or none). */
  slab: number;
}

/** Fastest level; memLevel 9 (the most memory, 256 KiB) is faster than the default 8 for the same output. */
const BLOB_DEFLATE = { level: 1, memLevel: 9 };

/** Events kept in memory for pending segments; beyond it, they are read back from the spool. */
const MAX_EVENTS_IN_MEMORY = 50_000;

export class Pipeline {
  private readonly pending: Pending[] = [];
  private inMemory = 0;
  private draining: Promise<void> | undefined;
  /**
   * True while drain() loops. Cleared by the loop itself as it exits, not by a callback on its
   * promise: a batch accepted in between (the same tick) would otherwise find a drain that has
   * already looked and wait for the next batch, or for Redis to reconnect.
   */
  private running = false;
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

  /** `segments`: what the spool held at start (recovered by the recorder), drained first, oldest first. */
  constructor(
    private readonly config: PipelineConfig,
    private readonly opts: PipelineOptions,
    private readonly events: PipelineEvents,
    ids: Int32Array,
    segments: readonly Segment[],
  ) {
    this.spool = new Spool(config.spoolDir, config.spoolFsync, ids);
    this.spool.adopt(segments);
    for (const seg of segments) this.pending.push({ seg, bytes: undefined, slab: -1 });
    this.events.spoolBytes(this.spool.bytes);

    this.connection = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n: number) => Math.min(n * 200, 2000) });
    this.connection.on('error', (err: Error) => this.markDown(err));
    this.connection.on('ready', () => {
      if (this.redisDown) this.events.log('info', { pendingSegments: this.pending.length }, 'recording: redis is back, draining the spool');
      this.redisDown = false;
      this.kick();
    });
    this.keys = keySpace(config.redisPrefix);
    this.queue = new Queue(JOB_TO_QUEUE[JobName.RecordEvents], { connection: this.connection, prefix: this.keys.queuePrefix() });
    this.queue.on('error', (err: Error) => this.markDown(err));
    this.kick();
  }

  /** Spools a batch of `events` JSON lines and queues it for Redis. `slab`: the shared slab `bytes` views, if any. */
  accept(batch: number, bytes: Buffer, events: number, slab = -1): void {
    let seg: Segment;
    try {
      seg = this.spool.append(bytes, events);
    } catch (err) {
      // Disk trouble: keep the batch in memory only; it still goes to Redis.
      this.events.log('error', { err: (err as Error).message, events }, 'recording: spool write failed; batch kept in memory only');
      seg = { id: -1, file: '', bytes: 0, events };
    }
    this.events.spooled(batch);
    this.events.spoolBytes(this.spool.bytes);
    this.pending.push({ seg, bytes, slab });
    this.inMemory += events;
    this.kick();
  }

  /** Tries to drain for a while; whatever is left stays in the spool for the next start. */
  async close(): Promise<void> {
    const deadline = Date.now() + this.opts.closeTimeoutMs;
    while (this.pending.length > 0 && !this.redisDown && Date.now() < deadline) await sleep(20, true);
    this.closed = true;
    await this.draining;
    if (this.pending.length > 0) this.events.log('warn', { events: this.pending.reduce((n, p) => n + p.seg.events, 0) }, 'recording: closing with events left in the spool; the next start drains them');
    // Queue.close waits for a connection that may never come back.
    this.connection.disconnect();
    await withTimeout(this.queue.close(), 1000).catch(() => undefined);
  }

  private kick(): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.closed) {
        if (this.connection.status !== 'ready') {
          // Still connecting (the thread has just started), or Redis is away: wait for it, a while at
          // a time, with the shared slabs back in the recorder's hands meanwhile.
          this.releaseSlabs();
          await this.readyOrAfter(this.opts.retryMs);
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
        const lines = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        // Compressed once per job, on this thread (RecordEventBlobJob, schemaVersion 2). Level 1:
        // about 18 times smaller for pgbench's statements, for 0.4–0.8 ms per 500 events, less
        // than the copies and socket writes of the bytes it saves here and in Redis.
        const blob = deflateRawSync(lines, BLOB_DEFLATE);
        // The blob first, then the job that points to it: a job never exists without its blob. Each
        // attempt has a blob of its own, so an add that timed out yet reached Redis leaves a job whose
        // blob no retry overwrites (the retry may carry more segments); the duplicate events it holds
        // are stored once.
        const workerId = this.config.workerId;
        const key = this.keys.recordingBlob(workerId, `${this.run}-${this.attempts++}`);
        const job: RecordEventBlobJob = { schemaVersion: 2, workerId, blob: key, events: count, bytes: blob.length, encoding: 'deflate-raw', plainBytes: lines.length };
        // A blob whose add failed is not deleted: the add may have reached Redis after the timeout,
        // and its job would then fail for a missing blob; an orphan expires with its TTL.
        try {
          await withTimeout(this.connection.set(key, blob, 'EX', RECORDING_BLOB_TTL_SECONDS), this.opts.addTimeoutMs);
          await withTimeout(this.queue.add(JobName.RecordEvents, job, RECORD_JOB_OPTIONS), this.opts.addTimeoutMs);
        } catch (err) {
          this.markDown(err as Error);
          this.releaseSlabs();
          this.releaseMemory();
          await sleep(this.opts.retryMs);
          continue;
        }
        for (const p of take) {
          if (p.seg.id >= 0) this.spool.remove(p.seg);
          if (p.bytes !== undefined) this.inMemory -= p.seg.events;
          if (p.slab >= 0) this.events.released(p.slab);
        }
        this.pending.splice(0, take.length);
        this.events.spoolBytes(this.spool.bytes);
      }
    } finally {
      this.running = false;
    }
  }

  private readyOrAfter(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.connection.off('ready', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      this.connection.once('ready', done);
    });
  }

  private markDown(err: Error): void {
    if (!this.redisDown) this.events.log('warn', { err: err.message, pendingSegments: this.pending.length }, 'recording: redis unreachable, spooling events to disk');
    this.redisDown = true;
  }

  /**
   * While Redis is away, the shared slabs go back to the recorder for new batches: a spooled
   * batch is read back from disk when Redis returns, one the disk refused is copied out.
   */
  private releaseSlabs(): void {
    for (const p of this.pending) {
      if (p.slab < 0) continue;
      if (p.seg.id >= 0) {
        this.inMemory -= p.seg.events;
        p.bytes = undefined;
      } else {
        p.bytes = Buffer.from(p.bytes!);
      }
      this.events.released(p.slab);
      p.slab = -1;
    }
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

/** Unref'd by default: a drain loop waiting on Redis must not keep a finished thread alive. */
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
