import cluster from 'node:cluster';
import { type ListenerFactory, startWorker } from './bootstrap';
import type { WorkerConfig } from './config';
import { createLogger } from './logger';
import { adoptRetiredSpools, superviseWorkerProcesses } from './supervisor';

/**
 * Runs a worker with these listeners until SIGTERM or SIGINT: as a supervisor of
 * `config.processes` processes (each of which runs this again, as a supervised process), or in
 * this process. Rejects when the worker cannot start.
 */
export async function runWorker(config: WorkerConfig, listeners: ListenerFactory[]): Promise<void> {
  if (cluster.isPrimary && config.processes > 1) {
    await superviseWorkerProcesses(config, createLogger(config.logLevel, { worker: config.id, pool: config.pool, role: 'supervisor' }));
    return;
  }
  // One process: spools left by processes of an earlier run with more are drained by this one.
  if (cluster.isPrimary) adoptRetiredSpools(config.stateDir, 1, createLogger(config.logLevel, { worker: config.id, pool: config.pool }));
  const worker = await startWorker(config, listeners);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    worker.ctx.log.info({ signal }, 'worker stopping');
    void worker.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
