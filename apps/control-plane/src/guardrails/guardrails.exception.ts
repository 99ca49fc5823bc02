import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum GuardrailExceptionCode {
  INVALID_INPUT = 'INVALID_GUARDRAIL_INPUT',
  CONNECTION_NOT_FOUND = 'CONNECTION_NOT_FOUND',
  NOT_FOUND = 'GUARDRAIL_RULE_NOT_FOUND',
}

export class GuardrailException extends AirlockException<GuardrailExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case GuardrailExceptionCode.INVALID_INPUT:
        return ErrorKind.BAD_USER_INPUT;
      case GuardrailExceptionCode.CONNECTION_NOT_FOUND:
      case GuardrailExceptionCode.NOT_FOUND:
        return ErrorKind.NOT_FOUND;
    }
  }
}
