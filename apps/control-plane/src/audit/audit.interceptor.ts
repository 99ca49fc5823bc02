import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { type GraphQLResolveInfo } from 'graphql';
import { from, type Observable, lastValueFrom } from 'rxjs';
import { AirlockException } from '../common/airlock.exception';
import { type GqlContext } from '../common/graphql-context';
import { AuditService } from './audit.service';

/**
 * Records every mutation that got past the roles guard, whether it succeeded
 * or failed (denied ones are recorded by the guard). Runs after the resolver,
 * so the entry follows the committed change.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType<GqlContextType>() !== 'graphql') return next.handle();
    const gql = GqlExecutionContext.create(ctx);
    const info = gql.getInfo<GraphQLResolveInfo>();
    if (info.parentType.name !== 'Mutation') return next.handle();
    const context = gql.getContext<GqlContext>();
    const input = gql.getArgs<{ input?: unknown }>().input;
    return from(
      (async () => {
        const principal = await context.principal!;
        try {
          const result = await lastValueFrom(next.handle());
          await this.audit.record({ principal, action: info.fieldName, input, outcome: 'OK' });
          return result;
        } catch (err) {
          await this.audit.record({ principal, action: info.fieldName, input, outcome: err instanceof AirlockException ? err.code : 'ERROR' });
          throw err;
        }
      })(),
    );
  }
}
