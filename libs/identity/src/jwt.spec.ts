import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdentityError, IdentityErrorCode } from './errors';
import { createJwtVerifier, createLocalJwksVerifier } from './jwt';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const AUD = 'airlock';
let server: http.Server;
let issuer: string;
let jwks: JSONWebKeySet;
let jwksRequests = 0;
let jwksDown = false;
let discoveryRequests = 0;
let keyA: SigningKey;
let keyB: SigningKey;
let stranger: SigningKey;

function sign(key: SigningKey, claims: JWTPayload = {}, opts: { exp?: string | number; nbf?: string | number; iss?: string; aud?: string } = {}) {
  const jwt = new SignJWT({ preferred_username: 'alice', email: 'alice@example.com', groups: ['airlock-approvers'], client_id: 'airlock-console', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject('alice')
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? AUD)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m');
  if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
  return jwt.sign(key.privateKey);
}

async function expectCode(p: Promise<unknown>, code: IdentityErrorCode): Promise<IdentityError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityError);
  expect((err as IdentityError).code).toBe(code);
  expect((err as IdentityError).message).toMatch(/^airlock: /);
  return err as IdentityError;
}

beforeAll(async () => {
  [keyA, keyB, stranger] = await Promise.all([makeKey('key-a'), makeKey('key-b'), makeKey('key-a')]);
  server = http.createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      discoveryRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      jwksRequests++;
      if (jwksDown) {
        res.statusCode = 503;
        res.end('down');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  jwks = { keys: [keyA.publicJwk] };
  jwksRequests = 0;
  discoveryRequests = 0;
  jwksDown = false;
});

describe('createJwtVerifier (remote JWKS over HTTP)', () => {
  it('accepts a valid token, discovering jwks_uri from the issuer, and maps claims to a user subject', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD });
    const { subject, claims } = await verifier.verify(await sign(keyA));
    expect(subject).toMatchObject({ kind: 'user', id: 'alice', name: 'alice', email: 'alice@example.com', groups: ['airlock-approvers'], tokenKind: 'oidc' });
    expect(subject.expiresAt).toEqual(new Date((claims.exp as number) * 1000));
    expect(discoveryRequests).toBe(1);
    expect(jwksRequests).toBe(1);
    await verifier.verify(await sign(keyA));
    expect(jwksRequests).toBe(1); // cached
  });

  it('maps a client_credentials token (sub = client_id) to a service account', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks` });
    const token = await new SignJWT({ client_id: 'demo-agent' })
      .setProtectedHeader({ alg: 'RS256', kid: keyA.kid })
      .setSubject('demo-agent')
      .setIssuer(issuer)
      .setAudience(AUD)
      .setExpirationTime('5m')
      .sign(keyA.privateKey);
    const { subject } = await verifier.verify(token);
    expect(subject).toMatchObject({ kind: 'service_account', id: 'demo-agent', name: 'demo-agent', groups: [] });
    expect(discoveryRequests).toBe(0);
  });

  it('rejects an expired token (beyond the clock tolerance)', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD });
    const now = Math.floor(Date.now() / 1000);
    await expectCode(verifier.verify(await sign(keyA, {}, { exp: now - 60 })), IdentityErrorCode.EXPIRED);
    // within the default 30 s tolerance it still passes
    await verifier.verify(await sign(keyA, {}, { exp: now - 10 }));
  });

  it('rejects a token that is not valid yet', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD, clockToleranceSec: 5 });
    const now = Math.floor(Date.now() / 1000);
    await expectCode(verifier.verify(await sign(keyA, {}, { nbf: now + 120 })), IdentityErrorCode.NOT_YET_VALID);
  });

  it('rejects a wrong audience and a wrong issuer', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD });
    await expectCode(verifier.verify(await sign(keyA, {}, { aud: 'someone-else' })), IdentityErrorCode.WRONG_AUDIENCE);
    await expectCode(verifier.verify(await sign(keyA, {}, { iss: 'https://evil.example' })), IdentityErrorCode.WRONG_ISSUER);
  });

  it('rejects a bad signature (same kid, different key) and a tampered payload', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD });
    await expectCode(verifier.verify(await sign(stranger)), IdentityErrorCode.BAD_SIGNATURE);
    const [h, p, s] = (await sign(keyA)).split('.');
    const payload = JSON.parse(Buffer.from(p as string, 'base64url').toString()) as JWTPayload;
    payload['groups'] = ['airlock-admins'];
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const err = await expectCode(verifier.verify(forged), IdentityErrorCode.BAD_SIGNATURE);
    expect(err.message).not.toContain(forged);
  });

  it('refetches the JWKS exactly once for an unknown kid, then rejects', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD, jwksCooldownMs: 0 });
    await verifier.verify(await sign(keyA));
    expect(jwksRequests).toBe(1);
    await expectCode(verifier.verify(await sign(keyB)), IdentityErrorCode.UNKNOWN_KEY);
    expect(jwksRequests).toBe(2);
  });

  it('does not refetch during the cooldown, so forged kids cannot hammer the IdP', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD }); // jose default cooldown 30 s
    await verifier.verify(await sign(keyA));
    for (let i = 0; i < 5; i++) await expectCode(verifier.verify(await sign(keyB)), IdentityErrorCode.UNKNOWN_KEY);
    expect(jwksRequests).toBe(1);
  });

  it('accepts a rotated key after refetching the JWKS', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD, jwksCooldownMs: 0 });
    await verifier.verify(await sign(keyA));
    jwks = { keys: [keyA.publicJwk, keyB.publicJwk] };
    const { subject } = await verifier.verify(await sign(keyB));
    expect(subject.id).toBe('alice');
    expect(jwksRequests).toBe(2);
    await verifier.verify(await sign(keyB));
    expect(jwksRequests).toBe(2);
  });

  it('reports an unreachable JWKS as JWKS_UNAVAILABLE', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/missing` });
    await expectCode(verifier.verify(await sign(keyA)), IdentityErrorCode.JWKS_UNAVAILABLE);
    const down = createJwtVerifier({ issuer: 'http://127.0.0.1:1', audience: AUD });
    await expectCode(down.verify(await sign(keyA)), IdentityErrorCode.JWKS_UNAVAILABLE);
  });

  it('keeps the last good JWKS while the IdP is down (stale-if-error), unless disabled', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks`, jwksCacheMaxAgeMs: 0 });
    const strict = createJwtVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks`, jwksCacheMaxAgeMs: 0, jwksStaleIfError: false });
    await verifier.verify(await sign(keyA));
    await strict.verify(await sign(keyA));
    jwksDown = true;
    expect((await verifier.verify(await sign(keyA))).subject.id).toBe('alice');
    await expectCode(strict.verify(await sign(keyA)), IdentityErrorCode.JWKS_UNAVAILABLE);
    expect(jwksRequests).toBe(4); // both really tried to refetch
  });

  it('refuses a discovery document that names another issuer', async () => {
    const verifier = createJwtVerifier({ issuer: `${issuer}/`, audience: AUD });
    const err = await expectCode(verifier.verify(await sign(keyA)), IdentityErrorCode.JWKS_UNAVAILABLE);
    expect(err.message).toContain('trailing slash');
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const verifier = createJwtVerifier({ issuer, audience: AUD, fetch: (url, init) => (seen.push(url), fetch(url, init)) });
    await verifier.verify(await sign(keyA));
    expect(seen).toEqual([`${issuer}/.well-known/openid-configuration`, `${issuer}/jwks`]);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a token'],
    ['two parts', 'abc.def'],
    ['non-base64 parts', 'a$b.c%d.e^f'],
    ['header not JSON', `${Buffer.from('nope').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`],
    ['unsigned', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`],
    ['huge', `${'a'.repeat(20_000)}.b.c`],
  ])('rejects a malformed token (%s)', async (_name, token) => {
    const verifier = createJwtVerifier({ issuer, audience: AUD });
    const err = await expectCode(verifier.verify(token), IdentityErrorCode.MALFORMED);
    if (token.length > 3) expect(err.message).not.toContain(token);
  });

  it('rejects an HS256 token even if its secret were the public key material', async () => {
    const verifier = createJwtVerifier({ issuer, audience: AUD });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: keyA.kid })
      .setSubject('alice')
      .setIssuer(issuer)
      .setAudience(AUD)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expectCode(verifier.verify(token), IdentityErrorCode.MALFORMED);
  });
});

describe('createLocalJwksVerifier (offline, from the policy snapshot)', () => {
  it('verifies without any HTTP request', async () => {
    const verifier = createLocalJwksVerifier({ issuer, audience: AUD, jwks: { keys: [keyA.publicJwk] } });
    expect((await verifier.verify(await sign(keyA))).subject.groups).toEqual(['airlock-approvers']);
    expect(jwksRequests + discoveryRequests).toBe(0);
  });

  it('calls the refetch hook once for an unknown kid and accepts the rotated key', async () => {
    let calls = 0;
    const verifier = createLocalJwksVerifier({
      issuer,
      audience: AUD,
      jwks: { keys: [keyA.publicJwk] },
      refetchJwks: async () => (calls++, { keys: [keyA.publicJwk, keyB.publicJwk] }),
    });
    await verifier.verify(await sign(keyB));
    expect(calls).toBe(1);
    await verifier.verify(await sign(keyB));
    expect(calls).toBe(1);
  });

  it('rejects an unknown kid after one refetch, and rate-limits further refetches', async () => {
    let calls = 0;
    const verifier = createLocalJwksVerifier({
      issuer,
      audience: AUD,
      jwks: { keys: [keyA.publicJwk] },
      refetchJwks: async () => (calls++, undefined),
    });
    await expectCode(verifier.verify(await sign(keyB)), IdentityErrorCode.UNKNOWN_KEY);
    await expectCode(verifier.verify(await sign(keyB)), IdentityErrorCode.UNKNOWN_KEY);
    expect(calls).toBe(1);
  });

  it('reports a failing refetch hook as JWKS_UNAVAILABLE and picks up update()', async () => {
    const verifier = createLocalJwksVerifier({
      issuer,
      audience: AUD,
      jwks: { keys: [keyA.publicJwk] },
      refetchJwks: async () => {
        throw new Error('control plane down');
      },
    });
    await expectCode(verifier.verify(await sign(keyB)), IdentityErrorCode.JWKS_UNAVAILABLE);
    verifier.update({ keys: [keyB.publicJwk] });
    expect((await verifier.verify(await sign(keyB))).subject.id).toBe('alice');
  });
});
