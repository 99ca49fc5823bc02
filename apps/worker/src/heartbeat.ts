import { cpus } from 'node:os';
import { HEARTBEAT_INTERVAL_MS, type Heartbeat, type KeySpace } from '@airlock/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from './logger';

export interface HeartbeatSource {
  id: string;
  pool: string;
  region: string;
  addresses: Heartbeat['addresses'];
  startedAt: Date;
  policyVersion(): number;
  sessions(): number;
}

/** Writes this worker's heartbeat into the pool-wide hash every interval. */
export class Heartbeater {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = Date.now();
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: KeySpace,
    private readonly source: HeartbeatSource,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.hdel(this.keys.workers(), this.source.id).catch(() => undefined);
  }

  /** Sends one heartbeat now (also used right after a policy change). */
  async beat(): Promise<void> {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = Date.now();
    const elapsedUs = Math.max(1, (now - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const hb: Heartbeat = {
      id: this.source.id,
      pool: this.source.pool,
      region: this.source.region,
      addresses: this.source.addresses,
      policyVersion: this.source.policyVersion(),
      load: { sessions: this.source.sessions(), cpu: (cpu.user + cpu.system) / elapsedUs / cpus().length, rssBytes: process.memoryUsage.rss() },
      startedAt: this.source.startedAt.toISOString(),
      at: new Date(now).toISOString(),
    };
    try {
      await this.redis.hset(this.keys.workers(), this.source.id, JSON.stringify(hb));
      if (this.failing) this.log.info('heartbeat: Redis reachable again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn({ err: (err as Error).message }, 'heartbeat: Redis unreachable; serving on the last good policy');
      this.failing = true;
    }
  }
}
