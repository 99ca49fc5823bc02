import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { type IdentityKind, type Role } from '../common/enums';
import { type GqlContext } from '../common/graphql-context';

/** The authenticated caller of one operation. */
export interface Principal {
  identityId: string;
  name: string;
  kind: IdentityKind;
  email: string | null;
  roles: Role[];
  tokenKind: 'oidc' | 'api_key';
  clientAddress: string | undefined;
}

/** Injects the principal the roles guard resolved for this operation. */
export const CurrentPrincipal = createParamDecorator(async (_data: unknown, ctx: ExecutionContext): Promise<Principal> => {
  const gql = GqlExecutionContext.create(ctx).getContext<GqlContext>();
  if (!gql.principal) throw new Error('CurrentPrincipal used on an operation the roles guard did not run for');
  return gql.principal;
});
