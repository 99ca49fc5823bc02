import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RecordingRepository } from './recording.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes recorded sessions older than AIRLOCK_RETENTION_DAYS, periodically, on one replica at a time. */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RecordingRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge().catch((err: Error) => this.logger.error({ msg: 'retention purge failed', err: err.message })), this.config.recording.retentionIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async purge(now = new Date()): Promise<{ sessions: number; events: number } | null> {
    const days = this.config.recording.retentionDays;
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const result = await this.repo.purgeBefore(cutoff, days);
    if (result && result.sessions > 0) this.logger.log({ msg: 'recorded sessions past retention deleted', cutoff: cutoff.toISOString(), ...result });
    return result;
  }
}
