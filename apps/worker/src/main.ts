import { loadWorkerConfig, WorkerConfigError } from './config';
import { startWorker } from './bootstrap';
import { LISTENERS } from './listeners';

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
  const worker = await startWorker(config, LISTENERS);
  const stop = (signal: string) => {
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
