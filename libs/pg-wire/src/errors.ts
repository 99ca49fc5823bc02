/** SQLSTATE codes Airlock raises from the protocol layer (Appendix A, "PostgreSQL Error Codes"). */
export const SqlState = {
  ProtocolViolation: '08P01',
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  InsufficientPrivilege: '42501',
  QueryCanceled: '57014',
  FeatureNotSupported: '0A000',
  ProgramLimitExceeded: '54000',
} as const;

const PREFIX = 'airlock: ';

/**
 * Raised for any malformed, oversized or unsupported input. The proxy can turn it into a
 * native ErrorResponse (see `protocolErrorResponse`), so every failure carries a SQLSTATE.
 */
export class PgProtocolError extends Error {
  override readonly name = 'PgProtocolError';

  constructor(
    message: string,
    readonly sqlState: string = SqlState.ProtocolViolation,
  ) {
    // Users must never mistake our errors for the target's own, hence the mandatory prefix.
    super(message.startsWith(PREFIX) ? message : PREFIX + message);
  }
}

/** A typed message whose length field is under 4 or over the cap (FrameReader and FrameWalker alike). */
export function invalidLengthError(length: number, code: number, max: number): PgProtocolError {
  const letter = code >= 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}'` : `0x${code.toString(16)}`;
  return new PgProtocolError(`invalid length ${length} for message ${letter} (allowed 4..${max})`);
}
