import { waitFor } from '@airlock/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_FIELDS, startReviewStack, type ReviewStack } from './stack';

describe('just-in-time access: request, approval, use, expiry (the live session is closed at expiry)', () => {
  let s: ReviewStack;
  const connect = async (token: string) => {
    const c = new Client({ host: '127.0.0.1', port: s.pgPort, user: 'carol', password: token, database: 'shop', ssl: false, connectionTimeoutMillis: 5000 });
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    s = await startReviewStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('grants carol time-bound access once alice approves, and takes it away when it expires', async () => {
    // No grant yet: the worker refuses carol.
    await expect(connect(s.tokens.carol)).rejects.toThrow(/airlock:/);

    const bad = await s.gql('mutation { requestAccess(input: { connection: "shop", duration: "forever", reason: "x" }) { id } }', {}, s.tokens.carol);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await s.gql('mutation { requestAccess(input: { connection: "nope", duration: "PT1H", reason: "x" }) { id } }', {}, s.tokens.carol);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const { requestAccess } = await s.as<{ requestAccess: { id: string; kind: string; status: string; requester: string } }>(
      s.tokens.carol,
      'mutation { requestAccess(input: { connection: "shop", duration: "PT6S", reason: "INC-42: fix a customer record" }) { id kind status requester } }',
    );
    expect(requestAccess).toMatchObject({ kind: 'ACCESS', status: 'PENDING', requester: 'carol' });
    const listed = await s.as<{ reviewRequests: Array<{ id: string; kind: string }> }>(s.tokens.alice, `{ reviewRequests(status: PENDING) { ${REVIEW_FIELDS} } }`);
    expect(listed.reviewRequests.find((r) => r.id === requestAccess.id)?.kind).toBe('ACCESS');
    // Nobody decides their own request; a member cannot decide at all.
    const self = await s.gql(`mutation { decideReview(input: { id: "${requestAccess.id}", decision: APPROVE }) { id } }`, {}, s.tokens.carol);
    expect(self.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await s.as(s.tokens.alice, `mutation { decideReview(input: { id: "${requestAccess.id}", decision: APPROVE, reason: "ok for the incident" }) { status } }`);
    const { accessGrants } = await s.as<{ accessGrants: Array<{ subject: string; source: string; expiresAt: string }> }>(s.tokens.alice, '{ accessGrants(connection: "shop") { subject source expiresAt } }');
    const jit = accessGrants.find((g) => g.subject === 'user:carol@example.com');
    expect(jit?.source).toBe('JUST_IN_TIME');
    expect(Date.parse(jit!.expiresAt) - Date.now()).toBeLessThanOrEqual(6000);

    await waitFor(() => s.worker.ctx.policy.current?.grants('shop').some((g) => g.subject === 'user:carol@example.com') || undefined, 'the worker to see the grant');
    const live = await connect(s.tokens.carol);
    const closed = new Promise<string>((resolve) => {
      live.on('error', (err: Error) => resolve(err.message));
      live.on('end', () => resolve('ended'));
    });
    expect((await live.query('SELECT count(*)::int AS n FROM customers')).rows[0].n).toBe(20);

    // At expiresAt the proxy closes the live session with a clear message…
    const message = await closed;
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(jit!.expiresAt) - 50);
    expect(message).toBe('airlock: access to "shop" expired');
    // …and refuses new connections.
    await expect(connect(s.tokens.carol)).rejects.toThrow(/airlock:/);
  });
});
