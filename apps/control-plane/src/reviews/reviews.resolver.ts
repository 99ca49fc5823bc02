import { Args, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { DecideReviewInput, SetReviewPolicyInput } from './dto/decide-review.input';
import { ReviewRequestObject, ReviewStatus } from './dto/review-request.object';
import { ReviewEvents } from './review-events';
import { ReviewsService } from './reviews.service';

@Resolver(() => ReviewRequestObject)
@Roles(Role.APPROVER)
export class ReviewsResolver {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly events: ReviewEvents,
  ) {}

  @Query(() => [ReviewRequestObject], { description: 'Reviews, newest first; all statuses unless one is given.' })
  @Roles(Role.APPROVER, Role.AUDITOR)
  reviewRequests(
    @Args('status', { type: () => ReviewStatus, nullable: true }) status?: ReviewStatus,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
  ): Promise<ReviewRequestObject[]> {
    return this.reviews.list(status ?? undefined, limit ?? 100);
  }

  @Query(() => ReviewRequestObject)
  @Roles(Role.APPROVER, Role.AUDITOR)
  reviewRequest(@Args('id') id: string): Promise<ReviewRequestObject> {
    return this.reviews.get(id);
  }

  @Mutation(() => ReviewRequestObject, { description: 'Approve or reject; final once decided (minApprovers distinct approvals, or one rejection).' })
  decideReview(@Args('input') input: DecideReviewInput, @CurrentPrincipal() by: Principal): Promise<ReviewRequestObject> {
    return this.reviews.decide(input, by);
  }

  @Mutation(() => Boolean, { description: 'Per-connection review settings: approvals needed, webhook URL.' })
  @Roles(Role.ADMIN)
  setReviewPolicy(@Args('input') input: SetReviewPolicyInput): Promise<boolean> {
    return this.reviews.setPolicy(input);
  }

  @Subscription(() => ReviewRequestObject, { description: 'Every new review (held statement or access request), from any control-plane replica.' })
  async *reviewRequested(): AsyncGenerator<{ reviewRequested: ReviewRequestObject }> {
    for await (const review of this.events.subscribe()) yield { reviewRequested: review };
  }
}
