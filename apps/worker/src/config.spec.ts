import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { loadWorkerConfig } from './config';

describe('worker configuration', () => {
  it('batches recordings every 100 ms or 2000 events unless told otherwise', () => {
    expect(loadWorkerConfig({}).recording).toMatchObject({ flushIntervalMs: 100, maxBatchEvents: 2000 });
    expect(loadWorkerConfig({ AIRLOCK_RECORDING_FLUSH_MS: '50', AIRLOCK_RECORDING_BATCH_EVENTS: '500' }).recording).toMatchObject({ flushIntervalMs: 50, maxBatchEvents: 500 });
  });

  it('refuses a recording batch larger than a queue job, or an interval of zero, naming the variable', () => {
    expect(() => loadWorkerConfig({ AIRLOCK_RECORDING_BATCH_EVENTS: '5001' })).toThrow(/^airlock: invalid configuration: AIRLOCK_RECORDING_BATCH_EVENTS:/);
    expect(() => loadWorkerConfig({ AIRLOCK_RECORDING_FLUSH_MS: '0' })).toThrow(/^airlock: invalid configuration: AIRLOCK_RECORDING_FLUSH_MS:/);
  });

  it('runs one process unless told a number or auto (one per CPU), and refuses anything else', () => {
    expect(loadWorkerConfig({}).processes).toBe(1);
    expect(loadWorkerConfig({ AIRLOCK_WORKER_PROCESSES: '3' }).processes).toBe(3);
    expect(loadWorkerConfig({ AIRLOCK_WORKER_PROCESSES: 'auto' }).processes).toBe(Math.min(64, availableParallelism()));
    for (const bad of ['0', '65', 'two', '-1', '1.5', '']) {
      expect(() => loadWorkerConfig({ AIRLOCK_WORKER_PROCESSES: bad })).toThrow(/^airlock: invalid configuration: AIRLOCK_WORKER_PROCESSES:/);
    }
  });
});
