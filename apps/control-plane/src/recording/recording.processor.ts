import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JobName, QueueName } from '@airlock/contracts';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.service';
import { RecordEventsJobHandler } from './record-events.job';
import { RecordingException } from './recording.exception';
import { closeWorker } from '../redis/close-worker';

type RecordingJobName = typeof JobName.RecordEvents;

/** Consumes QueueName.Recording; one handler per job name. */
@Injectable()
export class RecordingProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RecordingProcessor.name);
  private worker: Worker | undefined;
  private connection: Redis | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly recordEvents: RecordEventsJobHandler,
  ) {}

  onApplicationBootstrap(): void {
    const { url, prefix } = this.redis.bullConnection();
    // BullMQ workers block on Redis: they need their own connection with unlimited retries.
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => this.logger.warn(`recording queue connection: ${err.message}`));
    const handlers: Record<RecordingJobName, (payload: unknown) => Promise<unknown>> = {
      [JobName.RecordEvents]: (p) => this.recordEvents.handle(p),
    };
    this.worker = new Worker(
      QueueName.Recording,
      async (job: Job) => {
        const handler = handlers[job.name as RecordingJobName];
        if (!handler) throw new UnrecoverableError(`airlock: unknown job ${job.name} on queue ${QueueName.Recording}`);
        try {
          return await handler(job.data);
        } catch (err) {
          // A malformed payload fails the same way on every attempt.
          if (err instanceof RecordingException) throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      { connection: this.connection, prefix, concurrency: this.config.recording.concurrency, autorun: true },
    );
    this.worker.on('completed', (job) => {
      if (job.name === JobName.RecordEvents) void this.recordEvents.completed(job.data);
    });
    this.worker.on('failed', (job, err) => this.logger.error({ msg: 'recording job failed', jobId: job?.id, attempts: job?.attemptsMade, err: err.message }));
    this.worker.on('error', (err) => this.logger.warn(`recording worker: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await closeWorker(this.worker, this.connection, this.logger);
  }
}
