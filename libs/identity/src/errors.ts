/** Why a presented credential was refused. Stable strings: callers map them to protocol errors. */
export enum IdentityErrorCode {
  MALFORMED = 'MALFORMED',
  EXPIRED = 'EXPIRED',
  NOT_YET_VALID = 'NOT_YET_VALID',
  WRONG_AUDIENCE = 'WRONG_AUDIENCE',
  WRONG_ISSUER = 'WRONG_ISSUER',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  UNKNOWN_KEY = 'UNKNOWN_KEY',
  API_KEY_UNKNOWN = 'API_KEY_UNKNOWN',
  API_KEY_REVOKED = 'API_KEY_REVOKED',
  API_KEY_EXPIRED = 'API_KEY_EXPIRED',
  JWKS_UNAVAILABLE = 'JWKS_UNAVAILABLE',
}

const DEFAULT_MESSAGES: Record<IdentityErrorCode, string> = {
  [IdentityErrorCode.MALFORMED]: 'airlock: the presented credential is malformed',
  [IdentityErrorCode.EXPIRED]: 'airlock: the token has expired',
  [IdentityErrorCode.NOT_YET_VALID]: 'airlock: the token is not valid yet',
  [IdentityErrorCode.WRONG_AUDIENCE]: 'airlock: the token was issued for another audience',
  [IdentityErrorCode.WRONG_ISSUER]: 'airlock: the token was issued by an untrusted issuer',
  [IdentityErrorCode.BAD_SIGNATURE]: 'airlock: the token signature is invalid',
  [IdentityErrorCode.UNKNOWN_KEY]: "airlock: the token was signed with a key the issuer's JWKS does not contain",
  [IdentityErrorCode.API_KEY_UNKNOWN]: 'airlock: unknown API key',
  [IdentityErrorCode.API_KEY_REVOKED]: 'airlock: the API key has been revoked',
  [IdentityErrorCode.API_KEY_EXPIRED]: 'airlock: the API key has expired',
  [IdentityErrorCode.JWKS_UNAVAILABLE]: "airlock: the identity provider's signing keys are unavailable",
};

/**
 * The only error this library throws for a refused credential. Messages start with `airlock:` and never
 * include the presented token or key; the original cause (a jose or network error) stays on `cause`.
 */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';

  constructor(
    readonly code: IdentityErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    options?: { cause?: unknown },
  ) {
    super(message.startsWith('airlock:') ? message : `airlock: ${message}`, options);
  }

  static is(err: unknown, code?: IdentityErrorCode): err is IdentityError {
    return err instanceof IdentityError && (code === undefined || err.code === code);
  }
}
