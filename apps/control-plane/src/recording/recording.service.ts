import { Injectable, Logger } from '@nestjs/common';
import { type DecodedJob, decodeRecordEvents } from './recording.decode';
import { RecordingException, RecordingExceptionCode } from './recording.exception';
import { type JobIngestResult, RecordingRepository } from './recording.repository';

export interface IngestSummary {
  sessions: number;
  stored: number;
  pending: number;
  duplicates: number;
}

interface Waiting {
  job: DecodedJob;
  resolve(summary: IngestSummary): void;
  reject(err: unknown): void;
}

/** Events one transaction takes at most (jobs are never split). */
const MAX_GROUP_EVENTS = 20_000;

@Injectable()
export class RecordingService {
  private readonly logger = new Logger(RecordingService.name);
  private readonly waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly repo: RecordingRepository) {}

  /**
   * Persists one batch of events. Jobs that arrive while a transaction runs (the queue's
   * concurrency) are stored together in the next one, in arrival order: one lock round and one
   * INSERT per table for all of them, and the events of a session reach it in order, so they
   * chain at once instead of waiting for a gap. Resolves once the job's events are committed.
   */
  async ingest(payload: unknown, expectedEvents?: number): Promise<IngestSummary> {
    const job = decodeRecordEvents(payload);
    if (expectedEvents !== undefined && job.events.length !== expectedEvents) {
      throw new RecordingException(RecordingExceptionCode.INVALID_JOB, `airlock: invalid record-events job: it says ${expectedEvents} events, its blob holds ${job.events.length}`);
    }
    return new Promise<IngestSummary>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        let n = 0;
        let events = 0;
        while (n < this.waiting.length && (n === 0 || events + this.waiting[n]!.job.events.length <= MAX_GROUP_EVENTS)) events += this.waiting[n++]!.job.events.length;
        await this.store(this.waiting.splice(0, n));
      }
    } finally {
      this.running = false;
    }
  }

  private async store(group: Waiting[]): Promise<void> {
    try {
      const results = await this.repo.ingest(group.map((w) => w.job.events));
      group.forEach((w, i) => w.resolve(this.summary(w.job, results[i]!)));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One job can fail a whole group (a value Postgres refuses): each alone, so only that one fails and retries.
      for (const w of group) {
        try {
          const [r] = await this.repo.ingest([w.job.events]);
          w.resolve(this.summary(w.job, r!));
        } catch (e) {
          w.reject(e);
        }
      }
    }
  }

  private summary(job: DecodedJob, r: JobIngestResult): IngestSummary {
    const summary: IngestSummary = { sessions: job.sessions, stored: 0, pending: 0, duplicates: r.duplicates };
    for (const [sessionId, s] of r.sessions) {
      summary.stored += s.stored;
      summary.pending += s.pending;
      if (s.pending > 0) this.logger.debug({ msg: 'session events wait for a gap', sessionId, lastSeq: s.lastSeq, pending: s.pending, workerId: job.workerId });
      if (s.anchored) this.logger.debug({ msg: 'session anchored in the audit chain', sessionId, lastSeq: s.lastSeq });
    }
    return summary;
  }
}
