import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { AccessRequestsModule } from './access-requests/access-requests.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AuthService } from './auth/auth.service';
import { buildGqlContext } from './common/graphql-context';
import { formatGraphqlError } from './common/graphql-error.formatter';
import { graphqlMetricsPlugin } from './common/graphql-metrics.plugin';
import { APP_CONFIG, type AppConfig } from './config/config';
import { ConnectionsModule } from './connections/connections.module';
import { ConsoleModule } from './console/console.module';
import { GrantsModule } from './grants/grants.module';
import { GuardrailsModule } from './guardrails/guardrails.module';
import { HealthController } from './health/health.controller';
import { MaskingModule } from './masking/masking.module';
import { MetricsService } from './metrics/metrics.service';
import { PolicyModule } from './policy/policy.module';
import { PrismaService } from './prisma/prisma.service';
import { RecordingModule } from './recording/recording.module';
import { RedisService } from './redis/redis.service';
import { ServiceAccountsModule } from './service-accounts/service-accounts.module';
import { SessionsModule } from './sessions/sessions.module';
import { StartupService } from './startup.service';
import { SystemResolver } from './system/system.resolver';
import { WorkerPoolsModule } from './worker-pools/worker-pools.module';

@Global()
@Module({})
class CoreModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, PrismaService, RedisService, MetricsService],
      exports: [APP_CONFIG, PrismaService, RedisService, MetricsService],
    };
  }
}

const wsLogger = new Logger('GraphQLWebSocket');

@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forConfig(config),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [AuthModule],
          inject: [AuthService, MetricsService],
          useFactory: (auth: AuthService, metrics: MetricsService) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            introspection: true,
            context: buildGqlContext,
            subscriptions: {
              'graphql-ws': {
                // Refuse the socket at connection_init without a valid credential; each subscription is still checked by role.
                onConnect: async (ctx) => {
                  const { authorization, clientAddress } = buildGqlContext(ctx);
                  try {
                    await auth.authenticate(authorization, clientAddress);
                    return true;
                  } catch (err) {
                    wsLogger.debug({ msg: 'graphql-ws connection refused', clientAddress, reason: (err as Error).message });
                    return false;
                  }
                },
              },
            },
            plugins: [graphqlMetricsPlugin(metrics)],
            formatError: formatGraphqlError,
            // Errors carry a code and a message; never a stack trace.
            includeStacktraceInErrorResponses: false,
          }),
        }),
        AuthModule,
        AuditModule,
        PolicyModule,
        WorkerPoolsModule,
        ConnectionsModule,
        ServiceAccountsModule,
        GrantsModule,
        MaskingModule,
        GuardrailsModule,
        AccessRequestsModule,
        RecordingModule,
        SessionsModule,
        ConsoleModule,
      ],
      controllers: [HealthController],
      providers: [SystemResolver, StartupService],
    };
  }
}
