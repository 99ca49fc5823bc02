import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JobName, QueueName } from '@airlock/contracts';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ZodError } from 'zod';
import { RedisService } from '../redis/redis.service';
import { DeliverWebhookJobHandler } from './deliver-webhook.job';
import { closeWorker } from '../redis/close-worker';

type NotificationJobName = typeof JobName.DeliverWebhook;

/** Consumes QueueName.Notifications; one handler per job name. */
@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotificationsProcessor.name);
  private worker: Worker | undefined;
  private connection: Redis | undefined;

  constructor(
    private readonly redis: RedisService,
    private readonly deliver: DeliverWebhookJobHandler,
  ) {}

  onApplicationBootstrap(): void {
    const { url, prefix } = this.redis.bullConnection();
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => this.logger.warn(`notifications queue connection: ${err.message}`));
    const handlers: Record<NotificationJobName, (payload: unknown) => Promise<unknown>> = {
      [JobName.DeliverWebhook]: (p) => this.deliver.handle(p),
    };
    this.worker = new Worker(
      QueueName.Notifications,
      async (job: Job) => {
        const handler = handlers[job.name as NotificationJobName];
        if (!handler) throw new UnrecoverableError(`airlock: unknown job ${job.name} on queue ${QueueName.Notifications}`);
        try {
          return await handler(job.data);
        } catch (err) {
          if (err instanceof ZodError) throw new UnrecoverableError(`airlock: malformed webhook job: ${err.issues[0]?.message}`);
          throw err;
        }
      },
      { connection: this.connection, prefix, concurrency: 8 },
    );
    this.worker.on('failed', (job, err) => this.logger.warn({ msg: 'webhook attempt failed', jobId: job?.id, attempts: job?.attemptsMade, err: err.message }));
    this.worker.on('error', (err) => this.logger.warn(`notifications worker: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await closeWorker(this.worker, this.connection, this.logger);
  }
}
