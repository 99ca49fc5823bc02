import { type ApolloDriverConfig } from '@nestjs/apollo';
import { type MetricsService } from '../metrics/metrics.service';

/** Counts every GraphQL operation over HTTP by type (query, mutation, …) and outcome. */
// Typed through Nest's config: @apollo/server's CJS and ESM typings are not interchangeable.
type Plugin = NonNullable<ApolloDriverConfig['plugins']>[number];

export function graphqlMetricsPlugin(metrics: MetricsService): Plugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(ctx) {
          const type = ctx.operation?.operation ?? 'invalid';
          const body = ctx.response.body;
          const errors = ctx.errors?.length ?? (body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) : 0);
          metrics.graphqlRequests.inc({ type, outcome: errors > 0 ? 'error' : 'ok' });
        },
      };
    },
  };
}
