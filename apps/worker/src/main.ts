import { loadWorkerConfig, WorkerConfigError } from './config';
import { LISTENERS } from './listeners';
import { runWorker } from './run';

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
  await runWorker(config, LISTENERS);
}

void main().catch((err: Error) => {
  process.stderr.write(`airlock: worker failed to start: ${err.message}\n`);
  process.exit(1);
});
