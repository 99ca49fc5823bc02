import cluster from 'node:cluster';
import type http from 'node:http';
import { keySpace } from '@airlock/contracts';
import { Redis } from 'ioredis';
import type { WorkerConfig } from './config';
import { Heartbeater } from './heartbeat';
import { startHealthServer, workerEndpoints } from './health/health-server';
import { createLogger, type Logger } from './logger';
import { WorkerMetrics } from './metrics';
import { PolicyStore } from './policy/policy-store';
import { answerSupervisor } from './supervisor';

/** What a protocol listener needs from the worker around it. */
export interface WorkerContext {
  config: WorkerConfig;
  log: Logger;
  policy: PolicyStore;
  metrics: WorkerMetrics;
  redis: Redis;
}

/** A protocol listener (Postgres, SSH, HTTP) plugged into the worker. */
export interface ProtocolListener {
  readonly name: string;
  readonly address: string;
  sessions(): number;
  close(): Promise<void>;
}

export type ListenerFactory = (ctx: WorkerContext) => Promise<ProtocolListener>;

export interface RunningWorker {
  id: string;
  ctx: WorkerContext;
  healthUrl: string;
  listeners: ProtocolListener[];
  close(): Promise<void>;
}

export async function startWorker(config: WorkerConfig, listenerFactories: ListenerFactory[] = []): Promise<RunningWorker> {
  const log = createLogger(config.logLevel, { worker: config.id, pool: config.pool });
  const keys = keySpace(config.redisPrefix);
  // The worker keeps serving on its last policy while Redis is away: never give up reconnecting.
  const redisOpts = { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n: number) => Math.min(n * 200, 2000) };
  const redis = new Redis(config.redisUrl, redisOpts);
  const subscriber = new Redis(config.redisUrl, { ...redisOpts, enableOfflineQueue: true, maxRetriesPerRequest: null });
  let redisDown = false;
  for (const conn of [redis, subscriber]) {
    conn.on('error', (err: Error) => {
      if (!redisDown) log.warn({ err: err.message }, 'redis: connection error');
      redisDown = true;
    });
    conn.on('ready', () => (redisDown = false));
  }
  await new Promise<void>((resolve) => {
    if (redis.status === 'ready') return resolve();
    const t = setTimeout(resolve, 3000);
    redis.once('ready', () => (clearTimeout(t), resolve()));
  });

  const metrics = new WorkerMetrics();
  const policy = new PolicyStore(redis, subscriber, keys, config.pool, config.poolPrivateKey, config.stateDir, log);
  const ctx: WorkerContext = { config, log, policy, metrics, redis };
  await policy.start();
  metrics.policyVersion.set(policy.version);

  const listeners: ProtocolListener[] = [];
  for (const make of listenerFactories) listeners.push(await make(ctx));
  const sessions = () => listeners.reduce((n, l) => n + l.sessions(), 0);
  const startedAt = new Date();

  const heartbeater = new Heartbeater(
    redis,
    keys,
    {
      id: config.id,
      pool: config.pool,
      region: config.region,
      addresses: Object.fromEntries(listeners.map((l) => [l.name, l.address])),
      startedAt,
      policyVersion: () => policy.version,
      sessions,
    },
    log,
  );
  policy.on('change', (index) => {
    metrics.policyVersion.set(index.version);
    // Report the new version at once: the control plane measures propagation by it.
    void heartbeater.beat();
  });
  heartbeater.start();

  const source = { id: config.id, pool: config.pool, policyVersion: () => policy.version, sessions };
  // Under a supervisor (AIRLOCK_WORKER_PROCESSES > 1) the supervisor serves the health port for all
  // its processes and asks each for its state and metrics.
  let health: http.Server | null = null;
  let stopAnswering = (): void => undefined;
  let healthUrl = `http://${config.health.host}:${config.health.port}`;
  if (cluster.isWorker) {
    stopAnswering = answerSupervisor(source, metrics.registry);
  } else {
    health = await startHealthServer(config.health, workerEndpoints(source, metrics.registry));
    const address = health.address();
    healthUrl = `http://${config.health.host}:${typeof address === 'object' && address ? address.port : config.health.port}`;
  }
  log.info({ health: healthUrl, listeners: listeners.map((l) => `${l.name}@${l.address}`), policyVersion: policy.version }, 'worker started');

  return {
    id: config.id,
    ctx,
    healthUrl,
    listeners,
    async close() {
      policy.stop();
      await Promise.allSettled(listeners.map((l) => l.close()));
      await heartbeater.stop();
      stopAnswering();
      const server = health;
      if (server) await new Promise((r) => server.close(r));
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
