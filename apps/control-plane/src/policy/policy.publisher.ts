import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { POLICY_SCHEMA_VERSION, PolicySnapshot, seal, type PolicyNotice } from '@airlock/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { decryptSecret, encryptSecret } from '../common/credential-cipher';
import { MetricsService } from '../metrics/metrics.service';
import { RedisService } from '../redis/redis.service';
import { OidcJwksService } from './oidc-jwks.service';
import { newMaskingKey } from './masking-compiler';
import { compilePolicy, nextExpiry } from './policy-compiler';
import { PolicyRepository } from './policy.repository';

/**
 * SET only when the stored snapshot is older, then PUBLISH, atomically: two
 * replicas finishing out of order never roll a pool back. ARGV[4] = '1'
 * overwrites anyway (the database was reset and versions restarted).
 */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur and ARGV[4] ~= '1' then
  local ok, doc = pcall(cjson.decode, cur)
  if ok and type(doc) == 'table' and tonumber(doc.version) and tonumber(doc.version) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[5])
return 1`;

/** How long shutdown waits for a policy refresh in flight. */
const SHUTDOWN_WAIT_MS = 10_000;

@Injectable()
export class PolicyPublisher implements OnModuleDestroy {
  private readonly logger = new Logger(PolicyPublisher.name);
  private timer: NodeJS.Timeout | undefined;
  private nextTickAt = Infinity;
  private started = false;
  private stopped = false;
  /** The periodic refresh running now, if any. */
  private running: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: PolicyRepository,
    private readonly redis: RedisService,
    private readonly oidc: OidcJwksService,
    private readonly metrics: MetricsService,
  ) {}

  /** Compiles and publishes the given pools; call after the change has committed. Never throws: the periodic refresh heals a miss. */
  async publishPools(poolIds: Iterable<string>): Promise<void> {
    for (const id of new Set(poolIds)) {
      try {
        await this.publish(id);
      } catch (err) {
        this.logger.error({ msg: 'policy publish failed; the periodic refresh will retry', poolId: id, err: (err as Error).message });
      }
    }
  }

  async publishAll(): Promise<void> {
    await this.publishPools((await this.repo.listPools()).map((p) => p.id));
  }

  /** Boot: republish everything, then keep checking that Redis matches the database. */
  async start(): Promise<void> {
    this.started = true;
    await this.publishAll();
    this.schedule(this.config.policyRefreshMs);
  }

  /** Stops the refresh loop and lets a refresh in flight finish (its transaction is not cut off by the shutdown). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }

  /**
   * A pool is recompiled when its snapshot is missing or behind the database,
   * when a grant or key in it has expired, or when the IdP's keys changed.
   * Returns the delay until the next tick (sooner if something expires).
   */
  async refresh(): Promise<number> {
    const now = new Date();
    let delay = this.config.policyRefreshMs;
    const oidc = await this.oidc.settings();
    for (const pool of await this.repo.listPools()) {
      try {
        const raw = await this.redis.client.get(this.redis.keys.policySnapshot(pool.name));
        const parsed = raw ? PolicySnapshot.safeParse(JSON.parse(raw)) : undefined;
        const current = parsed?.success ? parsed.data : undefined;
        const stale =
          !current ||
          current.version !== pool.policyVersion ||
          [...current.grants, ...current.apiKeys].some((x) => x.expiresAt && new Date(x.expiresAt) <= now) ||
          JSON.stringify(current.oidc) !== JSON.stringify(oidc);
        const snapshot = stale ? await this.publish(pool.id, current !== undefined && current.version > pool.policyVersion) : current;
        const expiry = snapshot ? nextExpiry(snapshot, now) : null;
        if (expiry) delay = Math.min(delay, Math.max(expiry.getTime() - now.getTime() + 50, 50));
      } catch (err) {
        this.logger.error({ msg: 'policy refresh failed', pool: pool.name, err: (err as Error).message });
      }
    }
    return delay;
  }

  private schedule(ms: number): void {
    if (this.stopped || !this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextTickAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.nextTickAt = Infinity;
      this.running = this.refresh()
        .catch((err: Error) => {
          this.logger.error({ msg: 'policy refresh failed', err: err.message });
          return this.config.policyRefreshMs;
        })
        .then((next) => {
          this.running = undefined;
          this.schedule(next);
        });
    }, ms);
    this.timer.unref();
  }

  private async publish(poolId: string, force = false): Promise<PolicySnapshot | undefined> {
    const end = this.metrics.policyCompileSeconds.startTimer();
    const now = new Date();
    const oidc = await this.oidc.settings();
    await this.repo.ensureMaskingKeys(poolId, () => encryptSecret(this.config.masterKey, newMaskingKey()));
    const data = await this.repo.bumpAndLoad(poolId, now);
    if (!data) return undefined;
    const snapshot = compilePolicy(data, { decrypt: (s) => decryptSecret(this.config.masterKey, s), seal, oidc, now });
    const notice: PolicyNotice = { schemaVersion: POLICY_SCHEMA_VERSION, pool: snapshot.pool, version: snapshot.version };
    const k = this.redis.keys;
    const written = await this.redis.client.eval(SET_IF_NEWER, 1, k.policySnapshot(snapshot.pool), JSON.stringify(snapshot), String(snapshot.version), k.policyChannel(), force ? '1' : '0', JSON.stringify(notice));
    end();
    // A grant that expires before the next tick brings the tick forward, so workers drop it on time.
    const expiry = nextExpiry(snapshot, now);
    if (expiry && expiry.getTime() + 50 < this.nextTickAt) this.schedule(Math.max(expiry.getTime() - Date.now() + 50, 50));
    this.metrics.policyPublishes.inc({ pool: snapshot.pool });
    this.logger.log({ msg: written ? 'policy published' : 'policy superseded by a newer snapshot', pool: snapshot.pool, version: snapshot.version, connections: snapshot.connections.length, grants: snapshot.grants.length });
    return snapshot;
  }
}
