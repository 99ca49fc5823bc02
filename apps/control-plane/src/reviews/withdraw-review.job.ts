import { Injectable } from '@nestjs/common';
import { type WithdrawReviewJob } from '@airlock/contracts';
import { ReviewsService } from './reviews.service';

/** Payload of JobName.WithdrawReview (validated by the service). */
export type WithdrawReviewPayload = WithdrawReviewJob;

@Injectable()
export class WithdrawReviewJobHandler {
  constructor(private readonly reviews: ReviewsService) {}

  handle(payload: unknown): Promise<{ changed: boolean }> {
    return this.reviews.withdrawFromWorker(payload);
  }
}
