import { API_KEY_PREFIX, verifyApiKey, type ApiKeyLookup } from './api-key';
import { IdentityError, IdentityErrorCode } from './errors';
import { type TokenVerifier } from './jwt';
import { type Subject } from './subject';

export interface AuthenticateDeps {
  /** JWT verifier (remote JWKS or local snapshot JWKS). Without it JWTs are refused. */
  jwt?: TokenVerifier;
  /** Finds a stored API key by its id. Without it API keys are refused. */
  apiKeys?: ApiKeyLookup;
  now?: () => Date;
}

/**
 * One entry point for every protocol: `alk_…` is an API key, three dot-separated parts is a JWT, anything
 * else is malformed. An HTTP `Bearer ` prefix is tolerated.
 */
export async function authenticate(presented: string, deps: AuthenticateDeps): Promise<Subject> {
  if (typeof presented !== 'string') throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: no credential presented');
  const credential = presented.replace(/^Bearer\s+/i, '').trim();
  if (credential.length === 0) throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: no credential presented');
  if (credential.startsWith(API_KEY_PREFIX)) {
    if (!deps.apiKeys) throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: API keys are not accepted here');
    return verifyApiKey(credential, deps.apiKeys, deps.now?.() ?? new Date());
  }
  if (credential.split('.').length === 3) {
    if (!deps.jwt) throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: OIDC tokens are not accepted here');
    return (await deps.jwt.verify(credential)).subject;
  }
  throw new IdentityError(
    IdentityErrorCode.MALFORMED,
    'airlock: the credential is neither an Airlock API key (alk_…) nor an OIDC JWT',
  );
}
