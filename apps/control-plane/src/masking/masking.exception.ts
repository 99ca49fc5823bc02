import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum MaskingExceptionCode {
  INVALID_INPUT = 'INVALID_MASKING_INPUT',
  CONNECTION_NOT_FOUND = 'CONNECTION_NOT_FOUND',
  NOT_FOUND = 'MASKING_RULE_NOT_FOUND',
}

export class MaskingException extends AirlockException<MaskingExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case MaskingExceptionCode.INVALID_INPUT:
        return ErrorKind.BAD_USER_INPUT;
      case MaskingExceptionCode.CONNECTION_NOT_FOUND:
      case MaskingExceptionCode.NOT_FOUND:
        return ErrorKind.NOT_FOUND;
    }
  }
}
