import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum ConnectionExceptionCode {
  INVALID_INPUT = 'INVALID_INPUT',
  POOL_NOT_FOUND = 'POOL_NOT_FOUND',
  NOT_FOUND = 'CONNECTION_NOT_FOUND',
  ALREADY_EXISTS = 'CONNECTION_EXISTS',
}

export class ConnectionException extends AirlockException<ConnectionExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case ConnectionExceptionCode.INVALID_INPUT:
      case ConnectionExceptionCode.POOL_NOT_FOUND:
        return ErrorKind.BAD_USER_INPUT;
      case ConnectionExceptionCode.NOT_FOUND:
        return ErrorKind.NOT_FOUND;
      case ConnectionExceptionCode.ALREADY_EXISTS:
        return ErrorKind.CONFLICT;
    }
  }
}
