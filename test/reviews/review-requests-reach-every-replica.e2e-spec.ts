import { waitFor } from '@airlock/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startReviewStack, type ReviewStack } from './stack';

describe('reviewRequested reaches consoles on every control-plane replica (Redis pub/sub between replicas)', () => {
  let s: ReviewStack;

  beforeAll(async () => {
    s = await startReviewStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('delivers a request stored by one replica to a subscription on another, and refuses the subscription to a member', async () => {
    const other = await s.replica();
    const subscribe = (url: string, token: string) => {
      const got: Array<{ id: string; kind: string }> = [];
      let error: unknown;
      const ws = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
      ws.subscribe<{ reviewRequested: { id: string; kind: string } }>(
        { query: 'subscription { reviewRequested { id kind connection requester } }' },
        { next: (m) => (m.data ? got.push(m.data.reviewRequested) : (error = m.errors)), error: (e) => (error = e), complete: () => undefined },
      );
      return { got, error: () => error, dispose: () => ws.dispose() };
    };
    const onOther = subscribe(other.url, s.tokens.alice);
    const onFirst = subscribe(s.cp.url, s.tokens.alice);
    const member = subscribe(other.url, s.tokens.carol);
    await new Promise((r) => setTimeout(r, 300));

    const { requestAccess } = await s.as<{ requestAccess: { id: string } }>(s.tokens.carol, 'mutation { requestAccess(input: { connection: "shop", duration: "3600", reason: "replicas" }) { id } }');
    for (const sub of [onOther, onFirst]) {
      const seen = await waitFor(() => sub.got.find((r) => r.id === requestAccess.id), 'the request on the subscription');
      expect(seen.kind).toBe('ACCESS');
    }
    await waitFor(() => member.error(), 'the member subscription to be refused');
    expect(JSON.stringify(member.error())).toMatch(/FORBIDDEN|requires the ADMIN/);
    expect(member.got).toHaveLength(0);
    for (const sub of [onOther, onFirst, member]) await sub.dispose();
  });
});
