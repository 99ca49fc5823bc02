import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config';

describe('worker configuration', () => {
  it('batches recordings every 50 ms or 500 events unless told otherwise', () => {
    expect(loadWorkerConfig({}).recording).toMatchObject({ flushIntervalMs: 50, maxBatchEvents: 500 });
    expect(loadWorkerConfig({ AIRLOCK_RECORDING_FLUSH_MS: '100', AIRLOCK_RECORDING_BATCH_EVENTS: '2000' }).recording).toMatchObject({ flushIntervalMs: 100, maxBatchEvents: 2000 });
  });

  it('refuses a recording batch larger than a queue job, or an interval of zero, naming the variable', () => {
    expect(() => loadWorkerConfig({ AIRLOCK_RECORDING_BATCH_EVENTS: '5001' })).toThrow(/^airlock: invalid configuration: AIRLOCK_RECORDING_BATCH_EVENTS:/);
    expect(() => loadWorkerConfig({ AIRLOCK_RECORDING_FLUSH_MS: '0' })).toThrow(/^airlock: invalid configuration: AIRLOCK_RECORDING_FLUSH_MS:/);
  });
});
