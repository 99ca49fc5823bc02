import { generatePoolKeyPair } from '@airlock/contracts';
import { generateApiKey } from '@airlock/identity';
import { describe, expect, it } from 'vitest';
import { PolicyIndex } from '../policy/policy-index';
import { snapshotFixture } from '../policy/snapshot-fixture';
import { AccessErrorCode, authorize } from './authorize';

const pool = generatePoolKeyPair();
const key = generateApiKey();
const index = (grants: Parameters<typeof snapshotFixture>[0]['grants']) =>
  new PolicyIndex(snapshotFixture({ pool: 'p', version: 1, poolPublicKey: pool.publicKey, apiKey: { key: key.key, lookupId: key.id, name: 'agent' }, grants }), pool.privateKey);
const grant = (over: object = {}) => ({ id: 'g1', subject: 'sa:agent', connection: 'demo-pg', profile: 'readonly', expiresAt: null, ...over });

describe('authorize', () => {
  it('grants a service account with a standing grant and opens its credential', async () => {
    const access = await authorize(index([grant()]), key.key, 'demo-pg', 'POSTGRES');
    expect(access.subject.name).toBe('agent');
    expect(access.credential.secret.password).toBe('pw-123');
    expect(access.expiresAt).toBeUndefined();
  });

  it.each([
    ['no policy', undefined, key.key, 'demo-pg', AccessErrorCode.NoPolicy],
    ['a bad token', index([grant()]), 'alk_' + 'x'.repeat(43), 'demo-pg', AccessErrorCode.BadToken],
    ['garbage', index([grant()]), 'hello', 'demo-pg', AccessErrorCode.BadToken],
    ['an unknown connection', index([grant()]), key.key, 'nope', AccessErrorCode.UnknownConnection],
    ['no grant', index([]), key.key, 'demo-pg', AccessErrorCode.NoGrant],
    ['a grant for someone else', index([grant({ subject: 'sa:other' })]), key.key, 'demo-pg', AccessErrorCode.NoGrant],
    ['an expired grant', index([grant({ expiresAt: new Date(Date.now() - 1000).toISOString() })]), key.key, 'demo-pg', AccessErrorCode.NoGrant],
    ['a missing profile', index([grant({ profile: 'admin' })]), key.key, 'demo-pg', AccessErrorCode.NoCredential],
  ])('refuses %s', async (_what, idx, token, conn, code) => {
    await expect(authorize(idx, token, conn, 'POSTGRES')).rejects.toMatchObject({ code, message: expect.stringMatching(/^airlock: /) });
  });

  it('refuses a grant from the instant it expires, whatever the snapshot', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    const idx = index([grant({ expiresAt: expiresAt.toISOString() })]);
    expect((await authorize(idx, key.key, 'demo-pg', 'POSTGRES')).expiresAt).toEqual(expiresAt);
    await expect(authorize(idx, key.key, 'demo-pg', 'POSTGRES', new Date(expiresAt.getTime() + 1))).rejects.toMatchObject({ code: AccessErrorCode.NoGrant });
  });

  it('refuses a connection of another protocol', async () => {
    await expect(authorize(index([grant()]), key.key, 'demo-pg', 'SSH')).rejects.toMatchObject({ code: AccessErrorCode.WrongProtocol });
  });
});
