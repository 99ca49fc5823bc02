import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Authenticated } from '../auth/roles.decorator';
import { ReviewRequestObject } from '../reviews/dto/review-request.object';
import { AccessRequestsService } from './access-requests.service';
import { RequestAccessInput } from './dto/request-access.input';

@Resolver()
@Authenticated()
export class AccessRequestsResolver {
  constructor(private readonly access: AccessRequestsService) {}

  @Mutation(() => ReviewRequestObject, { description: 'Ask for time-bound access to a connection; an approver decides it like any review.' })
  requestAccess(@Args('input') input: RequestAccessInput, @CurrentPrincipal() by: Principal): Promise<ReviewRequestObject> {
    return this.access.request(input, by);
  }
}
