import { JobName, keySpace, scopeField, type ReviewDecisionMessage, type ReviewRequestJob, type ScopedApproval, type SnapshotConnection } from '@airlock/contracts';
import { initSqlGuard, type Decision } from '@airlock/sql-guard';
import { testRedisPrefix, dropRedisPrefix, waitFor } from '@airlock/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllowVerdict, BlockVerdict, HoldVerdict, SessionHooks, SessionInfo, StatementVerdict } from '../postgres/hooks';
import { ReviewClient } from './review-client';
import { holdForReview, maskStatement, ReviewEngine, type ReviewTrailEvent } from './review-engine';

const REDIS = 'redis://127.0.0.1:6379';

/** Drives the review engine's HoldVerdict directly against the real Redis, playing the control plane by hand. */
describe('review engine (real Redis, BullMQ, pub/sub)', () => {
  const prefix = testRedisPrefix();
  const keys = keySpace(prefix);
  const log = pino({ level: 'silent' });
  const trail: ReviewTrailEvent[] = [];
  let client: ReviewClient;
  let engine: ReviewEngine;
  let redis: Redis;
  let queue: Queue;

  const connection = (timeout = 300): SnapshotConnection => ({
    id: 'c1', name: 'shop', kind: 'POSTGRES', host: '127.0.0.1', port: 5432, database: 'shop', tls: { mode: 'disable' }, guardrails: 'STANDARD', masking: false,
    reviewTimeoutSeconds: timeout, minApprovers: 1, credentials: [],
  });
  const session = (timeout?: number): { info: SessionInfo; hooks: SessionHooks } => {
    const info: SessionInfo = {
      sessionId: '6f1c2b9e-8a41-4c1e-9d1b-2b7f0c3a9e11', workerId: 'w1', subject: { kind: 'service_account', id: 'sa1', name: 'agent', groups: [], tokenKind: 'api_key' },
      connection: connection(timeout), profile: 'readwrite', clientUser: 'agent', applicationName: null, clientAddress: null, tls: false, startedAt: new Date(), expiresAt: undefined,
    };
    return { info, hooks: engine.hooks()(info) };
  };
  const decision = (fingerprint = 'fp-update-customers'): Decision => ({ verdict: 'review', rule: { id: 'writes', name: 'writes', message: 'data changes need review' }, reason: 'UPDATE', statements: [], fingerprint });
  const hold = (info: SessionInfo, sql = "UPDATE customers SET email = 'a@b.c' WHERE id = 1"): HoldVerdict => holdForReview(decision(), sql, info) as HoldVerdict;
  const idOf = (v: HoldVerdict) => /review (r_[0-9a-f]+)/.exec(v.notice ?? '')![1];
  const job = async (id: string) => waitFor(async () => (await queue.getJob(id)) ?? undefined, `job ${id}`);
  const publish = (msg: Omit<ReviewDecisionMessage, 'schemaVersion'>) => redis.publish(keys.decisionChannel(), JSON.stringify({ schemaVersion: 1, ...msg }));

  beforeAll(async () => {
    await initSqlGuard();
    redis = new Redis(REDIS);
    queue = new Queue('reviews', { connection: new Redis(REDIS, { maxRetriesPerRequest: null }), prefix: keys.queuePrefix() });
    client = new ReviewClient(REDIS, keys, log);
    await client.start();
    engine = new ReviewEngine({ client, consoleUrl: 'https://airlock.example/', log, onEvent: (_info, e) => trail.push(e) });
  });

  afterAll(async () => {
    await client.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
  });

  it('holds with a notice, enqueues a masked request, and lets the statement through on approval', async () => {
    const { info } = session();
    const v = hold(info);
    expect(v.action).toBe('hold');
    const id = idOf(v);
    expect(v.notice).toBe(`airlock: waiting for approval of review ${id} — https://airlock.example/reviews/${id}`);
    const j = await job(id);
    expect(j.name).toBe(JobName.RequestReview);
    expect(j.opts.attempts).toBeGreaterThan(1);
    const data = j.data as ReviewRequestJob;
    expect(data).toMatchObject({ id, connection: 'shop', requester: { kind: 'SERVICE_ACCOUNT', name: 'agent' }, statement: 'UPDATE customers SET email = $1 WHERE id = $2', fingerprint: 'fp-update-customers', rule: 'writes' });
    expect(JSON.stringify(data)).not.toContain('a@b.c');
    await publish({ id, status: 'APPROVED', approver: 'alice', reason: null, scope: null });
    expect(await v.decision).toEqual({ action: 'allow' });
    expect(trail.filter((e) => e.reviewId === id).map((e) => e.status)).toEqual(['REQUESTED', 'APPROVED']);
  });

  it('answers a rejection with 42501 naming the approver and the reason', async () => {
    const { info } = session();
    const v = hold(info);
    const id = idOf(v);
    await job(id);
    await publish({ id, status: 'REJECTED', approver: 'alice', reason: 'not now', scope: null });
    expect(await v.decision).toMatchObject({ action: 'block', code: '42501', message: `airlock: review ${id} rejected by alice: not now` });
  });

  it('times out with 57014 after reviewTimeoutSeconds and withdraws the request as EXPIRED', async () => {
    const { info } = session(1);
    const started = Date.now();
    const v = hold(info);
    const id = idOf(v);
    const verdict = (await v.decision) as BlockVerdict;
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(verdict).toMatchObject({ action: 'block', code: '57014', message: `airlock: review ${id} timed out after 1 s` });
    const w = await job(`${id}-withdraw`);
    expect(w.data).toMatchObject({ id, status: 'EXPIRED' });
  });

  it('withdraws the request when the session ends while held', async () => {
    const { info, hooks } = session();
    const v = hold(info);
    const id = idOf(v);
    hooks.onEnd!('client closed', { bytesIn: 0, bytesOut: 0, statements: 1 });
    expect(await v.decision).toMatchObject({ action: 'block', code: '57014' });
    expect((await job(`${id}-withdraw`)).data).toMatchObject({ id, status: 'WITHDRAWN' });
  });

  it('withdraws the request on a cancel request for the session', async () => {
    const { info, hooks } = session();
    const v = hold(info);
    const id = idOf(v);
    hooks.onCancel!();
    expect(await v.decision).toMatchObject({ action: 'block', code: '57014', message: `airlock: review ${id} withdrawn: canceled by the client` });
    expect((await job(`${id}-withdraw`)).data).toMatchObject({ id, status: 'WITHDRAWN' });
  });

  it('reads a decision it missed on pub/sub from its key when the subscriber reconnects', async () => {
    const { info } = session();
    const v = hold(info);
    const id = idOf(v);
    await job(id);
    // Stored without a message: as if published while the subscriber was down.
    await redis.set(keys.reviewDecision(id), JSON.stringify({ schemaVersion: 1, id, status: 'APPROVED', approver: 'bob', reason: null, scope: null }), 'EX', 60);
    (client as unknown as { sub: Redis }).sub.disconnect(true);
    expect(await v.decision).toEqual({ action: 'allow' });
  });

  it('lets maxRuns statements of an approved shape through without a hold, counted in Redis, then holds again', async () => {
    const { info } = session();
    const field = scopeField('shop', 'sa:agent', 'fp-update-customers');
    const scope: ScopedApproval = { reviewId: 'r_scope', approver: 'alice', connection: 'shop', identity: 'sa:agent', fingerprint: 'fp-update-customers', until: null, maxRuns: 2 };
    await redis.multi().hset(keys.reviewScopes(), field, JSON.stringify(scope)).hset(keys.reviewScopeRuns(), field, '2').exec();
    await publish({ id: 'r_scope', status: 'APPROVED', approver: 'alice', reason: null, scope: { fingerprint: true, maxRuns: 2 }, match: { connection: 'shop', identity: 'sa:agent', fingerprint: 'fp-update-customers' } });
    await waitFor(() => client.scopeFor('shop', 'sa:agent', 'fp-update-customers'), 'the worker to learn the scope');
    for (let i = 0; i < 2; i++) {
      const v = holdForReview(decision(), 'UPDATE customers SET email = $1 WHERE id = 1', info) as Promise<StatementVerdict>;
      expect(typeof (v as Promise<unknown>).then).toBe('function');
      expect(await v).toEqual({ action: 'allow' } satisfies AllowVerdict);
    }
    expect(await redis.hexists(keys.reviewScopes(), field)).toBe(0);
    const third = holdForReview(decision(), 'UPDATE customers SET email = $1 WHERE id = 1', info) as HoldVerdict;
    expect(third.action).toBe('hold');
    info.connection.reviewTimeoutSeconds = 300;
    await publish({ id: idOf(third), status: 'REJECTED', approver: 'alice', reason: 'enough', scope: null });
    expect((await third.decision).action).toBe('block');
  });

  it('masks literals even where the parser cannot normalize', () => {
    expect(maskStatement("UPDATE t SET a = 'secret' WHERE id = 42")).toBe('UPDATE t SET a = $1 WHERE id = $2');
    expect(maskStatement("UPDATE t SET a = 'x'' y' WHERE id = 4 AND (")).not.toMatch(/x|4/);
  });
});
