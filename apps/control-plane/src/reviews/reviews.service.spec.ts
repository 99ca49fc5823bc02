import { describe, expect, it } from 'vitest';
import { type Principal } from '../auth/principal';
import { IdentityKind, Role } from '../common/enums';
import { ReviewDecisionValue, ReviewKind, ReviewStatus } from './dto/review-request.object';
import { ReviewExceptionCode } from './reviews.exception';
import { type NewReview, type ReviewRecord } from './reviews.repository';
import { ReviewsService } from './reviews.service';

const principal = (name: string, kind = IdentityKind.USER): Principal => ({ identityId: '00000000-0000-4000-8000-000000000001', name, kind, email: null, roles: [Role.APPROVER], tokenKind: 'oidc', clientAddress: undefined });

function record(over: Partial<ReviewRecord> = {}): ReviewRecord {
  return {
    id: 'r_1', kind: ReviewKind.STATEMENT, connection: 'shop', requester: 'agent', requesterKind: 'SERVICE_ACCOUNT', statement: 'UPDATE t SET a = $1', fingerprint: 'fp', classification: null,
    rule: 'writes', sessionId: null, profile: null, durationSeconds: null, reason: null, scope: null, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), decidedAt: null,
    status: ReviewStatus.PENDING, decisions: [], ...over,
  };
}

/** In-memory stand-ins for the repository and the publishers; the order of side effects is recorded. */
function setup(stored: ReviewRecord | null, minApprovers = 1) {
  const calls: string[] = [];
  const reviews = new Map<string, ReviewRecord>(stored ? [[stored.id, stored]] : []);
  const repo = {
    find: async (id: string) => reviews.get(id) ?? null,
    connection: async () => ({ id: 'c', poolId: 'p', minApprovers, webhookUrl: null }),
    createOnce: async (r: NewReview) => {
      const created = !reviews.has(r.id);
      if (created) reviews.set(r.id, record({ id: r.id, kind: r.kind, requester: r.requesterName, requesterKind: r.requesterKind }));
      return { created, review: reviews.get(r.id)! };
    },
    voteFinal: async () => {
      calls.push('commit');
      return { at: new Date(), decidedAt: new Date() };
    },
    vote: async (_id: string, _v: unknown, finalize: (n: number) => unknown) => {
      calls.push('commit');
      const r = reviews.get('r_1')!;
      const outcome = finalize(r.decisions.length + 1) as { status: ReviewStatus } | null;
      return { review: { ...r, status: outcome?.status ?? ReviewStatus.PENDING }, final: outcome !== null };
    },
    close: async () => null,
  };
  const service = new ReviewsService(
    repo as never,
    { requested: async () => void calls.push('announce') } as never,
    { publish: async (r: ReviewRecord) => void calls.push(`publish:${r.status}`) } as never,
    { notify: async (n: { event: string }) => void calls.push(`webhook:${n.event}`) } as never,
    { issue: async () => void calls.push('grant') } as never,
    { publishPools: async () => undefined } as never,
  );
  return { service, calls };
}

const code = async (p: Promise<unknown>) => p.then(() => 'OK', (err: { code?: string }) => err.code);

