import { keySpace } from '@airlock/contracts';
import type { WorkerContext } from '../bootstrap';
import type { SessionHooksFactory } from '../postgres/hooks';
import { ReviewClient } from './review-client';
import { ReviewEngine, type ReviewEngineOptions } from './review-engine';

export { ReviewClient, REVIEW_JOB_OPTIONS } from './review-client';
export { holdForReview, identityKey, maskStatement, reviewSession, ReviewEngine, type ReviewEngineOptions, type ReviewSessionState, type ReviewTrailEvent } from './review-engine';

const engines = new WeakMap<WorkerContext['redis'], ReviewEngine>();

/**
 * The worker's review engine: one per worker (one queue producer, one decision subscription),
 * closed with the worker (when its main Redis connection ends).
 */
export function reviewEngine(ctx: WorkerContext, opts: Pick<ReviewEngineOptions, 'onEvent'> = {}): ReviewEngine {
  let engine = engines.get(ctx.redis);
  if (!engine) {
    const log = ctx.log.child({ component: 'reviews' });
    const client = new ReviewClient(ctx.config.redisUrl, keySpace(ctx.config.redisPrefix), log);
    void client.start();
    ctx.redis.once('end', () => void client.close());
    engine = new ReviewEngine({ client, consoleUrl: ctx.config.consoleUrl, log, ...opts });
    engines.set(ctx.redis, engine);
  }
  return engine;
}

/** The per-session review hooks; put them in a listener's hook list (any position). */
export function reviewHooks(ctx: WorkerContext, opts: Pick<ReviewEngineOptions, 'onEvent'> = {}): SessionHooksFactory {
  return reviewEngine(ctx, opts).hooks();
}
