import type { Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/** How long a closing BullMQ worker may take to finish the jobs it is running. */
export const WORKER_CLOSE_WAIT_MS = 10_000;

/**
 * Closes a BullMQ worker and then its connection, waiting up to `waitMs` for the jobs it runs.
 * BullMQ's close() never resolves while the worker's blocking client is still reconnecting (Redis
 * restarted or went away shortly before: taskforcesh/bullmq#4656), which would hold a control
 * plane's shutdown (SIGTERM) for good. Past `waitMs` the worker is left as it is, with a warning;
 * a job it was still running is retried by BullMQ's stalled-job check, as after a crash (storing
 * recorded events is idempotent).
 */
export async function closeWorker(worker: Worker | undefined, connection: Redis | undefined, log: Pick<Logger, 'warn'>, waitMs = WORKER_CLOSE_WAIT_MS): Promise<void> {
  if (worker) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
    const outcome = await Promise.race([worker.close().then(() => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') log.warn(`queue worker ${worker.name} did not close within ${waitMs} ms (its Redis connection is still reconnecting); shutting down without it`);
  }
  connection?.disconnect();
}
