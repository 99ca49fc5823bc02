import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum ReviewExceptionCode {
  INVALID_INPUT = 'INVALID_INPUT',
  INVALID_JOB = 'INVALID_REVIEW_JOB',
  NOT_FOUND = 'REVIEW_NOT_FOUND',
  CONNECTION_NOT_FOUND = 'CONNECTION_NOT_FOUND',
  SELF_APPROVAL = 'SELF_APPROVAL',
  ALREADY_DECIDED = 'REVIEW_ALREADY_DECIDED',
  ALREADY_VOTED = 'REVIEW_ALREADY_VOTED',
}

export class ReviewException extends AirlockException<ReviewExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case ReviewExceptionCode.INVALID_INPUT:
      case ReviewExceptionCode.INVALID_JOB:
        return ErrorKind.BAD_USER_INPUT;
      case ReviewExceptionCode.NOT_FOUND:
      case ReviewExceptionCode.CONNECTION_NOT_FOUND:
        return ErrorKind.NOT_FOUND;
      case ReviewExceptionCode.SELF_APPROVAL:
        return ErrorKind.FORBIDDEN;
      case ReviewExceptionCode.ALREADY_DECIDED:
      case ReviewExceptionCode.ALREADY_VOTED:
        return ErrorKind.CONFLICT;
    }
  }
}
