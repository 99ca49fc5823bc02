/**
 * Redis keys, pub/sub channels and BullMQ queue names shared by the control
 * plane and the workers. Every key lives under one prefix so a deployment can
 * share a Redis; queue names carry a hash tag so Redis Cluster keeps each
 * queue's keys in one slot.
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
}

export function keySpace(prefix = 'airlock'): KeySpace {
  return {
    policySnapshot: (pool) => `${prefix}:policy:${pool}`,
    policyChannel: () => `${prefix}:policy:changed`,
    workers: () => `${prefix}:workers`,
    decisionChannel: () => `${prefix}:reviews:decided`,
    queuePrefix: () => `{${prefix}}`,
  };
}

/** BullMQ queues, worker → control plane. */
export const QueueName = {
  Recording: 'recording',
  Reviews: 'reviews',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  RecordEvents: 'record-events',
  RequestReview: 'request-review',
  WithdrawReview: 'withdraw-review',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Total routing: the compiler rejects a job without a queue. */
export const JOB_TO_QUEUE: Record<JobName, QueueName> = {
  [JobName.RecordEvents]: QueueName.Recording,
  [JobName.RequestReview]: QueueName.Reviews,
  [JobName.WithdrawReview]: QueueName.Reviews,
};
