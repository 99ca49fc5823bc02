import { Injectable, Logger } from '@nestjs/common';
import { type ReviewDecisionMessage, type ScopedApproval, scopeField } from '@airlock/contracts';
import { RedisService } from '../redis/redis.service';
import { type ReviewRecord } from './reviews.repository';

/** A decided review's message outlives any reasonable review timeout, for workers that reconnect late. */
const DECISION_TTL_SECONDS = 24 * 3600;

/**
 * Tells waiting workers: SET the decision key (read by a worker whose subscriber was away), store
 * a scoped approval, then PUBLISH — in one MULTI so a worker never sees the message before the key.
 */
@Injectable()
export class ReviewDecisionPublisher {
  private readonly logger = new Logger(ReviewDecisionPublisher.name);

  constructor(private readonly redis: RedisService) {}

  /** Call after the database commit. Never throws: the worker's timeout is the backstop. */
  async publish(review: ReviewRecord, approver: string | null, closeReason: string | null = null): Promise<void> {
    if (review.status === 'PENDING') return;
    const keys = this.redis.keys;
    const identity = `${review.requesterKind === 'SERVICE_ACCOUNT' ? 'sa' : 'user'}:${review.requester}`;
    const scope = review.status === 'APPROVED' && review.kind === 'STATEMENT' && review.scope && review.fingerprint ? review.scope : null;
    const msg: ReviewDecisionMessage = {
      schemaVersion: 1,
      id: review.id,
      status: review.status,
      approver,
      reason: review.status === 'APPROVED' || review.status === 'REJECTED' ? (review.decisions.at(-1)?.reason ?? null) : closeReason,
      scope: scope ? { fingerprint: true, ...(scope.maxRuns ? { maxRuns: scope.maxRuns } : {}), ...(scope.until ? { until: scope.until.toISOString() } : {}) } : null,
      ...(scope ? { match: { connection: review.connection, identity, fingerprint: review.fingerprint! } } : {}),
    };
    const raw = JSON.stringify(msg);
    try {
      const multi = this.redis.client.multi().set(keys.reviewDecision(review.id), raw, 'EX', DECISION_TTL_SECONDS);
      if (scope) {
        const field = scopeField(review.connection, identity, review.fingerprint!);
        const stored: ScopedApproval = {
          reviewId: review.id, approver: approver ?? 'unknown', connection: review.connection, identity, fingerprint: review.fingerprint!,
          until: scope.until ? scope.until.getTime() : null, maxRuns: scope.maxRuns ?? null,
        };
        multi.hset(keys.reviewScopes(), field, JSON.stringify(stored));
        if (scope.maxRuns) multi.hset(keys.reviewScopeRuns(), field, String(scope.maxRuns));
        else multi.hdel(keys.reviewScopeRuns(), field);
      }
      await multi.publish(keys.decisionChannel(), raw).exec();
    } catch (err) {
      this.logger.error({ msg: 'could not publish a review decision', reviewId: review.id, err: (err as Error).message });
    }
  }
}
