import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum RecordingExceptionCode {
  /** A job whose payload does not match the RecordEvents contract: retrying cannot help. */
  INVALID_JOB = 'INVALID_JOB',
  UNKNOWN_JOB = 'UNKNOWN_JOB',
}

export class RecordingException extends AirlockException<RecordingExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case RecordingExceptionCode.INVALID_JOB:
      case RecordingExceptionCode.UNKNOWN_JOB:
        return ErrorKind.BAD_USER_INPUT;
    }
  }
}
