import { describe, expect, it } from 'vitest';
import { createSlabMemory, releaseSlab, SlabPool, slabView } from './shared-slabs';

describe('SlabPool', () => {
  it('hands out a slab only while neither side holds it, and never one too small', () => {
    const pool = new SlabPool(createSlabMemory(2, 1024));
    expect(pool.acquire(2048)).toBe(-1);
    const a = pool.acquire(100);
    const b = pool.acquire(100);
    expect([a, b].sort()).toEqual([0, 1]);
    expect(pool.acquire(1)).toBe(-1);
    // The pipeline is done with a, the recorder is not yet (its batch is not reported spooled).
    releaseSlab(pool.mem, a);
    expect(pool.acquire(1)).toBe(-1);
    pool.settled(a);
    expect(pool.acquire(1)).toBe(a);
    // The recorder is done with b, the pipeline is not yet (Redis has not acknowledged it).
    pool.settled(b);
    expect(pool.acquire(1)).toBe(-1);
    // No pipeline thread runs: every slab is free again.
    pool.reset();
    expect(pool.acquire(1)).toBe(0);
    expect(pool.acquire(1)).toBe(1);
  });

  it('views a slab without copying: both threads see the same bytes', () => {
    const mem = createSlabMemory(1, 64);
    slabView(mem, 0, 5).write('hello');
    expect(Buffer.from(mem.slabs[0]!, 0, 5).toString()).toBe('hello');
  });
});
