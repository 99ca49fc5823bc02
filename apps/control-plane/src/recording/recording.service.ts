import { Injectable, Logger } from '@nestjs/common';
import { RecordEventsJob, type SessionEvent } from '@airlock/contracts';
import { RecordingException, RecordingExceptionCode } from './recording.exception';
import { RecordingRepository } from './recording.repository';

export interface IngestSummary {
  sessions: number;
  stored: number;
  pending: number;
  duplicates: number;
}

@Injectable()
export class RecordingService {
  private readonly logger = new Logger(RecordingService.name);

  constructor(private readonly repo: RecordingRepository) {}

  /** Persists one batch of events (one transaction for the whole job). */
  async ingest(payload: unknown): Promise<IngestSummary> {
    const parsed = RecordEventsJob.safeParse(payload);
    if (!parsed.success) {
      throw new RecordingException(RecordingExceptionCode.INVALID_JOB, `airlock: invalid record-events job: ${parsed.error.issues[0]?.message ?? 'bad payload'}`);
    }
    const bySession = new Map<string, SessionEvent[]>();
    for (const e of parsed.data.events) {
      const list = bySession.get(e.sessionId);
      if (list) list.push(e);
      else bySession.set(e.sessionId, [e]);
    }
    const summary: IngestSummary = { sessions: bySession.size, stored: 0, pending: 0, duplicates: 0 };
    for (const [sessionId, r] of await this.repo.ingest(bySession)) {
      summary.stored += r.stored;
      summary.pending += r.pending;
      summary.duplicates += r.duplicates;
      if (r.pending > 0) this.logger.debug({ msg: 'session events wait for a gap', sessionId, lastSeq: r.lastSeq, pending: r.pending, workerId: parsed.data.workerId });
      if (r.anchored) this.logger.debug({ msg: 'session anchored in the audit chain', sessionId, lastSeq: r.lastSeq });
    }
    return summary;
  }
}
