import { AirlockException, ErrorKind } from '../common/airlock.exception';

export enum WorkerPoolExceptionCode {
  INVALID_NAME = 'INVALID_NAME',
  INVALID_PUBLIC_KEY = 'INVALID_PUBLIC_KEY',
}

export class WorkerPoolException extends AirlockException<WorkerPoolExceptionCode> {
  get kind(): ErrorKind {
    switch (this.code) {
      case WorkerPoolExceptionCode.INVALID_NAME:
      case WorkerPoolExceptionCode.INVALID_PUBLIC_KEY:
        return ErrorKind.BAD_USER_INPUT;
    }
  }
}
