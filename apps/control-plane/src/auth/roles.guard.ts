import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { type GraphQLResolveInfo } from 'graphql';
import { AuditService } from '../audit/audit.service';
import { Role } from '../common/enums';
import { type GqlContext } from '../common/graphql-context';
import { IS_PUBLIC } from '../common/public.decorator';
import { AuthException, AuthExceptionCode } from './auth.exception';
import { AuthService } from './auth.service';
import { ROLES_KEY } from './roles.decorator';

/**
 * Global guard: every GraphQL operation is authenticated, then checked against
 * the @Roles of its resolver. An operation without @Roles/@Authenticated is
 * refused at run time as well as by the lint rule: deny by default.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly logger = new Logger(RolesGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (ctx.getType<GqlContextType>() !== 'graphql') return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;

    const gql = GqlExecutionContext.create(ctx);
    const context = gql.getContext<GqlContext>();
    const info = gql.getInfo<GraphQLResolveInfo>();
    // One authentication per operation, however many root fields it selects.
    context.principal ??= this.auth.authenticate(context.authorization, context.clientAddress);
    const principal = await context.principal;

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (required === undefined) {
      this.logger.error({ msg: 'operation has no @Roles: refused', field: info.fieldName });
      throw new AuthException(AuthExceptionCode.NOT_GUARDED, `airlock: ${info.fieldName} is not available`);
    }
    if (required.length === 0 || principal.roles.includes(Role.ADMIN) || required.some((r) => principal.roles.includes(r))) return true;

    const needed = [...new Set([Role.ADMIN, ...required])].join(' or ');
    if (info.parentType.name === 'Mutation') {
      await this.audit.record({ principal, action: info.fieldName, input: gql.getArgs<{ input?: unknown }>().input, outcome: 'FORBIDDEN' });
    }
    throw new AuthException(AuthExceptionCode.ROLE_REQUIRED, `airlock: ${info.fieldName} requires the ${needed} role; ${principal.name} has ${principal.roles.join(', ')}`);
  }
}
