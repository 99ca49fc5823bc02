import { parentPort, workerData } from 'node:worker_threads';
import { Pipeline, type PipelineConfig, type PipelineOptions } from './pipeline';
import { releaseSlab, type SlabMemory, slabView } from './shared-slabs';
import type { Segment } from './spool';

// The recording pipeline's thread. Messages from the recorder: { t: 'batch', id, slab, length,
// events } (the batch is in a shared slab: shared-slabs.ts) or { t: 'batch', id, bytes, events }
// (a copy of its own), and { t: 'close' }. Messages to it: { t: 'log', level, obj, msg },
// { t: 'spooled', id } and { t: 'closed' }. The spool's size is kept in shared memory, read by
// the recorder at every new session.

export interface PipelineThreadData {
  config: PipelineConfig;
  opts: PipelineOptions;
  /** The spool's shared segment counter. */
  ids: Int32Array;
  /** [0]: the spool's size in bytes, written here. */
  spoolBytes: BigInt64Array;
  segments: Segment[];
  /** The slabs batches arrive in. */
  slabs: SlabMemory;
}

export type ToPipeline = { t: 'batch'; id: number; bytes: Uint8Array; events: number } | { t: 'batch'; id: number; slab: number; length: number; events: number } | { t: 'close' };
export type FromPipeline =
  | { t: 'log'; level: 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string }
  | { t: 'spooled'; id: number }
  | { t: 'closed' };

if (parentPort) {
  const port = parentPort;
  const data = workerData as PipelineThreadData;
  const post = (m: FromPipeline): void => port.postMessage(m);
  const pipeline = new Pipeline(
    data.config,
    data.opts,
    {
      log: (level, obj, msg) => post({ t: 'log', level, obj, msg }),
      spooled: (id) => post({ t: 'spooled', id }),
      spoolBytes: (bytes) => Atomics.store(data.spoolBytes, 0, BigInt(bytes)),
      released: (slab) => releaseSlab(data.slabs, slab),
    },
    data.ids,
    data.segments,
  );
  port.on('message', (m: ToPipeline) => {
    if (m.t === 'batch') {
      if ('slab' in m) pipeline.accept(m.id, slabView(data.slabs, m.slab, m.length), m.events, m.slab);
      // A cloned Buffer arrives as a plain Uint8Array over its own memory: viewed, not copied.
      else pipeline.accept(m.id, Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength), m.events);
    } else {
      void pipeline.close().then(() => post({ t: 'closed' }));
    }
  });
}
