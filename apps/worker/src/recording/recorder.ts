import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SessionEvent } from '@airlock/contracts';
import type { Logger } from 'pino';
import { RECORDING_BATCH_DEFAULTS, type WorkerConfig } from '../config';
import { BatchBytes } from './batch-bytes';
import { eventJson } from './event-json';
import { type PipelineOptions, RECORD_JOB_OPTIONS } from './pipeline';
import type { FromPipeline, PipelineThreadData, ToPipeline } from './pipeline-thread';
import { createSlabMemory, SlabPool, slabView } from './shared-slabs';
import { type Segment, Spool } from './spool';

export { RECORD_JOB_OPTIONS };

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

export interface RecorderOptions extends PipelineOptions {
  flushIntervalMs: number;
  maxBatchEvents: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = { ...RECORDING_BATCH_DEFAULTS, maxJobEvents: 5000, addTimeoutMs: 3000, retryMs: 500, closeTimeoutMs: 5000 };

export interface RecorderContext {
  config: Pick<WorkerConfig, 'id' | 'redisUrl' | 'redisPrefix' | 'stateDir' | 'recording'>;
  log: Logger;
}

interface Batch {
  /** The batch's bytes: a view of its shared slab, or a copy of its own. */
  bytes: Buffer;
  /** Its shared slab, or -1. */
  slab: number;
  events: number;
}

/**
 * The sessions' side of recording. record() keeps the event and returns; every flushIntervalMs
 * (or maxBatchEvents) the batch is written as JSON lines and goes to the pipeline thread (in a
 * slab of memory the two threads share: shared-slabs.ts), which spools it, sends it to Redis and
 * deletes it from the spool once acknowledged. A batch stays here, too, until the thread says it
 * is in the spool: if the process exits first, the exit handler spools it itself (synchronously),
 * so a process.exit() without close() loses nothing that was recorded. Only SIGKILL (or a crash)
 * loses what was not yet in the spool.
 */
class ThreadedRecorder implements SessionRecorder {
  /**
   * Events since the last flush, serialised together at the flush: one tight loop over a batch
   * costs the sessions' thread a fraction of what the same work costs spread over every statement,
   * in between socket reads and writes that evict it from the CPU's caches. Events are never
   * changed after record() (SessionTrail hands over fresh objects).
   */
  private events: SessionEvent[] = [];
  private readonly batch = new BatchBytes();
  private timer: NodeJS.Timeout | undefined;
  /** Batches sent to the thread and not yet reported spooled, by id, in order. */
  private readonly unspooled = new Map<number, Batch>();
  private nextBatch = 1;
  private readonly spool: Spool;
  private readonly spoolBytes = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly slabs = new SlabPool(createSlabMemory());
  /** Null while a pipeline thread that died waits to be replaced: batches are spooled here meanwhile. */
  private thread: Worker | null;
  private threadStarted = 0;
  private restartDelayMs = 0;
  private closing: Promise<void> | undefined;
  private closed: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    private readonly ctx: RecorderContext,
    private readonly opts: RecorderOptions,
  ) {
    this.log = ctx.log.child({ component: 'recording' });
    // Recovery runs here, before the first session: its count is logged at start, and the spool's
    // size is known before any session is accepted.
    this.spool = new Spool(path.join(ctx.config.stateDir, 'spool'), ctx.config.recording.spoolFsync);
    const recovered = this.spool.recover();
    const events = recovered.reduce((n, s) => n + s.events, 0);
    this.log.info({ recoveredEvents: events, segments: recovered.length, spoolBytes: this.spool.bytes, dir: this.spool.dir }, `recording: recovered ${events} events from the spool`);
    Atomics.store(this.spoolBytes, 0, BigInt(this.spool.bytes));
    this.thread = this.startThread(recovered);
    // The exit handler's spool write is synchronous, so even a process.exit() without close() keeps the batches.
    process.on('exit', this.onExit);
  }

