import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum AuthExceptionCode {
  NO_CREDENTIAL = 'NO_CREDENTIAL',
  INVALID_CREDENTIAL = 'INVALID_CREDENTIAL',
  IDENTITY_DISABLED = 'IDENTITY_DISABLED',
  ROLE_REQUIRED = 'ROLE_REQUIRED',
  NOT_GUARDED = 'NOT_GUARDED',
}

export class AuthException extends AirlockException<AuthExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case AuthExceptionCode.NO_CREDENTIAL:
      case AuthExceptionCode.INVALID_CREDENTIAL:
      case AuthExceptionCode.IDENTITY_DISABLED:
        return ErrorKind.UNAUTHENTICATED;
      case AuthExceptionCode.ROLE_REQUIRED:
      case AuthExceptionCode.NOT_GUARDED:
        return ErrorKind.FORBIDDEN;
    }
  }
}
