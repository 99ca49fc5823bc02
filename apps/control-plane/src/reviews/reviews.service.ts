import { Injectable, Logger } from '@nestjs/common';
import { ReviewRequestJob, WithdrawReviewJob } from '@airlock/contracts';
import { type Principal } from '../auth/principal';
import { IdentityKind } from '../common/enums';
import { WebhookService } from '../notifications/webhook.service';
import { PolicyPublisher } from '../policy/policy.publisher';
import { AccessGrantIssuer } from './access-grant.issuer';
import { type DecideReviewInput, type SetReviewPolicyInput } from './dto/decide-review.input';
import { ReviewDecisionValue, ReviewKind, type ReviewRequestObject, ReviewStatus } from './dto/review-request.object';
import { ReviewDecisionPublisher } from './review-decision.publisher';
import { ReviewEvents } from './review-events';
import { ReviewException, ReviewExceptionCode } from './reviews.exception';
import { type NewReview, type ReviewRecord, ReviewsRepository } from './reviews.repository';

const MAX_REASON = 1_000;
const MAX_LIST = 500;

/** Strips what only the service needs. */
function toObject(r: ReviewRecord): ReviewRequestObject {
  const { requesterKind: _k, ...rest } = r;
  return rest;
}

@Injectable()
export class ReviewsService {
  private readonly logger = new Logger(ReviewsService.name);

  constructor(
    private readonly repo: ReviewsRepository,
    private readonly events: ReviewEvents,
    private readonly decisions: ReviewDecisionPublisher,
    private readonly webhooks: WebhookService,
    private readonly grants: AccessGrantIssuer,
    private readonly policy: PolicyPublisher,
  ) {}

  /** A worker held a statement (JobName.RequestReview). Idempotent: a redelivered job stores and announces once. */
  async requestFromWorker(payload: unknown): Promise<{ created: boolean }> {
    const parsed = ReviewRequestJob.safeParse(payload);
    if (!parsed.success) throw new ReviewException(ReviewExceptionCode.INVALID_JOB, `airlock: malformed review request: ${parsed.error.issues[0]?.message}`);
    const job = parsed.data;
    return this.open({
      id: job.id, kind: ReviewKind.STATEMENT, requesterName: job.requester.name, requesterKind: job.requester.kind, connectionName: job.connection,
      sessionId: job.sessionId, statement: job.statement, fingerprint: job.fingerprint, classification: job.classification ?? null, ruleName: job.rule,
      expiresAt: new Date(job.expiresAt),
    });
  }

  /** Stores a new review, then announces it (subscriptions, webhooks). */
  async open(review: NewReview): Promise<{ created: boolean; review: ReviewRequestObject }> {
    const { created, review: stored } = await this.repo.createOnce(review);
    if (created) {
      this.logger.log({ msg: 'review requested', reviewId: stored.id, kind: stored.kind, connection: stored.connection, requester: stored.requester, sessionId: stored.sessionId });
      await this.events.requested(toObject(stored));
      const conn = await this.repo.connection(stored.connection);
      await this.webhooks.notify({ event: 'review.requested', review: stored }, conn?.webhookUrl ?? null);
    }
    return { created, review: toObject(stored) };
  }

  /**
   * The worker stopped waiting (JobName.WithdrawReview): timeout (EXPIRED), cancel or disconnect
   * (WITHDRAWN). A withdrawal that overtakes its request is retried by BullMQ until the request is stored.
   */
  async withdrawFromWorker(payload: unknown): Promise<{ changed: boolean }> {
    const parsed = WithdrawReviewJob.safeParse(payload);
    if (!parsed.success) throw new ReviewException(ReviewExceptionCode.INVALID_JOB, `airlock: malformed review withdrawal: ${parsed.error.issues[0]?.message}`);
    const job = parsed.data;
    const existing = await this.repo.find(job.id);
    if (!existing) throw new Error(`airlock: review ${job.id} is not stored yet; retrying the withdrawal`);
    return { changed: await this.close(job.id, job.status ?? 'WITHDRAWN', job.reason) };
  }

