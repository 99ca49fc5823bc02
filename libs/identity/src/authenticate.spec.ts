import { describe, expect, it } from 'vitest';
import { generateApiKey } from './api-key';
import { authenticate } from './authenticate';
import { IdentityError, IdentityErrorCode } from './errors';
import { type TokenVerifier } from './jwt';

const jwtSubject = { kind: 'user' as const, id: 'alice', name: 'alice', groups: [], tokenKind: 'oidc' as const };
const seen: string[] = [];
const jwt: TokenVerifier = {
  verify: async (token) => (seen.push(token), { subject: jwtSubject, claims: {}, protectedHeader: { alg: 'RS256' } }),
};

async function code(p: Promise<unknown>): Promise<IdentityErrorCode | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof IdentityError ? e.code : undefined),
  );
}

describe('authenticate', () => {
  it('routes alk_ credentials to the API key check', async () => {
    const k = generateApiKey();
    const subject = await authenticate(k.key, {
      jwt,
      apiKeys: (id) => (id === k.id ? { id, hash: k.hash, subject: { kind: 'service_account', id: 'sa', name: 'sa' } } : undefined),
    });
    expect(subject.tokenKind).toBe('api_key');
  });

  it('routes three-part credentials to the JWT verifier, tolerating a Bearer prefix', async () => {
    await expect(authenticate('Bearer aaa.bbb.ccc', { jwt })).resolves.toEqual(jwtSubject);
    expect(seen.at(-1)).toBe('aaa.bbb.ccc');
  });

  it('rejects anything else as malformed, without echoing it', async () => {
    for (const bad of ['', '   ', 'hunter2', 'a.b', 'a.b.c.d']) {
      const err = await authenticate(bad, { jwt }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IdentityError);
      expect((err as IdentityError).code).toBe(IdentityErrorCode.MALFORMED);
      if (bad.trim()) expect((err as IdentityError).message).not.toContain(bad);
    }
  });

  it('refuses a credential type that is not configured', async () => {
    expect(await code(authenticate(generateApiKey().key, { jwt }))).toBe(IdentityErrorCode.MALFORMED);
    expect(await code(authenticate('a.b.c', {}))).toBe(IdentityErrorCode.MALFORMED);
  });
});
