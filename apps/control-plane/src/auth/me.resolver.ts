import { Query, Resolver } from '@nestjs/graphql';
import { MeObject } from './dto/me.object';
import { CurrentPrincipal, type Principal } from './principal';
import { Authenticated } from './roles.decorator';

@Resolver(() => MeObject)
@Authenticated()
export class MeResolver {
  @Query(() => MeObject, { description: 'Who the caller is and which roles they hold.' })
  me(@CurrentPrincipal() p: Principal): MeObject {
    return { name: p.name, kind: p.kind, roles: p.roles, email: p.email };
  }
}
