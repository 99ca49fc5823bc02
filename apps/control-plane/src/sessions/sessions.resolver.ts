import { Args, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { SessionEventObject, SessionFilter, SessionObject, SessionPageObject, SessionVerificationObject } from './dto/session.object';
import { SessionsService } from './sessions.service';

/** Recorded sessions. Auditors, approvers (and admins) see all; members see their own. */
@Resolver(() => SessionObject)
@Roles(Role.AUDITOR, Role.MEMBER)
export class SessionsResolver {
  constructor(private readonly svc: SessionsService) {}

  @Query(() => SessionPageObject, { name: 'sessions', description: 'Recorded sessions, newest first.' })
  @Roles(Role.AUDITOR, Role.MEMBER)
  listSessions(
    @CurrentPrincipal() who: Principal,
    @Args('filter', { nullable: true }) filter?: SessionFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<SessionPageObject> {
    return this.svc.list(who, filter ?? {}, first ?? 50, after ?? undefined);
  }

  @Query(() => SessionObject)
  @Roles(Role.AUDITOR, Role.MEMBER)
  session(@CurrentPrincipal() who: Principal, @Args('id', { type: () => ID }) id: string): Promise<SessionObject> {
    return this.svc.get(who, id);
  }

  @Query(() => SessionVerificationObject, { description: 'Recomputes the session hash chain; names the first event that does not verify.' })
  @Roles(Role.AUDITOR)
  verifySession(@Args('id', { type: () => ID }) id: string): Promise<SessionVerificationObject> {
    return this.svc.verify(id);
  }

  @ResolveField(() => [SessionEventObject])
  events(
    @CurrentPrincipal() who: Principal,
    @Parent() s: SessionObject,
    @Args('afterSeq', { type: () => Int, nullable: true }) afterSeq?: number,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
  ): Promise<SessionEventObject[]> {
    return this.svc.events(who, s.id, afterSeq ?? -1, first ?? undefined);
  }
}
