import { Injectable, Logger } from '@nestjs/common';
import { DeliverWebhookJob } from '@airlock/contracts';

/** Payload of JobName.DeliverWebhook. */
export type DeliverWebhookPayload = DeliverWebhookJob;

const TIMEOUT_MS = 5000;

/** A non-2xx answer or a network error fails the attempt; BullMQ retries with backoff. */
@Injectable()
export class DeliverWebhookJobHandler {
  private readonly logger = new Logger(DeliverWebhookJobHandler.name);

  async handle(payload: unknown): Promise<{ status: number }> {
    const job = DeliverWebhookJob.parse(payload);
    const res = await fetch(job.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'airlock-webhook/1' },
      body: JSON.stringify(job.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    // The URL may carry a token (Slack's do): log its origin only.
    if (!res.ok) throw new Error(`airlock: webhook ${new URL(job.url).origin} answered ${res.status}`);
    this.logger.debug({ msg: 'webhook delivered', origin: new URL(job.url).origin, status: res.status });
    return { status: res.status };
  }
}
