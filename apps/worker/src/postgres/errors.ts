import { PgProtocolError, SqlState } from '@airlock/pg-wire';
import { AccessError, AccessErrorCode } from '../access/authorize';

/** An error that ends the connect phase with a native FATAL ErrorResponse. */
export class PgSessionError extends Error {
  constructor(
    readonly sqlState: string,
    message: string,
    readonly detail?: string,
  ) {
    super(message.startsWith('airlock:') ? message : `airlock: ${message}`);
  }
}

export const PgState = {
  ...SqlState,
  InvalidCatalogName: '3D000',
  ConnectionFailure: '08006',
  CannotConnectNow: '57P03',
  AdminShutdown: '57P01',
  InternalError: 'XX000',
} as const;

const ACCESS_STATES: Record<AccessErrorCode, string> = {
  [AccessErrorCode.NoPolicy]: PgState.CannotConnectNow,
  [AccessErrorCode.BadToken]: PgState.InvalidPassword,
  [AccessErrorCode.UnknownConnection]: PgState.InvalidCatalogName,
  [AccessErrorCode.WrongProtocol]: PgState.InvalidCatalogName,
  [AccessErrorCode.NoGrant]: PgState.InsufficientPrivilege,
  [AccessErrorCode.NoCredential]: PgState.InvalidAuthorizationSpecification,
};

/** Maps anything thrown during connect to the SQLSTATE and message the client sees. */
export function toSessionError(err: unknown): PgSessionError {
  if (err instanceof PgSessionError) return err;
  if (err instanceof AccessError) return new PgSessionError(ACCESS_STATES[err.code], err.message);
  if (err instanceof PgProtocolError) return new PgSessionError(err.sqlState, err.message);
  return new PgSessionError(PgState.InternalError, 'internal error while connecting; see the worker log');
}

/** A first packet whose length cannot be a startup packet: Postgres closes without replying. */
export function isBadStartupLength(err: unknown): boolean {
  return err instanceof PgProtocolError && /^(airlock: )?invalid startup packet length/.test(err.message);
}