  record(event: SessionEvent): void {
    if (this.events.push(event) >= this.opts.maxBatchEvents) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.flushIntervalMs);
  }

  canAcceptSessions(): boolean {
    return Number(Atomics.load(this.spoolBytes, 0)) < this.ctx.config.recording.spoolMaxBytes;
  }

  /** Hands the current batch to the thread. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.events;
    if (events.length === 0) return;
    this.events = [];
    let written = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      try {
        this.batch.line(eventJson(e));
        written++;
      } catch (err) {
        // An event that cannot be written (a bug upstream) costs itself, never its batch.
        this.log.error({ err: (err as Error).message, sessionId: e.sessionId, seq: e.seq, kind: e.kind }, 'recording: an event could not be serialised; dropped');
      }
    }
    if (written === 0) return;
    const id = this.nextBatch++;
    const length = this.batch.length;
    // With a thread to read it, the batch goes in a shared slab when one is free; else as a copy
    // of its own. Either stays here, too, until the thread has spooled it.
    const slab = this.thread ? this.slabs.acquire(length) : -1;
    let b: Batch;
    if (slab >= 0) {
      const bytes = slabView(this.slabs.mem, slab, length);
      this.batch.takeInto(bytes);
      b = { bytes, slab, events: written };
    } else {
      b = { bytes: this.batch.take(), slab: -1, events: written };
    }
    this.unspooled.set(id, b);
    if (!this.thread) this.spoolHere();
    else if (slab >= 0) this.post({ t: 'batch', id, slab, length, events: written });
    else this.post({ t: 'batch', id, bytes: b.bytes, events: written });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.flush();
    if (this.thread) {
      const done = new Promise<void>((r) => (this.closed = r));
      this.post({ t: 'close' });
      // The thread's close drains for up to closeTimeoutMs; past that, and a second for Redis to
      // hang up, it is stopped and what it did not spool is spooled here.
      const limit = new Promise<void>((r) => setTimeout(r, this.opts.closeTimeoutMs + 2000).unref());
      await Promise.race([done, limit]);
      await this.thread.terminate();
    }
    process.off('exit', this.onExit);
    this.spoolHere();
  }

  /** Batch `id` is in the spool (the pipeline thread wrote it, or this thread did): its copy here and its slab are no longer needed. */
  private settled(id: number): void {
    const b = this.unspooled.get(id);
    if (b === undefined) return;
    if (b.slab >= 0) this.slabs.settled(b.slab);
    this.unspooled.delete(id);
  }

  private post(m: ToPipeline): void {
    this.thread?.postMessage(m);
  }

  private readonly onExit = (): void => {
    this.flush();
    this.spoolHere();
  };

  /** Spools, on this thread, the batches the pipeline thread has not reported spooled. */
  private spoolHere(): void {
    for (const [id, b] of this.unspooled) {
      try {
        this.spool.append(b.bytes, b.events);
      } catch (err) {
        this.log.error({ err: (err as Error).message, events: b.events }, 'recording: spool write failed; batch lost');
      }
      this.settled(id);
    }
  }

  private startThread(segments: Segment[]): Worker {
    const { config } = this.ctx;
    const data: PipelineThreadData = {
      config: { workerId: config.id, redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, spoolDir: this.spool.dir, spoolFsync: config.recording.spoolFsync },
      opts: { maxJobEvents: this.opts.maxJobEvents, addTimeoutMs: this.opts.addTimeoutMs, retryMs: this.opts.retryMs, closeTimeoutMs: this.opts.closeTimeoutMs },
      ids: this.spool.ids,
      spoolBytes: this.spoolBytes,
      segments,
      slabs: this.slabs.mem,
    };
    const thread = pipelineThread(data);
    this.threadStarted = Date.now();
    // Batches in flight keep nothing alive: a process that is done exits, and its exit handler spools them.
    thread.unref();
    thread.on('message', (m: FromPipeline) => {
      if (m.t === 'spooled') this.settled(m.id);
      else if (m.t === 'log') this.log[m.level](m.obj, m.msg);
      else this.closed?.();
    });
    thread.on('error', (err: Error) => this.log.error({ err: err.message }, 'recording: the pipeline thread failed'));
    thread.on('exit', (code: number) => {
      if (this.closing) return;
      // Died on its own. What it had not spooled is spooled here, and so is every batch until a
      // new thread runs: it starts after a delay that doubles while threads keep dying young (up
      // to 30 s), and recovers the spool, the batches the old one had spooled and not sent included.
      this.thread = null;
      this.spoolHere();
      // The batches the old thread held are in the spool: the new one reads them from there.
      this.slabs.reset();
      this.restartDelayMs = Date.now() - this.threadStarted > 60_000 ? 1000 : Math.min(30_000, Math.max(1000, this.restartDelayMs * 2));
      this.log.error({ code, restartInMs: this.restartDelayMs }, `recording: the pipeline thread stopped; its batches are in the spool; starting another in ${this.restartDelayMs} ms`);
      setTimeout(() => {
        if (this.closing) return;
        const recovered = this.spool.recover();
        Atomics.store(this.spoolBytes, 0, BigInt(this.spool.bytes));
        this.thread = this.startThread(recovered);
      }, this.restartDelayMs).unref();
    });
    return thread;
  }
}

/**
 * The thread that runs pipeline-thread: the compiled file next to this one; from the TypeScript
 * sources (Vitest, or node with tools/ts-register.cjs), the sources, through that same hook.
 */
function pipelineThread(workerData: PipelineThreadData): Worker {
  const compiled = path.join(__dirname, 'pipeline-thread.js');
  if (existsSync(compiled)) return new Worker(compiled, { workerData });
  const source = path.join(__dirname, 'pipeline-thread.ts');
  const register = path.resolve(__dirname, '../../../../tools/ts-register.cjs');
  if (!existsSync(source) || !existsSync(register)) throw new Error(`airlock: the recording pipeline's thread is missing next to ${__filename}: rebuild the worker (npm run build)`);
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(source)});`, { eval: true, workerData, execArgv: [...process.execArgv, '--conditions=@airlock/source'] });
}

/**
 * The worker's recorder: batches events (every flushIntervalMs or maxBatchEvents: the worker's
 * AIRLOCK_RECORDING_FLUSH_MS and AIRLOCK_RECORDING_BATCH_EVENTS, unless `options` says) and hands each
 * batch to the recording pipeline's thread, which writes it to the spool, sends it to the
 * Recording queue (the segment's bytes, compressed, as a blob in Redis, and a job pointing to it) and deletes
 * it from the spool once Redis acknowledged the job. Pass it to the Postgres listener:
 * `postgresListener({ recorder: createRecorder })`.
 */
export function createRecorder(ctx: RecorderContext, options: Partial<RecorderOptions> = {}): SessionRecorder {
  const { flushIntervalMs, maxBatchEvents } = ctx.config.recording;
  const configured: Partial<RecorderOptions> = {
    ...(flushIntervalMs !== undefined ? { flushIntervalMs } : {}),
    ...(maxBatchEvents !== undefined ? { maxBatchEvents } : {}),
  };
  return new ThreadedRecorder(ctx, { ...DEFAULT_RECORDER_OPTIONS, ...configured, ...options });
}
