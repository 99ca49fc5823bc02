import cluster from 'node:cluster';
import { loadWorkerConfig, WorkerConfigError } from './config';
import { startWorker } from './bootstrap';
import { LISTENERS } from './listeners';
import { createLogger } from './logger';
import { adoptRetiredSpools, superviseWorkerProcesses } from './supervisor';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  if (cluster.isPrimary && config.processes > 1) {
    await superviseWorkerProcesses(config, createLogger(config.logLevel, { worker: config.id, pool: config.pool, role: 'supervisor' }));
    return;
  }
  // One process: spools left by processes of an earlier run with more are drained by this one.
  if (cluster.isPrimary) adoptRetiredSpools(config.stateDir, 1, createLogger(config.logLevel, { worker: config.id, pool: config.pool }));
  const worker = await startWorker(config, LISTENERS);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    worker.ctx.log.info({ signal }, 'worker stopping');
    void worker.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main().catch((err: Error) => {
  process.stderr.write(`airlock: worker failed to start: ${err.message}\n`);
  process.exit(1);
});
