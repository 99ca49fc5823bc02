import { Module } from '@nestjs/common';
import { AccessReviewResolver } from './access-review.resolver';
import { AccessReviewService } from './access-review.service';
import { SessionsRepository } from './sessions.repository';
import { SessionsResolver } from './sessions.resolver';
import { SessionsService } from './sessions.service';

@Module({
  providers: [SessionsRepository, SessionsService, SessionsResolver, AccessReviewService, AccessReviewResolver],
})
export class SessionsModule {}
