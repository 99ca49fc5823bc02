import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JobName, QueueName } from '@airlock/contracts';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { RequestReviewJobHandler } from './request-review.job';
import { ReviewException } from './reviews.exception';
import { WithdrawReviewJobHandler } from './withdraw-review.job';
import { closeWorker } from '../redis/close-worker';

type ReviewJobName = typeof JobName.RequestReview | typeof JobName.WithdrawReview;

/** Consumes QueueName.Reviews; one handler per job name. */
@Injectable()
export class ReviewsProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReviewsProcessor.name);
  private worker: Worker | undefined;
  private connection: Redis | undefined;

  constructor(
    private readonly redis: RedisService,
    private readonly requestReview: RequestReviewJobHandler,
    private readonly withdrawReview: WithdrawReviewJobHandler,
  ) {}

  onApplicationBootstrap(): void {
    const { url, prefix } = this.redis.bullConnection();
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => this.logger.warn(`reviews queue connection: ${err.message}`));
    const handlers: Record<ReviewJobName, (payload: unknown) => Promise<unknown>> = {
      [JobName.RequestReview]: (p) => this.requestReview.handle(p),
      [JobName.WithdrawReview]: (p) => this.withdrawReview.handle(p),
    };
    this.worker = new Worker(
      QueueName.Reviews,
      async (job: Job) => {
        const handler = handlers[job.name as ReviewJobName];
        if (!handler) throw new UnrecoverableError(`airlock: unknown job ${job.name} on queue ${QueueName.Reviews}`);
        try {
          return await handler(job.data);
        } catch (err) {
          if (err instanceof ReviewException) throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      // A held statement waits on this queue: pick jobs up at once.
      { connection: this.connection, prefix, concurrency: 16, drainDelay: 1 },
    );
    this.worker.on('failed', (job, err) => this.logger.warn({ msg: 'review job failed', jobId: job?.id, attempts: job?.attemptsMade, err: err.message }));
    this.worker.on('error', (err) => this.logger.warn(`reviews worker: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await closeWorker(this.worker, this.connection, this.logger);
  }
}
