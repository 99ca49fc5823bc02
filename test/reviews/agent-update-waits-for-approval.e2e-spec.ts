import { createClient } from 'graphql-ws';
import { waitFor, withAdmin } from '@airlock/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REVIEW_FIELDS, startReviewStack, type ReviewStack } from './stack';

interface Review {
  id: string;
  kind: string;
  connection: string;
  requester: string;
  statement: string;
  fingerprint: string | null;
  status: string;
  expiresAt: string;
  decisions: Array<{ approver: string; decision: string; reason: string | null }>;
}

describe('a held UPDATE waits for a human (psql → worker → control plane → approver → psql)', () => {
  let s: ReviewStack;
  const decide = async (token: string, input: Record<string, unknown>) =>
    (await s.as<{ decideReview: Review }>(token, `mutation($i: DecideReviewInput!) { decideReview(input: $i) { ${REVIEW_FIELDS} } }`, { i: input })).decideReview;
  const review = async (id: string) => (await s.as<{ reviewRequest: Review }>(s.tokens.alice, `query($id: String!) { reviewRequest(id: $id) { ${REVIEW_FIELDS} } }`, { id })).reviewRequest;
  /** The notice reaches psql before the control plane has stored the request; approvers see it once stored. */
  const stored = (id: string) => waitFor(() => review(id).catch(() => undefined), `review ${id} to be stored`);
  const held = async (run: ReturnType<ReviewStack['psql']>) => {
    const id = await run.reviewId();
    await stored(id);
    return id;
  };
  const errorCode = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'OK';
    } catch (err) {
      return (err as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code;
    }
  };

  beforeAll(async () => {
    s = await startReviewStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('shows the notice at once, streams the request to an approver subscription, runs the UPDATE once alice approves', async () => {
    const ws = createClient({ url: `${s.cp.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${s.tokens.alice}` }, retryAttempts: 0 });
    const live: Review[] = [];
    const subscribed = new Promise<void>((resolve, reject) => {
      ws.subscribe<{ reviewRequested: Review }>({ query: `subscription { reviewRequested { ${REVIEW_FIELDS} } }` }, { next: (m) => live.push(m.data!.reviewRequested), error: reject, complete: () => undefined });
      setTimeout(resolve, 300);
    });
    await subscribed;
    // The connection's own webhook, whose URL carries a secret (as Slack's do). Every command Redis
    // receives from now on is watched for it.
    const secretPath = '/services/T0/B0/conn-hook-secret-7f3a9c';
    await s.as(s.adminToken, 'mutation($i: SetReviewPolicyInput!) { setReviewPolicy(input: $i) }', { i: { connection: 'shop', webhookUrl: s.hookBase + secretPath } });
    const monitor = await new Redis('redis://127.0.0.1:6379').monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')));

    const run = s.psql("UPDATE customers SET email = 'approved@example.com' WHERE id = 1");
    const id = await held(run);
    expect(run.stderr()).toContain(`airlock: waiting for approval of review ${id} — http://console.example/reviews/${id}`);
    const seen = await waitFor(() => live.find((r) => r.id === id), 'the subscription to deliver the review');
    expect(seen).toMatchObject({ kind: 'STATEMENT', connection: 'shop', requester: 'agent', status: 'PENDING' });
    // Literals never leave the worker.
    expect(seen.statement).toBe('UPDATE customers SET email = $1 WHERE id = $2');
    expect(seen.fingerprint).toBeTruthy();
    expect(await s.email()).toBe('user1@example.com');

    const pending = await s.as<{ reviewRequests: Review[] }>(s.tokens.alice, `{ reviewRequests(status: PENDING) { ${REVIEW_FIELDS} } }`);
    expect(pending.reviewRequests.map((r) => r.id)).toContain(id);

    const decided = await decide(s.tokens.alice, { id, decision: 'APPROVE', reason: 'ticket OPS-1' });
    expect(decided.status).toBe('APPROVED');
    expect(decided.decisions).toEqual([expect.objectContaining({ approver: 'alice', decision: 'APPROVE', reason: 'ticket OPS-1' })]);
    expect(await run.done).toBe(0);
    expect(run.stdout()).toContain('UPDATE 1');
    expect(await s.email()).toBe('approved@example.com');
    await ws.dispose();

    // A decision is final.
    expect(await errorCode(decide(s.tokens.bob, { id, decision: 'REJECT', reason: 'too late' }))).toBe('CONFLICT');
    // Webhooks: one on the request, one on the decision, to each URL; Slack-compatible text, no credentials.
    const hooks = await waitFor(() => {
      const mine = s.webhooks.filter((w) => JSON.stringify(w).includes(id));
      return mine.length >= 4 ? mine : undefined;
    }, 'two webhooks for the review, to the global URL and to the connection\'s');
    expect(hooks.map((h) => h['event']).sort()).toEqual(['review.decided', 'review.decided', 'review.requested', 'review.requested']);
    for (const h of hooks) {
      expect(typeof h['text']).toBe('string');
      expect(JSON.stringify(h)).not.toContain(s.agentKey);
      expect(JSON.stringify(h)).not.toContain('approved@example.com');
    }
    // The connection's webhook got both too; its URL never crossed Redis, nor sits in the database, in clear.
    await waitFor(() => (s.webhookPaths.filter((p) => p === secretPath).length >= 2 ? true : undefined), "the connection's webhook delivered twice");
    monitor.disconnect();
    expect(commands.some((c) => c.includes(s.prefix))).toBe(true);
    expect(commands.filter((c) => c.includes('conn-hook-secret'))).toEqual([]);
    const row = await withAdmin(async (c) => (await c.query<{ url: string | null; sealed: Buffer | null }>('SELECT "reviewWebhookUrl" AS url, "reviewWebhookSealed" AS sealed FROM "Connection" WHERE name = $1', ['shop'])).rows[0]!, s.dbUrl);
    expect(row.url).toBeNull();
    expect(row.sealed!.toString('latin1')).not.toContain('conn-hook-secret');
  });

  it('answers a rejection with 42501 and the approver and reason; nothing reaches the target', async () => {
    const run = s.psql("UPDATE customers SET email = 'rejected@example.com' WHERE id = 1");
    const id = await held(run);
    await decide(s.tokens.alice, { id, decision: 'REJECT', reason: 'not during the freeze' });
    expect(await run.done).not.toBe(0);
    expect(run.stderr()).toContain(`ERROR:  airlock: review ${id} rejected by alice: not during the freeze`);
    expect(await s.email()).toBe('approved@example.com');
    expect((await review(id)).status).toBe('REJECTED');
  });

  it('refuses self-approval (FORBIDDEN) and a member deciding at all; another approver may', async () => {
    const run = s.psql("UPDATE customers SET name = 'Alice did it' WHERE id = 2", { token: s.tokens.alice });
    const id = await held(run);
    expect((await review(id)).requester).toBe('alice');
    expect(await errorCode(decide(s.tokens.alice, { id, decision: 'APPROVE' }))).toBe('FORBIDDEN');
    expect(await errorCode(decide(s.tokens.carol, { id, decision: 'APPROVE' }))).toBe('FORBIDDEN');
    await decide(s.tokens.bob, { id, decision: 'APPROVE' });
    expect(await run.done).toBe(0);
    expect(run.stdout()).toContain('UPDATE 1');
  });

  it('times out with 57014 after the connection’s reviewTimeoutSeconds and marks the review EXPIRED', async () => {
    await s.as(s.adminToken, 'mutation { setConnectionPolicy(input: { connection: "shop", reviewTimeoutSeconds: 5 }) { name } }');
    await waitFor(() => s.worker.ctx.policy.current?.connections.get('shop')?.reviewTimeoutSeconds === 5 || undefined, 'the worker to see the new timeout');
    const started = Date.now();
    const run = s.psql("UPDATE customers SET email = 'timeout@example.com' WHERE id = 1");
    const id = await held(run);
    expect(await run.done).not.toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
    expect(run.stderr()).toContain(`ERROR:  airlock: review ${id} timed out after 5 s`);
    await waitFor(async () => (await review(id)).status === 'EXPIRED' || undefined, 'the review to be EXPIRED');
    expect(await s.email()).toBe('approved@example.com');
    expect(await errorCode(decide(s.tokens.alice, { id, decision: 'APPROVE' }))).toBe('CONFLICT');
    await s.as(s.adminToken, 'mutation { setConnectionPolicy(input: { connection: "shop", reviewTimeoutSeconds: 300 }) { name } }');
  });

  it('withdraws the review when the client disconnects while held; nothing reaches the target', async () => {
    const run = s.psql("UPDATE customers SET email = 'gone@example.com' WHERE id = 1");
    const id = await held(run);
    run.child.kill('SIGKILL');
    await run.done;
    await waitFor(async () => (await review(id)).status === 'WITHDRAWN' || undefined, 'the review to be WITHDRAWN');
    expect(await errorCode(decide(s.tokens.alice, { id, decision: 'APPROVE' }))).toBe('CONFLICT');
    await new Promise((r) => setTimeout(r, 200));
    expect(await s.email()).toBe('approved@example.com');
  });

  it('withdraws the review on a cancel request (psql Ctrl-C); nothing reaches the target', async () => {
    const before = await s.email();
    const run = s.psql("UPDATE customers SET email = 'cancelled@example.com' WHERE id = 1");
    const id = await held(run);
    run.child.kill('SIGINT');
    expect(await run.done).not.toBe(0);
    expect(run.stderr()).toContain(`ERROR:  airlock: review ${id} withdrawn: canceled by the client`);
    await waitFor(async () => (await review(id)).status === 'WITHDRAWN' || undefined, 'the review to be WITHDRAWN');
    expect(await s.email()).toBe(before);
  });

  it('lets the same statement shape run maxRuns more times without review after a scoped approval, then asks again', async () => {
    const first = s.psql("UPDATE customers SET name = 'n0' WHERE id = 3");
    const id = await held(first);
    await decide(s.tokens.alice, { id, decision: 'APPROVE', reason: 'batch', scope: { fingerprint: true, maxRuns: 3 } });
    expect(await first.done).toBe(0);
    for (let i = 1; i <= 3; i++) {
      const run = s.psql(`UPDATE customers SET name = 'n${i}' WHERE id = ${3 + i}`);
      expect(await run.done).toBe(0);
      expect(run.stdout()).toContain('UPDATE 1');
      expect(run.stderr()).not.toContain('waiting for approval');
    }
    const fourth = s.psql("UPDATE customers SET name = 'n4' WHERE id = 7");
    const again = await held(fourth);
    expect(again).not.toBe(id);
    // A different shape was never covered.
    await decide(s.tokens.alice, { id: again, decision: 'REJECT', reason: 'enough' });
    expect(await fourth.done).not.toBe(0);
  });

  it('needs minApprovers distinct approvals when the connection asks for two; a scope must be bounded', async () => {
    await s.as(s.adminToken, 'mutation { setReviewPolicy(input: { connection: "shop", minApprovers: 2 }) }');
    const run = s.psql("UPDATE customers SET name = 'two approvers' WHERE id = 10");
    const id = await held(run);
    expect(await errorCode(decide(s.tokens.alice, { id, decision: 'APPROVE', scope: { fingerprint: true } }))).toBe('BAD_USER_INPUT');
    const first = await decide(s.tokens.alice, { id, decision: 'APPROVE', reason: 'one' });
    expect(first.status).toBe('PENDING');
    expect(await errorCode(decide(s.tokens.alice, { id, decision: 'APPROVE' }))).toBe('CONFLICT');
    await new Promise((r) => setTimeout(r, 300));
    expect(run.stdout()).toBe('');
    const second = await decide(s.tokens.bob, { id, decision: 'APPROVE', reason: 'two' });
    expect(second.status).toBe('APPROVED');
    expect(second.decisions.map((d) => d.approver)).toEqual(['alice', 'bob']);
    expect(await run.done).toBe(0);
    expect(run.stdout()).toContain('UPDATE 1');
    await s.as(s.adminToken, 'mutation { setReviewPolicy(input: { connection: "shop", minApprovers: 1 }) }');
  });

  it('stores a redelivered review request once', async () => {
    const run = s.psql("UPDATE customers SET name = 'dup' WHERE id = 9");
    const id = await held(run);
    const before = (await s.as<{ reviewRequests: Review[] }>(s.tokens.alice, '{ reviewRequests { id } }')).reviewRequests.length;
    const { Queue } = await import('bullmq');
    const { keySpace, JobName } = await import('@airlock/contracts');
    const prefix = s.worker.ctx.config.redisPrefix;
    const q = new Queue('reviews', { connection: { host: '127.0.0.1', port: 6379 }, prefix: keySpace(prefix).queuePrefix() });
    const job = { schemaVersion: 1, id, sessionId: '00000000-0000-4000-8000-000000000000', requester: { kind: 'SERVICE_ACCOUNT', name: 'agent' }, connection: 'shop', statement: 'x', fingerprint: null, classification: null, rule: null, expiresAt: new Date(Date.now() + 60_000).toISOString() };
    await q.add(JobName.RequestReview, job, { jobId: `${id}-again`, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    await q.add(JobName.RequestReview, job, { jobId: `${id}-again2`, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    await waitFor(async () => (await q.getJobCounts('wait', 'active')).wait + (await q.getJobCounts('wait', 'active')).active === 0 || undefined, 'the jobs to be consumed');
    await q.close();
    const after = (await s.as<{ reviewRequests: Review[] }>(s.tokens.alice, '{ reviewRequests { id } }')).reviewRequests.length;
    expect(after).toBe(before);
    expect((await review(id)).statement).toBe('UPDATE customers SET name = $1 WHERE id = $2');
    await decide(s.tokens.alice, { id, decision: 'REJECT' });
    await run.done;
  });

  it('seals a webhook URL an earlier version stored in clear when a control plane starts, and still delivers to it', async () => {
    const legacyPath = '/services/T1/B1/legacy-hook-secret-2b8e';
    await withAdmin((c) => c.query('UPDATE "Connection" SET "reviewWebhookUrl" = $1, "reviewWebhookSealed" = NULL WHERE name = $2', [s.hookBase + legacyPath, 'shop']), s.dbUrl);
    await s.replica();
    const row = await withAdmin(async (c) => (await c.query<{ url: string | null; sealed: Buffer | null }>('SELECT "reviewWebhookUrl" AS url, "reviewWebhookSealed" AS sealed FROM "Connection" WHERE name = $1', ['shop'])).rows[0]!, s.dbUrl);
    expect(row.url).toBeNull();
    expect(row.sealed).not.toBeNull();
    expect(row.sealed!.toString('latin1')).not.toContain('legacy-hook-secret');

    const run = s.psql("UPDATE customers SET email = 'legacy@example.com' WHERE id = 3");
    const id = await held(run);
    await decide(s.tokens.alice, { id, decision: 'REJECT', reason: 'checking the hook' });
    expect(await run.done).not.toBe(0);
    await waitFor(() => (s.webhookPaths.includes(legacyPath) ? true : undefined), 'the webhook delivered to the sealed URL');
  });
});
