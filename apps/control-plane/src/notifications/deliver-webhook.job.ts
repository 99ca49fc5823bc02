import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliverWebhookJob } from '@airlock/contracts';
import { decryptSecret } from '../common/credential-cipher';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** Payload of JobName.DeliverWebhook. */
export type DeliverWebhookPayload = DeliverWebhookJob;

const TIMEOUT_MS = 5000;

/** A non-2xx answer or a network error fails the attempt; BullMQ retries with backoff. */
@Injectable()
export class DeliverWebhookJobHandler {
  private readonly logger = new Logger(DeliverWebhookJobHandler.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async handle(payload: unknown): Promise<{ status: number }> {
    const job = DeliverWebhookJob.parse(payload);
    const url = job.schemaVersion === 2 ? decryptSecret(this.config.masterKey, Buffer.from(job.sealedUrl, 'base64')) : job.url;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'airlock-webhook/1' },
      body: JSON.stringify(job.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    // The URL may carry a token (Slack's do): log its origin only.
    if (!res.ok) throw new Error(`airlock: webhook ${new URL(url).origin} answered ${res.status}`);
    this.logger.debug({ msg: 'webhook delivered', origin: new URL(url).origin, status: res.status });
    return { status: res.status };
  }
}
