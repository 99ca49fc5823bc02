import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { APP_CONFIG, type AppConfig } from './config/config';
import { HealthController } from './health/health.controller';
import { MetricsService } from './metrics/metrics.service';
import { PrismaService } from './prisma/prisma.service';
import { RedisService } from './redis/redis.service';
import { SystemResolver } from './system/system.resolver';

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

@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forConfig(config),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          introspection: true,
          subscriptions: { 'graphql-ws': true },
          // Errors carry a code and a message; never a stack trace.
          includeStacktraceInErrorResponses: false,
        }),
      ],
      controllers: [HealthController],
      providers: [SystemResolver],
    };
  }
}
