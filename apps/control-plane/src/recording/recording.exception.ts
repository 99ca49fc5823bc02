import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum RecordingExceptionCode {
  /** A job whose payload does not match the RecordEvents contract: retrying cannot help. */
  INVALID_JOB = 'INVALID_JOB',
  UNKNOWN_JOB = 'UNKNOWN_JOB',
  /** A blob-form job whose blob expired or was deleted: its events are lost, retrying cannot help. */
  BLOB_MISSING = 'BLOB_MISSING',
}

export class RecordingException extends AirlockException<RecordingExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case RecordingExceptionCode.INVALID_JOB:
      case RecordingExceptionCode.UNKNOWN_JOB:
        return ErrorKind.BAD_USER_INPUT;
      case RecordingExceptionCode.BLOB_MISSING:
        return ErrorKind.NOT_FOUND;
    }
  }
}
