import { generatePoolKeyPair, open, seal as sealReal } from '@airlock/contracts';
import { describe, expect, it } from 'vitest';
import { compilePolicy, nextExpiry, type PoolPolicyData } from './policy-compiler';

const now = new Date('2026-11-27T12:00:00.000Z');
const later = new Date('2026-11-27T13:00:00.000Z');
const earlier = new Date('2026-11-27T11:00:00.000Z');
const pool = generatePoolKeyPair();

const data: PoolPolicyData = {
  pool: { name: 'default', publicKey: pool.publicKey, version: 7 },
  connections: [
    {
      id: 'c1', name: 'orders', kind: 'POSTGRES', host: 'db', port: 5432, database: 'orders', tls: { mode: 'require' }, guardrails: 'STANDARD', masking: true,
      reviewTimeoutSeconds: 300, minApprovers: 1,
      credentials: [{ profile: 'readonly', username: 'ro', secret: Buffer.from('{"password":"pw"}'), rotatedAt: earlier }],
    },
  ],
  grants: [
    { id: 'g1', subject: 'sa:bot', connection: 'orders', profile: 'readonly', expiresAt: null },
    { id: 'g2', subject: 'user:a@example.com', connection: 'orders', profile: 'readonly', expiresAt: later },
    { id: 'g3', subject: 'group:ops', connection: 'orders', profile: 'readonly', expiresAt: earlier },
  ],
  apiKeys: [{ lookupId: 'abc', hash: 'f'.repeat(64), identityId: 'i1', identityName: 'bot', expiresAt: null }],
  guardrailRules: [{ id: 'r1', connection: null, name: 'no-drop', enabled: true, priority: 10, action: 'BLOCK', message: 'no', match: { kinds: ['DROP'] } }],
  maskingRules: [],
};

describe('policy compiler', () => {
  // The "decryption" here is the identity: the test hands plaintext in as the stored envelope.
  const snapshot = compilePolicy(data, { decrypt: (s) => Buffer.from(s).toString('utf8'), seal: (p, k) => `sealed:${k.length}:${Buffer.from(p).toString('base64')}`, oidc: null, now });

  it('produces a snapshot that validates, with the pool version', () => {
    expect(snapshot).toMatchObject({ schemaVersion: 1, pool: 'default', version: 7, generatedAt: now.toISOString(), oidc: null });
    expect(snapshot.connections[0]).toMatchObject({ name: 'orders', tls: { mode: 'require' }, credentials: [{ profile: 'readonly', username: 'ro', rotatedAt: earlier.toISOString() }] });
  });

  it('ships guardrail rules in the exact shape sql-guard runs (lower-case action)', () => {
    expect(snapshot.guardrailRules).toEqual([{ id: 'r1', connection: null, name: 'no-drop', enabled: true, priority: 10, action: 'block', message: 'no', match: { kinds: ['DROP'] } }]);
  });

  it('leaves out grants that have already expired and keeps their expiry on the rest', () => {
    expect(snapshot.grants.map((g) => [g.id, g.expiresAt])).toEqual([['g1', null], ['g2', later.toISOString()]]);
    expect(nextExpiry(snapshot, now)).toEqual(later);
  });

  it('seals credentials to the pool key with the real sealed box', () => {
    const real = compilePolicy(data, { decrypt: (s) => Buffer.from(s).toString('utf8'), seal: (p, k) => sealReal(p, k), oidc: null, now });
    expect(JSON.parse(open(real.connections[0]!.credentials[0]!.sealed, pool.privateKey))).toEqual({ password: 'pw' });
    expect(JSON.stringify(real)).not.toContain('"pw"');
  });

  it('refuses to build a snapshot the workers would reject', () => {
    const bad = { ...data, grants: [{ id: 'g', subject: 'nobody', connection: 'orders', profile: 'readonly', expiresAt: null }] };
    expect(() => compilePolicy(bad, { decrypt: () => '{}', seal: () => 'x', oidc: null, now })).toThrow(/subject/);
  });
});
