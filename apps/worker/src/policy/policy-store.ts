import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PolicyNotice, PolicySnapshot, type KeySpace } from '@airlock/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { PolicyIndex } from './policy-index';

const RESYNC_INTERVAL_MS = 30_000;

/**
 * Holds the pool's last good policy snapshot. Fetches the whole snapshot on
 * start, on every notice, on reconnect and periodically; never trusts the
 * notice stream alone. A snapshot that fails the contract schema is refused and
 * the old one kept. The last good snapshot is cached on disk (credentials stay
 * sealed there) so a restart while Redis is away still serves.
 */
export class PolicyStore extends EventEmitter<{ change: [PolicyIndex] }> {
  private index: PolicyIndex | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private rerun: Promise<void> | undefined;
  private readonly cacheFile: string;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly keys: KeySpace,
    private readonly pool: string,
    private readonly poolPrivateKey: string | undefined,
    stateDir: string,
    private readonly log: Logger,
  ) {
    super();
    this.cacheFile = path.join(stateDir, `policy-${pool}.json`);
  }

  get current(): PolicyIndex | undefined {
    return this.index;
  }

  get version(): number {
    return this.index?.version ?? -1;
  }

  async start(): Promise<void> {
    await this.loadCache();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.policyChannel()) this.onNotice(message);
    });
    // ioredis resubscribes after a reconnect; what was published meanwhile is lost, so refetch.
    this.subscriber.on('ready', () => void this.refresh('reconnect'));
    await this.subscriber.subscribe(this.keys.policyChannel()).catch((err: Error) => this.log.warn({ err: err.message }, 'policy: subscribe failed; will retry on reconnect'));
    await this.refresh('start');
    this.timer = setInterval(() => void this.refresh('resync'), RESYNC_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Fetches the pool's snapshot key; concurrent calls share one fetch. */
  refresh(reason: string): Promise<void> {
    if (this.inflight) {
      // A notice that lands mid-fetch may name a version newer than the one being read (the key
      // was read before it was published): fetch once more afterwards instead of dropping it.
      this.rerun ??= this.inflight.then(() => {
        this.rerun = undefined;
        return this.refresh(reason);
      });
      return this.rerun;
    }
    this.inflight = this.fetch(reason).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private onNotice(message: string): void {
    let notice: PolicyNotice;
    try {
      notice = PolicyNotice.parse(JSON.parse(message));
    } catch {
      this.log.warn('policy: ignoring a malformed notice');
      return;
    }
    if (notice.pool !== this.pool || notice.version <= this.version) return;
    void this.refresh(notice.version > this.version + 1 ? 'version-gap' : 'notice');
  }

  private async fetch(reason: string): Promise<void> {
    let raw: string | null;
    try {
      raw = await this.redis.get(this.keys.policySnapshot(this.pool));
    } catch (err) {
      this.log.warn({ reason, err: (err as Error).message, version: this.version }, 'policy: Redis unreachable; keeping the last good snapshot');
      return;
    }
    if (raw === null) {
      if (!this.index) this.log.warn({ pool: this.pool }, 'policy: no snapshot published for this pool yet');
      return;
    }
    if (this.accept(raw, reason)) await this.saveCache(raw);
  }

  private accept(raw: string, reason: string): boolean {
    let snapshot: PolicySnapshot;
    try {
      snapshot = PolicySnapshot.parse(JSON.parse(raw));
    } catch (err) {
      this.log.error({ reason, err: (err as Error).message.slice(0, 500) }, 'policy: refused a snapshot that fails the contract schema; keeping the old one');
      return false;
    }
    if (snapshot.pool !== this.pool) {
      this.log.error({ pool: snapshot.pool }, 'policy: refused a snapshot of another pool');
      return false;
    }
    if (snapshot.version === this.version) return false;
    if (snapshot.version < this.version) {
      this.log.warn({ from: this.version, to: snapshot.version }, 'policy: snapshot version went backwards (control plane database reset?); applying it');
    }
    this.index = new PolicyIndex(snapshot, this.poolPrivateKey);
    this.log.info({ reason, version: snapshot.version, connections: snapshot.connections.length, grants: snapshot.grants.length }, 'policy: applied snapshot');
    this.emit('change', this.index);
    return true;
  }

  private async loadCache(): Promise<void> {
    try {
      const raw = await readFile(this.cacheFile, 'utf8');
      if (this.accept(raw, 'disk-cache')) this.log.info({ file: this.cacheFile }, 'policy: serving the cached snapshot until Redis answers');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ err: (err as Error).message }, 'policy: unreadable snapshot cache ignored');
    }
  }

  private async saveCache(raw: string): Promise<void> {
    try {
      await mkdir(path.dirname(this.cacheFile), { recursive: true, mode: 0o700 });
      const tmp = `${this.cacheFile}.${process.pid}.tmp`;
      await writeFile(tmp, raw, { mode: 0o600 });
      await rename(tmp, this.cacheFile);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'policy: could not write the snapshot cache');
    }
  }
}
