import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum GrantExceptionCode {
  INVALID_INPUT = 'INVALID_INPUT',
  CONNECTION_NOT_FOUND = 'CONNECTION_NOT_FOUND',
  SUBJECT_NOT_FOUND = 'SUBJECT_NOT_FOUND',
  NOT_FOUND = 'GRANT_NOT_FOUND',
}

export class GrantException extends AirlockException<GrantExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case GrantExceptionCode.INVALID_INPUT:
      case GrantExceptionCode.SUBJECT_NOT_FOUND:
        return ErrorKind.BAD_USER_INPUT;
      case GrantExceptionCode.CONNECTION_NOT_FOUND:
      case GrantExceptionCode.NOT_FOUND:
        return ErrorKind.NOT_FOUND;
    }
  }
}
