import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The recorder's batches unless AIRLOCK_RECORDING_FLUSH_MS / AIRLOCK_RECORDING_BATCH_EVENTS say otherwise. */
export const RECORDING_BATCH_DEFAULTS = { flushIntervalMs: 100, maxBatchEvents: 2000 } as const;

/** The worker's configuration, read once from the environment at boot. */
const listen = z.string().regex(/^[^:]+:\d{1,5}$/, 'must be host:port');

const schema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  AIRLOCK_REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('airlock'),
  AIRLOCK_WORKER_ID: z.string().optional(),
  AIRLOCK_WORKER_POOL: z.string().default('default'),
  AIRLOCK_WORKER_REGION: z.string().default('local'),
  /** The pool's X25519 private key (PKCS#8 DER, base64), or a file holding it. */
  AIRLOCK_POOL_PRIVATE_KEY: z.string().optional(),
  AIRLOCK_POOL_PRIVATE_KEY_FILE: z.string().optional(),
  AIRLOCK_PG_LISTEN: listen.default('127.0.0.1:15432'),
  AIRLOCK_PG_ADVERTISE: z.string().optional(),
  AIRLOCK_PG_TLS_CERT_FILE: z.string().optional(),
  AIRLOCK_PG_TLS_KEY_FILE: z.string().optional(),
  AIRLOCK_PG_REQUIRE_TLS: z.enum(['0', '1', 'true', 'false']).default('0'),
  AIRLOCK_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  /** Cap on one message from a target: a DataRow may legitimately reach Postgres's own 1 GiB. */
  AIRLOCK_PG_MAX_SERVER_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024 + 1024),
  AIRLOCK_HEALTH_LISTEN: listen.default('127.0.0.1:8081'),
  AIRLOCK_STATE_DIR: z.string().default('.airlock/worker'),
  /** Bound on the recording spool (AIRLOCK_STATE_DIR/spool); when reached, new sessions are refused. */
  AIRLOCK_SPOOL_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024),
  /** fsync each spooled batch (survives a host crash, not only a process kill) at a throughput cost. */
  AIRLOCK_SPOOL_FSYNC: z.enum(['0', '1', 'true', 'false']).default('0'),
  /**
   * A recording batch is handed to the pipeline every AIRLOCK_RECORDING_FLUSH_MS or at
   * AIRLOCK_RECORDING_BATCH_EVENTS events, whichever comes first. Larger batches cost less per
   * event; what a SIGKILL can lose grows with them (at most two batches).
   */
  AIRLOCK_RECORDING_FLUSH_MS: z.coerce.number().int().min(1).max(10_000).default(RECORDING_BATCH_DEFAULTS.flushIntervalMs),
  /** At most 5000: the pipeline sends up to 5000 events per queue job. */
  AIRLOCK_RECORDING_BATCH_EVENTS: z.coerce.number().int().min(1).max(5000).default(RECORDING_BATCH_DEFAULTS.maxBatchEvents),
  /**
   * Processes serving the worker's listeners: 1 (the default) runs them in this process; n > 1 or
   * `auto` (one per CPU) runs a supervisor that forks that many, sharing the listening ports.
   */
  AIRLOCK_WORKER_PROCESSES: z
    .string()
    .default('1')
    .pipe(
      z
        .string()
        .regex(/^(auto|\d{1,3})$/, 'must be a number of processes (1-64) or auto')
        .transform((v) => (v === 'auto' ? Math.min(64, availableParallelism()) : Number(v)))
        .pipe(z.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64')),
    ),
  AIRLOCK_CONSOLE_URL: z.string().url().default('http://127.0.0.1:8080'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const SECRET_VARIABLES = new Set(['REDIS_URL', 'AIRLOCK_POOL_PRIVATE_KEY']);

export interface HostPort {
  host: string;
  port: number;
}

export interface WorkerConfig {
  id: string;
  pool: string;
  region: string;
  redisUrl: string;
  redisPrefix: string;
  poolPrivateKey: string | undefined;
  postgres: { listen: HostPort; advertise: string; tls?: { cert: Buffer; key: Buffer }; requireTls: boolean; maxMessageBytes: number; maxServerMessageBytes: number };
  health: HostPort;
  stateDir: string;
  /** flushIntervalMs and maxBatchEvents: the recorder's defaults when absent. */
  recording: { spoolMaxBytes: number; spoolFsync: boolean; flushIntervalMs?: number; maxBatchEvents?: number };
  consoleUrl: string;
  logLevel: string;
  /** AIRLOCK_WORKER_PROCESSES: how many processes serve the listeners (see supervisor.ts). */
  processes: number;
}

export class WorkerConfigError extends Error {}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkerConfigError(`airlock: invalid configuration: ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const pgListen = hostPort(e.AIRLOCK_PG_LISTEN);
  let tls: WorkerConfig['postgres']['tls'];
  if (e.AIRLOCK_PG_TLS_CERT_FILE || e.AIRLOCK_PG_TLS_KEY_FILE) {
    if (!e.AIRLOCK_PG_TLS_CERT_FILE || !e.AIRLOCK_PG_TLS_KEY_FILE) {
      throw new WorkerConfigError('airlock: invalid configuration: set both AIRLOCK_PG_TLS_CERT_FILE and AIRLOCK_PG_TLS_KEY_FILE, or neither');
    }
    tls = { cert: readFile(e.AIRLOCK_PG_TLS_CERT_FILE, 'AIRLOCK_PG_TLS_CERT_FILE'), key: readFile(e.AIRLOCK_PG_TLS_KEY_FILE, 'AIRLOCK_PG_TLS_KEY_FILE') };
  }
  const requireTls = e.AIRLOCK_PG_REQUIRE_TLS === '1' || e.AIRLOCK_PG_REQUIRE_TLS === 'true';
  if (requireTls && !tls) throw new WorkerConfigError('airlock: invalid configuration: AIRLOCK_PG_REQUIRE_TLS needs AIRLOCK_PG_TLS_CERT_FILE and AIRLOCK_PG_TLS_KEY_FILE');
  const poolPrivateKey = e.AIRLOCK_POOL_PRIVATE_KEY ?? (e.AIRLOCK_POOL_PRIVATE_KEY_FILE ? readFile(e.AIRLOCK_POOL_PRIVATE_KEY_FILE, 'AIRLOCK_POOL_PRIVATE_KEY_FILE').toString('utf8').trim() : undefined);
  return {
    id: e.AIRLOCK_WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    pool: e.AIRLOCK_WORKER_POOL,
    region: e.AIRLOCK_WORKER_REGION,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.AIRLOCK_REDIS_PREFIX,
    poolPrivateKey,
    postgres: { listen: pgListen, advertise: e.AIRLOCK_PG_ADVERTISE ?? e.AIRLOCK_PG_LISTEN, tls, requireTls, maxMessageBytes: e.AIRLOCK_MAX_MESSAGE_BYTES, maxServerMessageBytes: e.AIRLOCK_PG_MAX_SERVER_MESSAGE_BYTES },
    health: hostPort(e.AIRLOCK_HEALTH_LISTEN),
    stateDir: e.AIRLOCK_STATE_DIR,
    recording: {
      spoolMaxBytes: e.AIRLOCK_SPOOL_MAX_BYTES,
      spoolFsync: e.AIRLOCK_SPOOL_FSYNC === '1' || e.AIRLOCK_SPOOL_FSYNC === 'true',
      flushIntervalMs: e.AIRLOCK_RECORDING_FLUSH_MS,
      maxBatchEvents: e.AIRLOCK_RECORDING_BATCH_EVENTS,
    },
    consoleUrl: e.AIRLOCK_CONSOLE_URL,
    logLevel: e.LOG_LEVEL,
    processes: e.AIRLOCK_WORKER_PROCESSES,
  };
}

function hostPort(v: string): HostPort {
  const i = v.lastIndexOf(':');
  return { host: v.slice(0, i), port: Number(v.slice(i + 1)) };
}

function readFile(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new WorkerConfigError(`airlock: invalid configuration: ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
}
