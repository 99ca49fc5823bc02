import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface GqlResponse<T = Record<string, unknown>> {
  data: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }>;
}

/** A GraphQL-over-HTTP client that keeps every raw response body, so tests can grep them for secrets. */
export function gqlClient(url: string, bodies: string[] = []) {
  return async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    bodies.push(text);
    return JSON.parse(text) as GqlResponse<T>;
  };
}

/** A minimal OpenID issuer (discovery + JWKS) signing tokens with a local RS256 key, as libs/identity's tests do. */
export async function startLocalIssuer(): Promise<{ issuer: string; sign(claims: Record<string, unknown>, opts?: { exp?: string | number; aud?: string; sub?: string }): Promise<string>; close(): Promise<void> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key: CryptoKey = privateKey;
  return {
    issuer,
    sign: (claims, opts = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setSubject(opts.sub ?? 'alice-sub')
        .setIssuer(issuer)
        .setAudience(opts.aud ?? 'airlock')
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? '5m')
        .sign(key),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
