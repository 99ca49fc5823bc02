import { ConfigError, loadConfig } from './config/config';
import { startControlPlane } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // One clear line, no stack trace: the operator fixes the environment.
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  await startControlPlane(config);
}

void main().catch((err: Error) => {
  process.stderr.write(`airlock: control plane failed to start: ${err.message}\n`);
  process.exit(1);
});
