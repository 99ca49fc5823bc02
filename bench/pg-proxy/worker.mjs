// The bench's worker: the built worker with the Postgres listener and only its built-in session
// counter (no guardrails, masking or review hooks), i.e. the proxy's own cost.
// `--hooks production` in run.mjs starts apps/worker/dist/main.js instead (every registered hook).
// AIRLOCK_WORKER_PROCESSES > 1: the worker's supervisor runs that many of these, as main.js does.
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps/worker/dist');
const { startWorker } = require(path.join(dist, 'bootstrap.js'));
const { loadWorkerConfig } = require(path.join(dist, 'config.js'));
const { postgresListener } = require(path.join(dist, 'postgres/listener.js'));
const { createLogger } = require(path.join(dist, 'logger.js'));
const { superviseWorkerProcesses } = require(path.join(dist, 'supervisor.js'));

const config = loadWorkerConfig();
if (cluster.isPrimary && config.processes > 1) {
  await superviseWorkerProcesses(config, createLogger(config.logLevel, { worker: config.id, role: 'supervisor' }));
} else {
  const worker = await startWorker(config, [postgresListener()]);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void worker.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
