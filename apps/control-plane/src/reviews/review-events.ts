import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';
import { type ReviewRequestObject } from './dto/review-request.object';

type Listener = (review: ReviewRequestObject) => void;

/** Dates travel as ISO strings over Redis; GraphQL wants Date objects back. */
function revive(r: ReviewRequestObject): ReviewRequestObject {
  const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    ...r,
    createdAt: d(r.createdAt)!, expiresAt: d(r.expiresAt)!, decidedAt: d(r.decidedAt),
    scope: r.scope ? { ...r.scope, until: d(r.scope.until) } : null,
    decisions: r.decisions.map((x) => ({ ...x, at: d(x.at)! })),
  };
}

/**
 * New reviews, shared by every control-plane replica over Redis pub/sub so a console subscribed
 * to any replica sees a request stored by any other. Each replica fans a message out to its own
 * graphql-ws subscribers.
 */
@Injectable()
export class ReviewEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReviewEvents.name);
  private readonly listeners = new Set<Listener>();
  private channel = '';

  constructor(private readonly redis: RedisService) {}

  async onModuleInit(): Promise<void> {
    this.channel = this.redis.keys.reviewEventsChannel();
    const sub = this.redis.subscriber();
    sub.on('message', this.onMessage);
    await sub.subscribe(this.channel);
  }

  onModuleDestroy(): void {
    this.redis.subscriber().off('message', this.onMessage);
    this.listeners.clear();
  }

  /** After the database commit. Never throws: a console that missed it still lists pending reviews. */
  async requested(review: ReviewRequestObject): Promise<void> {
    try {
      await this.redis.client.publish(this.channel, JSON.stringify({ type: 'requested', review }));
    } catch (err) {
      this.logger.warn({ msg: 'could not publish a new review', reviewId: review.id, err: (err as Error).message });
    }
  }

  /** An async iterator of new reviews for one subscription; ends when the client unsubscribes. */
  async *subscribe(): AsyncGenerator<ReviewRequestObject> {
    const queue: ReviewRequestObject[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (r) => {
      queue.push(r);
      wake?.();
    };
    this.listeners.add(listener);
    try {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  private readonly onMessage = (channel: string, raw: string): void => {
    if (channel !== this.channel) return;
    try {
      const msg = JSON.parse(raw) as { type: string; review: ReviewRequestObject };
      if (msg.type !== 'requested') return;
      const review = revive(msg.review);
      for (const l of this.listeners) l(review);
    } catch (err) {
      this.logger.warn({ msg: 'malformed review event', err: (err as Error).message });
    }
  };
}
