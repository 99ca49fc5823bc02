import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type CompactJWSHeaderParameters,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { IdentityError, IdentityErrorCode } from './errors';
import { claimsToSubject, type Subject } from './subject';

export interface VerifiedToken {
  subject: Subject;
  claims: JWTPayload;
  protectedHeader: JWTHeaderParameters;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Asymmetric algorithms only: a shared-secret HS256 token can never be verified against a public JWKS. */
export const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
/** Longer than any sane JWT; refuses megabyte "tokens" before parsing them. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

interface CommonOptions {
  issuer: string;
  audience: string | string[];
  clockToleranceSec?: number;
  algorithms?: string[];
}

export interface JwtVerifierOptions extends CommonOptions {
  /** Default: `jwks_uri` from `${issuer}/.well-known/openid-configuration`, fetched on first use. */
  jwksUri?: string;
  /** How long a fetched JWKS is trusted before the next verification refetches it (jose default 10 min). */
  jwksCacheMaxAgeMs?: number;
  /**
   * After a fetch, an unknown `kid` is rejected without refetching for this long (jose default 30 s), so a
   * stream of forged tokens cannot turn into a stream of requests to the IdP.
   */
  jwksCooldownMs?: number;
  jwksTimeoutMs?: number;
  /**
   * When a JWKS refetch fails (IdP down, 5xx, timeout), keep using the last key set fetched successfully
   * instead of refusing every token. Default true: an IdP outage should not lock everyone out of the gateway.
   */
  jwksStaleIfError?: boolean;
  fetch?: FetchLike;
}

export interface LocalJwksVerifierOptions extends CommonOptions {
  jwks: JSONWebKeySet;
  /**
   * Called when a token names a `kid` the local set lacks (e.g. the IdP rotated keys since the snapshot was
   * built). Return a fresher JWKS, or undefined to keep the current one. Rate-limited by `refetchCooldownMs`.
   */
  refetchJwks?: () => Promise<JSONWebKeySet | undefined>;
  refetchCooldownMs?: number;
}

export interface LocalJwksVerifier extends TokenVerifier {
  /** Replaces the key set, e.g. when a new policy snapshot arrives. */
  update(jwks: JSONWebKeySet): void;
}

function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** Translates jose's error zoo into our codes; anything unrecognised is treated as malformed input. */
export function toIdentityError(err: unknown): IdentityError {
  if (err instanceof IdentityError) return err;
  const opts = { cause: err };
  if (err instanceof errors.JWTExpired) return new IdentityError(IdentityErrorCode.EXPIRED, undefined, opts);
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return new IdentityError(IdentityErrorCode.NOT_YET_VALID, undefined, opts);
      case 'aud':
        return new IdentityError(IdentityErrorCode.WRONG_AUDIENCE, undefined, opts);
      case 'iss':
        return new IdentityError(IdentityErrorCode.WRONG_ISSUER, undefined, opts);
      default:
        return new IdentityError(IdentityErrorCode.MALFORMED, `airlock: the token's "${err.claim}" claim is invalid (${err.reason})`, opts);
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new IdentityError(IdentityErrorCode.BAD_SIGNATURE, undefined, opts);
  if (err instanceof errors.JWKSNoMatchingKey) return new IdentityError(IdentityErrorCode.UNKNOWN_KEY, undefined, opts);
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: the token uses an unsupported signing algorithm', opts);
  }
  return new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: the token is not a valid signed JWT', opts);
}

function rethrowAsUnavailable(err: unknown): never {
  // A kid miss (or ambiguity) is the token's fault; anything else while fetching keys is the IdP's.
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
  if (err instanceof IdentityError) throw err;
  throw new IdentityError(IdentityErrorCode.JWKS_UNAVAILABLE, undefined, { cause: err });
}

async function verifyWith(token: string, key: JWTVerifyGetKey, opts: CommonOptions): Promise<VerifiedToken> {
  if (typeof token !== 'string' || !looksLikeJwt(token)) {
    throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: the token is not a JWT (expected three base64url parts)');
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      issuer: opts.issuer,
      audience: opts.audience,
      clockTolerance: opts.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
      algorithms: opts.algorithms ?? DEFAULT_ALGORITHMS,
      requiredClaims: ['sub', 'exp'],
    });
    return { subject: claimsToSubject(payload), claims: payload, protectedHeader };
  } catch (err) {
    throw toIdentityError(err);
  }
}

