import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PolicyModule } from '../policy/policy.module';
import { AccessGrantIssuer } from './access-grant.issuer';
import { RequestReviewJobHandler } from './request-review.job';
import { ReviewDecisionPublisher } from './review-decision.publisher';
import { ReviewEvents } from './review-events';
import { ReviewSweeper } from './review-sweeper';
import { ReviewsProcessor } from './reviews.processor';
import { ReviewsRepository } from './reviews.repository';
import { ReviewsResolver } from './reviews.resolver';
import { ReviewsService } from './reviews.service';
import { WithdrawReviewJobHandler } from './withdraw-review.job';

@Module({
  imports: [GrantsModule, PolicyModule, NotificationsModule],
  providers: [
    ReviewsRepository, ReviewsService, ReviewEvents, ReviewDecisionPublisher, AccessGrantIssuer,
    RequestReviewJobHandler, WithdrawReviewJobHandler, ReviewsProcessor, ReviewSweeper, ReviewsResolver,
  ],
  exports: [ReviewsService],
})
export class ReviewsModule {}
