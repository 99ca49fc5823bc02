import { Module } from '@nestjs/common';
import { LostSessionsService } from './lost-sessions.service';
import { RecordEventsJobHandler } from './record-events.job';
import { RecordingProcessor } from './recording.processor';
import { RecordingRepository } from './recording.repository';
import { RecordingService } from './recording.service';
import { RetentionService } from './retention.service';

@Module({
  providers: [RecordingRepository, RecordingService, RecordEventsJobHandler, RecordingProcessor, RetentionService, LostSessionsService],
  exports: [RecordingService, RetentionService, LostSessionsService],
})
export class RecordingModule {}