async function discoverJwksUri(issuer: string, fetchImpl: FetchLike, timeoutMs: number): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    throw new IdentityError(IdentityErrorCode.JWKS_UNAVAILABLE, `airlock: OIDC discovery failed at ${url}`, { cause: err });
  }
  if (doc.issuer !== issuer) {
    // OpenID Connect Discovery §4.3: the discovered issuer must equal the configured one exactly.
    throw new IdentityError(
      IdentityErrorCode.JWKS_UNAVAILABLE,
      `airlock: OIDC discovery at ${url} names issuer ${JSON.stringify(doc.issuer)}, expected ${JSON.stringify(issuer)} (check OIDC_ISSUER, including any trailing slash)`,
    );
  }
  if (typeof doc.jwks_uri !== 'string') {
    throw new IdentityError(IdentityErrorCode.JWKS_UNAVAILABLE, `airlock: OIDC discovery at ${url} has no jwks_uri`);
  }
  return doc.jwks_uri;
}

/** Verifies JWTs against the issuer's JWKS over HTTP, cached and refetched by jose's remote key set. */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.jwksTimeoutMs ?? 5_000;
  let remote: Promise<JWTVerifyGetKey> | undefined;
  let lastGoodJwks: string | undefined;

  const jwksFetch = async (url: string, init: RequestInit): Promise<Response> => {
    const stale = () => new Response(lastGoodJwks, { status: 200, headers: { 'content-type': 'application/json' } });
    const staleOk = options.jwksStaleIfError !== false;
    let res: Response;
    try {
      res = await fetchImpl(url, init);
    } catch (err) {
      if (staleOk && lastGoodJwks) return stale();
      throw err;
    }
    if (res.status !== 200) return staleOk && lastGoodJwks ? stale() : res;
    const text = await res.text();
    try {
      if (Array.isArray((JSON.parse(text) as { keys?: unknown }).keys)) lastGoodJwks = text;
    } catch {
      if (staleOk && lastGoodJwks) return stale();
    }
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };

  const buildRemote = async (): Promise<JWTVerifyGetKey> => {
    const uri = options.jwksUri ?? (await discoverJwksUri(options.issuer, fetchImpl, timeoutMs));
    return createRemoteJWKSet(new URL(uri), {
      cacheMaxAge: options.jwksCacheMaxAgeMs,
      cooldownDuration: options.jwksCooldownMs,
      timeoutDuration: timeoutMs,
      [customFetch]: jwksFetch,
    });
  };

  const getKey: JWTVerifyGetKey = async (header: CompactJWSHeaderParameters, input: FlattenedJWSInput) => {
    if (!remote) {
      remote = buildRemote();
      remote.catch(() => (remote = undefined)); // retry discovery on the next token, not never again
    }
    const jwks = await remote;
    try {
      return await jwks(header, input);
    } catch (err) {
      rethrowAsUnavailable(err);
    }
  };

  return { verify: (token) => verifyWith(token, getKey, options) };
}

/**
 * Verifies JWTs offline against a JWKS shipped in the policy snapshot, so a worker keeps authenticating while
 * the IdP is unreachable. An unknown `kid` may trigger one `refetchJwks` call (then a single retry).
 */
export function createLocalJwksVerifier(options: LocalJwksVerifierOptions): LocalJwksVerifier {
  let local = createLocalJWKSet(options.jwks);
  let lastRefetch = 0;
  const cooldown = options.refetchCooldownMs ?? 30_000;

  const getKey: JWTVerifyGetKey = async (header: CompactJWSHeaderParameters, input: FlattenedJWSInput) => {
    try {
      return await local(header, input);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || !options.refetchJwks || Date.now() - lastRefetch < cooldown) throw err;
    }
    lastRefetch = Date.now();
    let fresh: JSONWebKeySet | undefined;
    try {
      fresh = await options.refetchJwks();
    } catch (err) {
      rethrowAsUnavailable(err);
    }
    if (fresh) local = createLocalJWKSet(fresh);
    return local(header, input);
  };

  return {
    verify: (token) => verifyWith(token, getKey, options),
    update(jwks) {
      local = createLocalJWKSet(jwks);
    },
  };
}