  /** Expiry sweep: every pending review past its expiresAt. */
  async expireDue(now = new Date()): Promise<number> {
    let n = 0;
    for (const id of await this.repo.duePending(now, 500)) if (await this.close(id, 'EXPIRED', 'no decision before it expired')) n++;
    return n;
  }

  /** Throws NOT_FOUND for an unknown connection. */
  async requireConnection(name: string): Promise<void> {
    if (!(await this.repo.connection(name))) throw new ReviewException(ReviewExceptionCode.CONNECTION_NOT_FOUND, `airlock: no connection named "${name}"`);
  }

  async list(status: ReviewStatus | undefined, limit = 100): Promise<ReviewRequestObject[]> {
    return (await this.repo.list(status, Math.min(Math.max(limit, 1), MAX_LIST))).map(toObject);
  }

  async get(id: string): Promise<ReviewRequestObject> {
    const r = await this.repo.find(id);
    if (!r) throw new ReviewException(ReviewExceptionCode.NOT_FOUND, `airlock: no review ${id}`);
    return toObject(r);
  }

  async decide(input: DecideReviewInput, by: Principal): Promise<ReviewRequestObject> {
    if (input.reason && input.reason.length > MAX_REASON) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, `airlock: reason is longer than ${MAX_REASON} characters`);
    const review = await this.repo.find(input.id);
    if (!review) throw new ReviewException(ReviewExceptionCode.NOT_FOUND, `airlock: no review ${input.id}`);
    const kind = by.kind === IdentityKind.SERVICE_ACCOUNT ? 'SERVICE_ACCOUNT' : 'USER';
    if (review.requester === by.name && review.requesterKind === kind) {
      throw new ReviewException(ReviewExceptionCode.SELF_APPROVAL, `airlock: you cannot decide your own review ${review.id}; ask another approver`);
    }
    if (review.status !== ReviewStatus.PENDING) throw new ReviewException(ReviewExceptionCode.ALREADY_DECIDED, `airlock: review ${review.id} is already ${review.status}; a decision is final`);
    if (review.expiresAt.getTime() <= Date.now()) {
      await this.close(review.id, 'EXPIRED', 'no decision before it expired');
      throw new ReviewException(ReviewExceptionCode.ALREADY_DECIDED, `airlock: review ${review.id} has expired`);
    }
    const scope = this.checkScope(input, review);
    const approve = input.decision === ReviewDecisionValue.APPROVE;
    const conn = await this.repo.connection(review.connection);
    const needed = review.kind === ReviewKind.STATEMENT ? Math.max(conn?.minApprovers ?? 1, 1) : 1;
    if (review.decisions.some((d) => d.approver === by.name)) throw new ReviewException(ReviewExceptionCode.ALREADY_VOTED, `airlock: you already decided on review ${review.id}`);
    const vote = { approverId: by.identityId, approverName: by.name, decision: approve ? ('APPROVE' as const) : ('REJECT' as const), reason: input.reason ?? null };
    let result: { review: ReviewRecord; final: boolean } | null;
    try {
      if (!approve || needed === 1) {
        // The common case on the approver's critical path: one statement, one commit.
        const done = await this.repo.voteFinal(review.id, vote, scope);
        result = done && {
          final: true,
          review: {
            ...review,
            status: approve ? ReviewStatus.APPROVED : ReviewStatus.REJECTED,
            decidedAt: done.decidedAt,
            scope: scope ? { fingerprint: true, maxRuns: scope.maxRuns, until: scope.until ? new Date(scope.until) : null } : null,
            decisions: [...review.decisions, { approver: by.name, decision: input.decision, reason: vote.reason, at: done.at }],
          },
        };
      } else {
        result = await this.repo.vote(review.id, vote, (approvals) => (approvals >= needed ? { status: 'APPROVED', scope } : null));
      }
    } catch (err) {
      if ((err as { alreadyVoted?: boolean }).alreadyVoted) throw new ReviewException(ReviewExceptionCode.ALREADY_VOTED, `airlock: you already decided on review ${review.id}`);
      throw err;
    }
    if (!result) throw new ReviewException(ReviewExceptionCode.ALREADY_DECIDED, `airlock: review ${review.id} was decided meanwhile; a decision is final`);
    const decided = result.review;
    if (result.final) await this.finalized(decided, by, conn?.webhookUrl ?? null);
    this.logger.log({ msg: 'review vote', reviewId: decided.id, approver: by.name, decision: input.decision, status: decided.status, sessionId: decided.sessionId });
    return toObject(decided);
  }

  async setPolicy(input: SetReviewPolicyInput): Promise<boolean> {
    const conn = await this.repo.connection(input.connection);
    if (!conn) throw new ReviewException(ReviewExceptionCode.CONNECTION_NOT_FOUND, `airlock: no connection named "${input.connection}"`);
    if (input.minApprovers !== undefined && input.minApprovers !== null && (!Number.isInteger(input.minApprovers) || input.minApprovers < 1 || input.minApprovers > 10)) {
      throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: minApprovers must be between 1 and 10');
    }
    let webhook: string | null | undefined;
    if (input.webhookUrl !== undefined && input.webhookUrl !== null) {
      webhook = input.webhookUrl === '' ? null : input.webhookUrl;
      if (webhook !== null && !/^https?:\/\/[^\s]+$/.test(webhook)) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: webhookUrl must be an http(s) URL');
    }
    await this.repo.setPolicy(input.connection, { minApprovers: input.minApprovers ?? undefined, webhookUrl: webhook });
    // minApprovers travels in the snapshot.
    if (input.minApprovers) await this.policy.publishPools([conn.poolId]);
    return true;
  }

  private checkScope(input: DecideReviewInput, review: ReviewRecord): { fingerprint: true; maxRuns: number | null; until: string | null } | null {
    const s = input.scope;
    if (!s) return null;
    if (input.decision !== ReviewDecisionValue.APPROVE) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: a scope only goes with APPROVE');
    if (s.fingerprint !== true) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: scope.fingerprint must be true');
    if (review.kind !== ReviewKind.STATEMENT || !review.fingerprint) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: only a statement review with a fingerprint can be approved with a scope');
    if (s.maxRuns !== undefined && s.maxRuns !== null && (!Number.isInteger(s.maxRuns) || s.maxRuns < 1 || s.maxRuns > 10_000)) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: scope.maxRuns must be between 1 and 10000');
    if (s.until && s.until.getTime() <= Date.now()) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: scope.until is in the past');
    if (!s.maxRuns && !s.until) throw new ReviewException(ReviewExceptionCode.INVALID_INPUT, 'airlock: a scope needs maxRuns or until (an unbounded standing approval is a rule, not a review)');
    return { fingerprint: true, maxRuns: s.maxRuns ?? null, until: s.until ? s.until.toISOString() : null };
  }

  private async finalized(review: ReviewRecord, by: Principal, webhookUrl: string | null): Promise<void> {
    if (review.kind === ReviewKind.ACCESS && review.status === ReviewStatus.APPROVED) await this.grants.issue(review, by);
    await this.decisions.publish(review, by.name);
    await this.webhooks.notify({ event: 'review.decided', review }, webhookUrl);
  }

  /** PENDING → EXPIRED/WITHDRAWN, then tells a still-waiting worker. */
  private async close(id: string, status: 'EXPIRED' | 'WITHDRAWN', reason: string): Promise<boolean> {
    const closed = await this.repo.close(id, status);
    if (!closed) return false;
    this.logger.log({ msg: `review ${status.toLowerCase()}`, reviewId: id, sessionId: closed.sessionId, reason });
    await this.decisions.publish(closed, null, reason);
    const conn = await this.repo.connection(closed.connection);
    await this.webhooks.notify({ event: 'review.decided', review: closed }, conn?.webhookUrl ?? null);
    return true;
  }
}
