// The bench's worker: the built worker with the Postgres listener and only its built-in session
// counter (no guardrails, masking or review hooks), i.e. the proxy's own cost.
// `--hooks production` in run.mjs starts apps/worker/dist/main.js instead (every registered hook).
// AIRLOCK_WORKER_PROCESSES > 1: the worker's supervisor runs that many of these, as main.js does.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps/worker/dist');
const { loadWorkerConfig } = require(path.join(dist, 'config.js'));
const { postgresListener } = require(path.join(dist, 'postgres/listener.js'));
const { runWorker } = require(path.join(dist, 'run.js'));

await runWorker(loadWorkerConfig(), [postgresListener()]);
