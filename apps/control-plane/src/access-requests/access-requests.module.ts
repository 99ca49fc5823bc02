import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module';
import { AccessRequestsResolver } from './access-requests.resolver';
import { AccessRequestsService } from './access-requests.service';

@Module({
  imports: [ReviewsModule],
  providers: [AccessRequestsService, AccessRequestsResolver],
})
export class AccessRequestsModule {}
