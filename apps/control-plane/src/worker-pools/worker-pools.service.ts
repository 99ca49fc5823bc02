import { Injectable, Logger } from '@nestjs/common';
import { liveHeartbeats } from '@airlock/contracts';
import { MetricsService } from '../metrics/metrics.service';
import { PolicyPublisher } from '../policy/policy.publisher';
import { RedisService } from '../redis/redis.service';
import { type RegisterWorkerPoolInput } from './dto/register-worker-pool.input';
import { type WorkerObject } from './dto/worker.object';
import { type WorkerPoolObject } from './dto/worker-pool.object';
import { WorkerPoolException, WorkerPoolExceptionCode } from './worker-pools.exception';
import { WorkerPoolsRepository } from './worker-pools.repository';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

@Injectable()
export class WorkerPoolsService {
  private readonly logger = new Logger(WorkerPoolsService.name);

  constructor(
    private readonly repo: WorkerPoolsRepository,
    private readonly policy: PolicyPublisher,
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  list(): Promise<WorkerPoolObject[]> {
    return this.repo.list();
  }

  async register(input: RegisterWorkerPoolInput): Promise<WorkerPoolObject> {
    if (!NAME.test(input.name)) {
      throw new WorkerPoolException(WorkerPoolExceptionCode.INVALID_NAME, 'airlock: a pool name is 1-63 lowercase letters, digits, "-" or "_"');
    }
    const key = input.publicKey.trim();
    const raw = Buffer.from(key, 'base64');
    if (raw.length !== 32 || raw.toString('base64') !== key) {
      throw new WorkerPoolException(WorkerPoolExceptionCode.INVALID_PUBLIC_KEY, 'airlock: publicKey must be a raw X25519 public key: 32 bytes, base64');
    }
    const pool = await this.repo.upsert(input.name, key);
    await this.policy.publishPools([pool.id]);
    this.logger.log({ msg: 'worker pool registered', pool: pool.name });
    return (await this.repo.findByName(pool.name)) ?? pool;
  }

  /** Live workers from their heartbeats; entries older than HEARTBEAT_STALE_MS are gone. */
  async workers(pool?: string): Promise<WorkerObject[]> {
    const all = await this.redis.client.hgetall(this.redis.keys.workers());
    const live: WorkerObject[] = [];
    for (const hb of liveHeartbeats(Object.values(all), Date.now())) {
      if (pool && hb.pool !== pool) continue;
      live.push({
        id: hb.id, pool: hb.pool, region: hb.region,
        address: hb.addresses.postgres ?? null, sshAddress: hb.addresses.ssh ?? null, httpAddress: hb.addresses.http ?? null,
        policyVersion: hb.policyVersion, sessions: hb.load.sessions, lastSeen: new Date(Date.parse(hb.at)),
      });
    }
    if (!pool) this.metrics.liveWorkers.set(live.length);
    return live.sort((a, b) => a.pool.localeCompare(b.pool) || a.id.localeCompare(b.id));
  }
}
