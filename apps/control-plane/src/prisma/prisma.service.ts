import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';

/** The Prisma client. Only `*.repository.ts` files inject it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl, max: 10 }) });
  }

  async ping(): Promise<void> {
    await this.$queryRawUnsafe('SELECT 1');
  }

  /**
   * After every module's onModuleDestroy: services finish the work they have in flight (a policy
   * refresh's transaction) on open connections. A transaction cut by $disconnect ends in "Unknown
   * transaction status" and can leave the pool waiting for its client for good.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
