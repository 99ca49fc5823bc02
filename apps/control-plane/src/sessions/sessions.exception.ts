import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum SessionsExceptionCode {
  NOT_FOUND = 'SESSION_NOT_FOUND',
  INVALID_CURSOR = 'INVALID_CURSOR',
  INVALID_RANGE = 'INVALID_RANGE',
}

export class SessionsException extends AirlockException<SessionsExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case SessionsExceptionCode.NOT_FOUND:
        return ErrorKind.NOT_FOUND;
      case SessionsExceptionCode.INVALID_CURSOR:
      case SessionsExceptionCode.INVALID_RANGE:
        return ErrorKind.BAD_USER_INPUT;
    }
  }
}
