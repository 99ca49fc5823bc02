import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { AccessGrantObject } from './dto/access-grant.object';
import { GrantAccessInput, RevokeAccessInput } from './dto/access-grant.inputs';
import { GrantsService } from './grants.service';

@Resolver(() => AccessGrantObject)
@Roles(Role.ADMIN)
export class GrantsResolver {
  constructor(private readonly grants: GrantsService) {}

  @Query(() => [AccessGrantObject], { description: 'Active grants unless includeInactive (revoked and expired too).' })
  @Roles(Role.APPROVER, Role.AUDITOR)
  accessGrants(
    @Args('connection', { nullable: true }) connection?: string,
    @Args('subject', { nullable: true }) subject?: string,
    @Args('includeInactive', { nullable: true }) includeInactive?: boolean,
  ): Promise<AccessGrantObject[]> {
    return this.grants.list(connection ?? undefined, subject ?? undefined, includeInactive ?? false);
  }

  @Mutation(() => AccessGrantObject)
  grantAccess(@Args('input') input: GrantAccessInput, @CurrentPrincipal() by: Principal): Promise<AccessGrantObject> {
    return this.grants.grant(input, by);
  }

  @Mutation(() => AccessGrantObject)
  revokeAccess(@Args('input') input: RevokeAccessInput): Promise<AccessGrantObject> {
    return this.grants.revoke(input);
  }
}
