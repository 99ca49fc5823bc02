import { Injectable } from '@nestjs/common';
import { type ReviewRequestJob } from '@airlock/contracts';
import { ReviewsService } from './reviews.service';

/** Payload of JobName.RequestReview (validated by the service: the wire is not trusted). */
export type RequestReviewPayload = ReviewRequestJob;

@Injectable()
export class RequestReviewJobHandler {
  constructor(private readonly reviews: ReviewsService) {}

  handle(payload: unknown): Promise<{ created: boolean }> {
    return this.reviews.requestFromWorker(payload);
  }
}