describe('ReviewsService.decide', () => {
  it('refuses the requester deciding their own review, whatever the decision', async () => {
    const { service, calls } = setup(record({ requester: 'alice', requesterKind: 'USER' }));
    for (const decision of [ReviewDecisionValue.APPROVE, ReviewDecisionValue.REJECT]) {
      expect(await code(service.decide({ id: 'r_1', decision }, principal('alice')))).toBe(ReviewExceptionCode.SELF_APPROVAL);
    }
    expect(calls).toEqual([]);
  });

  it('tells a user apart from a service account of the same name', async () => {
    const { service } = setup(record({ requester: 'alice', requesterKind: 'SERVICE_ACCOUNT' }));
    expect(await code(service.decide({ id: 'r_1', decision: ReviewDecisionValue.APPROVE }, principal('alice')))).toBe('OK');
  });

  it('commits, then tells the worker, then notifies', async () => {
    const { service, calls } = setup(record());
    const out = await service.decide({ id: 'r_1', decision: ReviewDecisionValue.REJECT, reason: 'no' }, principal('bob'));
    expect(out.status).toBe(ReviewStatus.REJECTED);
    expect(out.decisions.at(-1)).toMatchObject({ approver: 'bob', reason: 'no' });
    expect(calls).toEqual(['commit', 'publish:REJECTED', 'webhook:review.decided']);
  });

  it('treats a decided, expired or unknown review as final or missing', async () => {
    expect(await code(setup(record({ status: ReviewStatus.APPROVED })).service.decide({ id: 'r_1', decision: ReviewDecisionValue.REJECT }, principal('bob')))).toBe(ReviewExceptionCode.ALREADY_DECIDED);
    expect(await code(setup(record({ expiresAt: new Date(Date.now() - 1) })).service.decide({ id: 'r_1', decision: ReviewDecisionValue.APPROVE }, principal('bob')))).toBe(ReviewExceptionCode.ALREADY_DECIDED);
    expect(await code(setup(null).service.decide({ id: 'r_1', decision: ReviewDecisionValue.APPROVE }, principal('bob')))).toBe(ReviewExceptionCode.NOT_FOUND);
  });

  it('refuses a second vote by the same approver', async () => {
    const { service } = setup(record({ decisions: [{ approver: 'bob', decision: ReviewDecisionValue.APPROVE, reason: null, at: new Date() }] }), 2);
    expect(await code(service.decide({ id: 'r_1', decision: ReviewDecisionValue.APPROVE }, principal('bob')))).toBe(ReviewExceptionCode.ALREADY_VOTED);
  });

  it('keeps the review pending until minApprovers approved, and publishes nothing before', async () => {
    const { service, calls } = setup(record(), 2);
    const out = await service.decide({ id: 'r_1', decision: ReviewDecisionValue.APPROVE }, principal('bob'));
    expect(out.status).toBe(ReviewStatus.PENDING);
    expect(calls).toEqual(['commit']);
  });

  it('validates scopes: APPROVE only, statement reviews only, bounded', async () => {
    const scoped = (scope: object, over: Partial<ReviewRecord> = {}, decision = ReviewDecisionValue.APPROVE) =>
      code(setup(record(over)).service.decide({ id: 'r_1', decision, scope: scope as never }, principal('bob')));
    expect(await scoped({ fingerprint: true })).toBe(ReviewExceptionCode.INVALID_INPUT);
    expect(await scoped({ fingerprint: false, maxRuns: 3 })).toBe(ReviewExceptionCode.INVALID_INPUT);
    expect(await scoped({ fingerprint: true, maxRuns: 3 }, {}, ReviewDecisionValue.REJECT)).toBe(ReviewExceptionCode.INVALID_INPUT);
    expect(await scoped({ fingerprint: true, maxRuns: 3 }, { kind: ReviewKind.ACCESS })).toBe(ReviewExceptionCode.INVALID_INPUT);
    expect(await scoped({ fingerprint: true, until: new Date(Date.now() - 1000) })).toBe(ReviewExceptionCode.INVALID_INPUT);
    expect(await scoped({ fingerprint: true, maxRuns: 3 })).toBe('OK');
  });

  it('grants access before telling anyone when an access request is approved', async () => {
    const { service, calls } = setup(record({ kind: ReviewKind.ACCESS, requester: 'carol', requesterKind: 'USER', durationSeconds: 60 }));
    await service.decide({ id: 'r_1', decision: ReviewDecisionValue.APPROVE }, principal('alice'));
    expect(calls).toEqual(['commit', 'grant', 'publish:APPROVED', 'webhook:review.decided']);
  });
});

describe('ReviewsService.requestFromWorker', () => {
  const job = { schemaVersion: 1, id: 'r_2', sessionId: '6f1c2b9e-8a41-4c1e-9d1b-2b7f0c3a9e11', requester: { kind: 'SERVICE_ACCOUNT', name: 'agent' }, connection: 'shop', statement: 'UPDATE t SET a = $1', fingerprint: 'fp', classification: null, rule: 'writes', expiresAt: new Date(Date.now() + 60_000).toISOString() };

  it('stores and announces a redelivered job once', async () => {
    const { service, calls } = setup(null);
    expect(await service.requestFromWorker(job)).toMatchObject({ created: true });
    expect(await service.requestFromWorker(job)).toMatchObject({ created: false });
    expect(calls).toEqual(['announce', 'webhook:review.requested']);
  });

  it('refuses a malformed job (unrecoverable, not retried)', async () => {
    expect(await code(setup(null).service.requestFromWorker({ ...job, sessionId: 'nope' }))).toBe(ReviewExceptionCode.INVALID_JOB);
  });
});
