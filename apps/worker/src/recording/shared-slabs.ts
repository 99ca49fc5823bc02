// Memory the sessions' thread and the recording pipeline's thread share for batches. A batch
// copied into a slab reaches the pipeline as a slab number: no structured clone, no allocation of
// a few hundred KB on either side per batch, and nothing for either heap's GC to free (or give
// back to the kernel) afterwards. A batch that finds no free slab (a backlog holds them all, or it
// is larger than a slab) goes as a copy of its own, as every batch did before.
//
// A slab is in use while either side may read it:
//   - `state[i]` is 1 from the moment the recorder hands the slab out until the pipeline no longer
//     needs its bytes (acknowledged by Redis, or left to the spool on disk); only the recorder
//     sets it to 1, only the pipeline (or the recorder, once the pipeline thread is gone) to 0;
//   - the recorder's own mark lasts until the pipeline reports the batch spooled: until then the
//     recorder may have to spool it itself (exit handler, a pipeline thread that died).

export interface SlabMemory {
  slabs: SharedArrayBuffer[];
  /** One Int32 per slab: 1 while the pipeline may read it. */
  state: Int32Array;
}

/** 8 × 1 MiB: a batch of the default 2000 events of pgbench -S is ~880 KiB; memory is touched only as slabs are used. */
export const SLAB_COUNT = 8;
export const SLAB_BYTES = 1024 * 1024;

export function createSlabMemory(count = SLAB_COUNT, bytes = SLAB_BYTES): SlabMemory {
  return { slabs: Array.from({ length: count }, () => new SharedArrayBuffer(bytes)), state: new Int32Array(new SharedArrayBuffer(4 * count)) };
}

/** A Buffer over the first `length` bytes of slab `i` (a view: nothing is copied). */
export function slabView(mem: SlabMemory, i: number, length: number): Buffer {
  return Buffer.from(mem.slabs[i]!, 0, length);
}

/** The pipeline no longer reads slab `i`. */
export function releaseSlab(mem: SlabMemory, i: number): void {
  Atomics.store(mem.state, i, 0);
}

/** The recorder's side: hands out slabs and keeps its own mark on each. */
export class SlabPool {
  private readonly heldHere: boolean[];

  constructor(readonly mem: SlabMemory) {
    this.heldHere = mem.slabs.map(() => false);
  }

  /** A slab free on both sides that holds `size` bytes, now in use by both; -1 when there is none. */
  acquire(size: number): number {
    const { slabs, state } = this.mem;
    for (let i = 0; i < slabs.length; i++) {
      if (this.heldHere[i] || slabs[i]!.byteLength < size || Atomics.load(state, i) !== 0) continue;
      this.heldHere[i] = true;
      Atomics.store(state, i, 1);
      return i;
    }
    return -1;
  }

  /** The recorder no longer needs slab `i` (its batch is in the spool). */
  settled(i: number): void {
    this.heldHere[i] = false;
  }

  /** No pipeline thread runs: nothing reads any slab any more. */
  reset(): void {
    this.heldHere.fill(false);
    for (let i = 0; i < this.mem.slabs.length; i++) releaseSlab(this.mem, i);
  }
}
