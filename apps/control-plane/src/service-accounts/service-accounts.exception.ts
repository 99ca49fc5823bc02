import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum ServiceAccountExceptionCode {
  INVALID_NAME = 'INVALID_NAME',
  NOT_FOUND = 'SERVICE_ACCOUNT_NOT_FOUND',
  KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  ALREADY_EXISTS = 'SERVICE_ACCOUNT_EXISTS',
}

export class ServiceAccountException extends AirlockException<ServiceAccountExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case ServiceAccountExceptionCode.INVALID_NAME:
        return ErrorKind.BAD_USER_INPUT;
      case ServiceAccountExceptionCode.NOT_FOUND:
      case ServiceAccountExceptionCode.KEY_NOT_FOUND:
        return ErrorKind.NOT_FOUND;
      case ServiceAccountExceptionCode.ALREADY_EXISTS:
        return ErrorKind.CONFLICT;
    }
  }
}
