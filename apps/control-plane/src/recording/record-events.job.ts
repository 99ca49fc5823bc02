import { Injectable } from '@nestjs/common';
import { type RecordEventsJob } from '@airlock/contracts';
import { type IngestSummary, RecordingService } from './recording.service';

/** Payload of JobName.RecordEvents (validated by the service: the wire is not trusted). */
export type RecordEventsPayload = RecordEventsJob;

@Injectable()
export class RecordEventsJobHandler {
  constructor(private readonly recording: RecordingService) {}

  handle(payload: unknown): Promise<IngestSummary> {
    return this.recording.ingest(payload);
  }
}
