import {
  JobName,
  JOB_TO_QUEUE,
  ReviewDecisionMessage,
  ScopedApproval,
  scopeField,
  type KeySpace,
  type ReviewRequestJob,
  type WithdrawReviewJob,
} from '@airlock/contracts';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A review request is enqueued once (jobId = review id, so a retry never makes a second one) and
 * kept a day for inspection when the control plane could not store it.
 */
export const REVIEW_JOB_OPTIONS: JobsOptions = { attempts: 10, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } };

/**
 * Takes one run of a scoped approval, atomically across workers. KEYS: scopes hash, runs hash.
 * ARGV: field, now (ms). Returns the runs left after this one (-1: no run limit), or -2 when no run
 * is granted. An exhausted or expired scope is
 * deleted by whoever notices first. cjson decodes JSON null as cjson.null (truthy), hence the checks.
 */
const TAKE_SCOPED_RUN = `
local meta = redis.call('HGET', KEYS[1], ARGV[1])
if not meta then return -2 end
local ok, doc = pcall(cjson.decode, meta)
if not ok or type(doc) ~= 'table' then return -2 end
local function drop() redis.call('HDEL', KEYS[1], ARGV[1]); redis.call('HDEL', KEYS[2], ARGV[1]) end
local untilMs = doc['until']
if untilMs and untilMs ~= cjson.null and tonumber(ARGV[2]) > tonumber(untilMs) then drop(); return -2 end
local maxRuns = doc['maxRuns']
if not maxRuns or maxRuns == cjson.null then return -1 end
local n = redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
if n < 0 then drop(); return -2 end
if n == 0 then drop() end
return n`;

type Waiter = (msg: ReviewDecisionMessage) => void;

/**
 * The worker's side of human review, shared by every session of a worker: one BullMQ producer for
 * requests and withdrawals, one pub/sub subscription for decisions routed by review id, and a
 * local mirror of active scoped approvals (so a statement an approval covers is let through
 * without a notice, after an atomic run count in Redis).
 */
export class ReviewClient {
  private readonly waiters = new Map<string, Waiter>();
  /** Scoped approvals this worker knows of, by scopeField(); Redis stays the authority on runs left. */
  private readonly scopes = new Map<string, ScopedApproval>();
  private readonly queue: Queue;
  private readonly queueConn: Redis;
  private readonly sub: Redis;
  private readonly cmd: Redis;
  private closed = false;

  constructor(
    redisUrl: string,
    private readonly keys: KeySpace,
    private readonly log: Logger,
  ) {
    const retryStrategy = (n: number) => Math.min(n * 200, 2000);
    this.cmd = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy });
    this.queueConn = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy });
    this.sub = new Redis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy });
    for (const c of [this.cmd, this.queueConn, this.sub]) c.on('error', (err: Error) => this.log.debug({ err: err.message }, 'reviews: redis connection error'));
    this.queue = new Queue(JOB_TO_QUEUE[JobName.RequestReview], { connection: this.queueConn, prefix: keys.queuePrefix() });
    this.queue.on('error', (err: Error) => this.log.debug({ err: err.message }, 'reviews: queue error'));
    this.sub.on('message', (_channel: string, raw: string) => this.onMessage(raw));
    // On every (re)connect: decisions published while the subscriber was away are read from their keys.
    this.sub.on('ready', () => void this.resync());
  }

  async start(): Promise<void> {
    await this.sub.subscribe(this.keys.decisionChannel()).catch((err: Error) => this.log.warn({ err: err.message }, 'reviews: subscribe failed; will retry on reconnect'));
    await this.loadScopes();
  }

  async request(job: ReviewRequestJob): Promise<void> {
    await this.queue.add(JobName.RequestReview, job, { ...REVIEW_JOB_OPTIONS, jobId: job.id });
  }

  /** Never throws: a lost withdrawal is healed by the control plane's expiry sweeper. */
  async withdraw(id: string, reason: string, status: 'EXPIRED' | 'WITHDRAWN'): Promise<void> {
    const job: WithdrawReviewJob = { schemaVersion: 1, id, reason, status };
    try {
      await this.queue.add(JobName.WithdrawReview, job, { ...REVIEW_JOB_OPTIONS, jobId: `${id}-withdraw` });
    } catch (err) {
      this.log.warn({ reviewId: id, err: (err as Error).message }, 'reviews: could not enqueue the withdrawal; the control plane expires it later');
    }
  }

  /** Registers interest in a decision; returns the unregister function. */
  onDecision(id: string, waiter: Waiter): () => void {
    this.waiters.set(id, waiter);
    return () => {
      if (this.waiters.get(id) === waiter) this.waiters.delete(id);
    };
  }

  /** The stored decision of one review (for a waiter that may have missed the message). */
  async fetchDecision(id: string): Promise<ReviewDecisionMessage | undefined> {
    const raw = await this.cmd.get(this.keys.reviewDecision(id)).catch(() => null);
    if (!raw) return undefined;
    const parsed = ReviewDecisionMessage.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** Whether this worker knows of a scoped approval that may cover the statement (a hint; see takeScopedRun). */
  scopeFor(connection: string, identity: string, fingerprint: string): ScopedApproval | undefined {
    const field = scopeField(connection, identity, fingerprint);
    const s = this.scopes.get(field);
    if (s && s.until !== null && Date.now() > s.until) {
      this.scopes.delete(field);
      return undefined;
    }
    return s;
  }

  /** Takes one run of the scoped approval atomically across workers; false when none is left. */
  async takeScopedRun(scope: ScopedApproval): Promise<boolean> {
    const field = scopeField(scope.connection, scope.identity, scope.fingerprint);
    const left = Number(await this.cmd.eval(TAKE_SCOPED_RUN, 2, this.keys.reviewScopes(), this.keys.reviewScopeRuns(), field, String(Date.now())));
    // The last run (or none): forget it here, so the next statement is held with its notice.
    if (left === 0 || left === -2) this.scopes.delete(field);
    return left !== -2;
  }

  pending(): number {
    return this.waiters.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.close().catch(() => undefined);
    for (const c of [this.cmd, this.queueConn, this.sub]) c.disconnect();
  }

  private onMessage(raw: string): void {
    let msg: ReviewDecisionMessage;
    try {
      msg = ReviewDecisionMessage.parse(JSON.parse(raw));
    } catch {
      this.log.warn('reviews: malformed decision message ignored');
      return;
    }
    if (msg.status === 'APPROVED' && msg.scope && msg.match && msg.approver) {
      const m = msg.match;
      this.scopes.set(scopeField(m.connection, m.identity, m.fingerprint), {
        reviewId: msg.id, approver: msg.approver, ...m,
        until: msg.scope.until ? Date.parse(msg.scope.until) : null, maxRuns: msg.scope.maxRuns ?? null,
      });
    }
    this.waiters.get(msg.id)?.(msg);
  }

  private async resync(): Promise<void> {
    if (this.closed) return;
    await this.loadScopes();
    for (const id of [...this.waiters.keys()]) {
      const msg = await this.fetchDecision(id);
      if (msg) this.waiters.get(id)?.(msg);
    }
  }

  private async loadScopes(): Promise<void> {
    try {
      const all = await this.cmd.hgetall(this.keys.reviewScopes());
      this.scopes.clear();
      for (const [field, raw] of Object.entries(all)) {
        const parsed = ScopedApproval.safeParse(JSON.parse(raw));
        if (parsed.success) this.scopes.set(field, parsed.data);
      }
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'reviews: could not load scoped approvals (Redis away?)');
    }
  }
}
