/**
 * Redis keys, pub/sub channels and BullMQ queue names shared by the control
 * plane and the workers. Every key lives under one prefix so a deployment can
 * share a Redis; keys used together in one command or script carry the same
 * hash tag (queues; scoped approvals) so Redis Cluster keeps them in one slot.
 */
export const CONTRACTS_VERSION = 1;

export interface KeySpace {
  /** Latest policy snapshot of a pool (JSON, see PolicySnapshot). */
  policySnapshot(pool: string): string;
  /** Pub/sub channel announcing a new snapshot version for any pool. */
  policyChannel(): string;
  /** Hash of live workers of every pool: field = worker id, value = Heartbeat JSON. */
  workers(): string;
  /** Pub/sub channel on which review decisions reach waiting workers. */
  decisionChannel(): string;
  /** BullMQ key prefix (hash-tagged). */
  queuePrefix(): string;
  /** A decided review's ReviewDecisionMessage (JSON, with a TTL), for workers that missed the pub/sub message. */
  reviewDecision(id: string): string;
  /** Hash of active scoped approvals: field = scopeField(...), value = ScopedApproval JSON. */
  reviewScopes(): string;
  /** Hash of runs left per scoped approval (same fields); decremented atomically by workers. */
  reviewScopeRuns(): string;
  /** Pub/sub channel on which control-plane replicas share new and decided reviews (console subscriptions). */
  reviewEventsChannel(): string;
  /** A batch of recorded events (JSON Lines bytes, with a TTL) that a RecordEventBlobJob points to. */
  recordingBlob(workerId: string, batch: string): string;
}

/** Field of a scoped approval: the same statement shape, from the same identity, on the same connection. */
export function scopeField(connection: string, identity: string, fingerprint: string): string {
  return `${connection}\n${identity}\n${fingerprint}`;
}

export function keySpace(prefix = 'airlock'): KeySpace {
  return {
    policySnapshot: (pool) => `${prefix}:policy:${pool}`,
    policyChannel: () => `${prefix}:policy:changed`,
    workers: () => `${prefix}:workers`,
    decisionChannel: () => `${prefix}:reviews:decided`,
    queuePrefix: () => `{${prefix}}`,
    reviewDecision: (id) => `${prefix}:reviews:decision:${id}`,
    // One hash tag for both: the workers' Lua script that takes a run reads and writes the two
    // in one call, which Redis Cluster allows only within one slot.
    reviewScopes: () => `${prefix}:reviews:{scopes:${prefix}}`,
    reviewScopeRuns: () => `${prefix}:reviews:{scopes:${prefix}}:runs`,
    reviewEventsChannel: () => `${prefix}:reviews:events`,
    recordingBlob: (workerId, batch) => `${prefix}:recording:blob:${workerId}:${batch}`,
  };
}

/** BullMQ queues, worker → control plane. */
export const QueueName = {
  Recording: 'recording',
  Reviews: 'reviews',
  Notifications: 'notifications',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  RecordEvents: 'record-events',
  RequestReview: 'request-review',
  WithdrawReview: 'withdraw-review',
  DeliverWebhook: 'deliver-webhook',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Total routing: the compiler rejects a job without a queue. */
export const JOB_TO_QUEUE: Record<JobName, QueueName> = {
  [JobName.RecordEvents]: QueueName.Recording,
  [JobName.RequestReview]: QueueName.Reviews,
  [JobName.WithdrawReview]: QueueName.Reviews,
  [JobName.DeliverWebhook]: QueueName.Notifications,
};
