import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum AccessRequestExceptionCode {
  INVALID_INPUT = 'INVALID_INPUT',
  CONNECTION_NOT_FOUND = 'CONNECTION_NOT_FOUND',
}

export class AccessRequestException extends AirlockException<AccessRequestExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case AccessRequestExceptionCode.INVALID_INPUT:
        return ErrorKind.BAD_USER_INPUT;
      case AccessRequestExceptionCode.CONNECTION_NOT_FOUND:
        return ErrorKind.NOT_FOUND;
    }
  }
}
