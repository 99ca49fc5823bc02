export { IdentityError, IdentityErrorCode } from './errors';
export { claimsToSubject, type Subject, type SubjectKind, type TokenKind } from './subject';
export {
  createJwtVerifier,
  createLocalJwksVerifier,
  toIdentityError,
  DEFAULT_ALGORITHMS,
  MAX_TOKEN_LENGTH,
  type FetchLike,
  type JwtVerifierOptions,
  type LocalJwksVerifier,
  type LocalJwksVerifierOptions,
  type TokenVerifier,
  type VerifiedToken,
} from './jwt';
export {
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  verifyApiKey,
  type ApiKeyLookup,
  type GeneratedApiKey,
  type ParsedApiKey,
  type StoredApiKey,
} from './api-key';
export { authenticate, type AuthenticateDeps } from './authenticate';
export type { JSONWebKeySet } from 'jose';
