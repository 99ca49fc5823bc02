import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type DeliverWebhookJob, JobName, JOB_TO_QUEUE } from '@airlock/contracts';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { encryptSecret } from '../common/credential-cipher';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.service';

/** Retried with exponential backoff (1 s, 2 s, 4 s … about 4 minutes in all); failures kept a week. */
export const WEBHOOK_JOB_OPTIONS: JobsOptions = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } };

/** What a review webhook says; built from API-visible fields only (statement literals are already masked). */
export interface ReviewNotice {
  event: 'review.requested' | 'review.decided';
  review: {
    id: string;
    kind: string;
    connection: string;
    requester: string;
    statement: string | null;
    rule: string | null;
    status: string;
    expiresAt: Date;
    decisions: Array<{ approver: string; decision: string; reason: string | null }>;
    profile: string | null;
    durationSeconds: number | null;
    reason: string | null;
  };
}

/** Enqueues review webhooks: the global one (AIRLOCK_REVIEW_WEBHOOK_URL) and the connection's own. */
@Injectable()
export class WebhookService implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookService.name);
  private queue: Queue | undefined;
  private connection: Redis | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  /** Never throws: a notification is best effort next to the review itself. */
  async notify(notice: ReviewNotice, connectionUrl: string | null): Promise<void> {
    const urls = [...new Set([this.config.reviews.webhookUrl, connectionUrl].filter((u): u is string => !!u))];
    if (urls.length === 0) return;
    const body = this.body(notice);
    try {
      const queue = this.open();
      // Sealed: the URL's own secret never reaches Redis in clear (nor a failed job kept a week).
      const jobs = urls.map((url) => ({ schemaVersion: 2, sealedUrl: encryptSecret(this.config.masterKey, url).toString('base64'), body }) satisfies DeliverWebhookJob);
      await queue.addBulk(jobs.map((data) => ({ name: JobName.DeliverWebhook, data, opts: WEBHOOK_JOB_OPTIONS })));
    } catch (err) {
      this.logger.warn({ msg: 'could not enqueue a review webhook', reviewId: notice.review.id, err: (err as Error).message });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue?.close();
    this.connection?.disconnect();
  }

  private body(n: ReviewNotice): Record<string, unknown> {
    const r = n.review;
    const link = `${this.config.publicUrl.replace(/\/$/, '')}/reviews/${r.id}`;
    const what = r.kind === 'ACCESS' ? `access to ${r.connection} (${r.profile ?? 'default profile'}, ${r.durationSeconds ?? '?'} s): ${r.reason ?? ''}` : `\`${r.statement ?? ''}\` on ${r.connection}`;
    const last = r.decisions.at(-1);
    const text =
      n.event === 'review.requested'
        ? `Airlock: ${r.requester} asks for approval of ${what}${r.rule ? ` (rule ${r.rule})` : ''} — ${link}`
        : `Airlock: review ${r.id} ${r.status.toLowerCase()}${last ? ` by ${last.approver}${last.reason ? `: ${last.reason}` : ''}` : ''} — ${link}`;
    return {
      text,
      event: n.event,
      review: { ...r, expiresAt: r.expiresAt.toISOString(), url: link },
    };
  }

  private open(): Queue {
    if (!this.queue) {
      const { url, prefix } = this.redis.bullConnection();
      this.connection = new Redis(url, { maxRetriesPerRequest: 2 });
      this.connection.on('error', (err: Error) => this.logger.warn(`notifications queue connection: ${err.message}`));
      this.queue = new Queue(JOB_TO_QUEUE[JobName.DeliverWebhook], { connection: this.connection, prefix });
    }
    return this.queue;
  }
}
