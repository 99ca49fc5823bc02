import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ReviewsService } from './reviews.service';

/**
 * Marks pending reviews EXPIRED past their expiresAt: the backstop for a worker that died while
 * waiting or a withdrawal that never arrived. Every replica sweeps; the PENDING guard in the
 * update makes a review expire once.
 */
@Injectable()
export class ReviewSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReviewSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reviews: ReviewsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.reviews.sweepIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.reviews.expireDue();
    } catch (err) {
      this.logger.warn({ msg: 'review expiry sweep failed', err: (err as Error).message });
      return 0;
    } finally {
      this.running = false;
    }
  }
}
