import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { keySpace, type KeySpace } from '@airlock/contracts';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** One command connection and one subscriber connection, shared app-wide. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  readonly keys: KeySpace;
  private subscriberConn: Redis | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.keys = keySpace(config.redisPrefix);
    this.client = this.connect('command');
  }

  /** A dedicated connection for SUBSCRIBE, created on first use. */
  subscriber(): Redis {
    this.subscriberConn ??= this.connect('subscriber');
    return this.subscriberConn;
  }

  /** Options for BullMQ connections (it needs maxRetriesPerRequest: null). */
  bullConnection(): { url: string; prefix: string } {
    return { url: this.config.redisUrl, prefix: this.keys.queuePrefix() };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([this.client.quit(), this.subscriberConn?.quit()]);
  }

  private connect(role: string): Redis {
    const conn = new Redis(this.config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    conn.on('error', (err: Error) => this.logger.warn(`redis ${role} connection: ${err.message}`));
    return conn;
  }
}
