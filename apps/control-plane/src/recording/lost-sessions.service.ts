import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { liveHeartbeats } from '@airlock/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.service';
import { RecordingRepository } from './recording.repository';

/** Sessions closed per sweep at most; the next sweep takes the rest. */
const SWEEP_LIMIT = 500;

/**
 * A worker killed mid-session (SIGKILL, OOM, a lost host) never records session.end: without
 * this, its sessions would stay open in every access review forever, and their chains would never
 * be anchored in the global audit chain. Periodically, an open session whose worker has no live
 * heartbeat (or has restarted since the session started) and that has recorded nothing for
 * AIRLOCK_LOST_SESSION_SECONDS is closed as "worker lost", at its last event, and its chain
 * anchored as far as it was recorded. The quiet period leaves a restarted worker the time to
 * drain its spool; events that still arrive later are stored and chained as usual.
 */
@Injectable()
export class LostSessionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LostSessionsService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RecordingRepository,
    private readonly redis: RedisService,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.min(60_000, Math.max(1000, this.config.recording.lostSessionMs / 2));
    this.timer = setInterval(() => void this.sweep().catch((err: Error) => this.logger.error({ msg: 'lost-session sweep failed', err: err.message })), every);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Closes the sessions lost with their worker; returns their ids. */
  async sweep(now = Date.now()): Promise<string[]> {
    const quiet = await this.repo.quietOpenSessions(new Date(now - this.config.recording.lostSessionMs), SWEEP_LIMIT);
    if (quiet.length === 0) return [];
    // Live workers and when each started: a session is lost when its worker is not live, or
    // started after the session did (it restarted; the session died with the old process).
    const beats = liveHeartbeats(Object.values(await this.redis.client.hgetall(this.redis.keys.workers())), now);
    const live = new Map(beats.map((hb) => [hb.id, Date.parse(hb.startedAt)]));
    const lost = quiet.filter((s) => {
      const started = live.get(s.workerId);
      return started === undefined || started > s.startedAt.getTime();
    });
    const closed = await this.repo.closeLost(lost);
    if (closed.length > 0) this.logger.warn({ msg: 'sessions closed: their worker was lost before they ended', sessions: closed.length, workers: [...new Set(lost.map((s) => s.workerId))] });
    return closed;
  }
}

