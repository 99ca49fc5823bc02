import net from 'node:net';
import { testRedisPrefix } from '@airlock/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { closeWorker } from './close-worker';

/** Resolves once the connection has ended (disconnect() ends it asynchronously). */
function ended(connection: Redis): Promise<void> {
  return new Promise((resolve) => (connection.status === 'end' ? resolve() : connection.once('end', () => resolve())));
}

describe('closeWorker', () => {
  it('closes a worker on a reachable Redis, without a warning', async () => {
    const connection = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const worker = new Worker('close-worker-test', async () => undefined, { connection, prefix: testRedisPrefix() });
    await worker.waitUntilReady();
    const warnings: string[] = [];
    await closeWorker(worker, connection, { warn: (m: string) => void warnings.push(m) }, 5000);
    expect(warnings).toEqual([]);
    await ended(connection);
  });

  it('does not wait past its limit for a worker whose Redis is unreachable (BullMQ close() alone never resolves there)', async () => {
    // A port nothing listens on: the worker's clients stay in ioredis' reconnecting state.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const connection = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    connection.on('error', () => undefined);
    const worker = new Worker('close-worker-test', async () => undefined, { connection, prefix: testRedisPrefix() });
    worker.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const warnings: string[] = [];
    await closeWorker(worker, connection, { warn: (m: string) => void warnings.push(m) }, 500);
    expect(warnings.join('')).toMatch(/did not close within 500 ms \(its Redis connection is still reconnecting\)/);
  });
});
