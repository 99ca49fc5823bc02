import type { SessionEvent } from '@airlock/contracts';
import type { Logger } from '../logger';

/** Where session events go. The recording pipeline (BullMQ + disk spool) replaces the default. */
export interface Recorder {
  record(event: SessionEvent): void;
  /** False when new sessions must be refused (the spool is full); absent = always true. */
  canAcceptSessions?(): boolean;
  /** Flushes what is buffered; the listener calls it when it closes. */
  close?(): Promise<void>;
}

/** Default recorder: structured debug logs, nothing persisted. */
export class LogRecorder implements Recorder {
  constructor(private readonly log: Logger) {}

  record(event: SessionEvent): void {
    this.log.debug({ event }, `session event ${event.kind}`);
  }
}
