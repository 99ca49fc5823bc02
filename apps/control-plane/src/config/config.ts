import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The control plane's whole configuration, read from the environment once at
 * boot. Nothing else reads process.env. Secrets are flagged so that
 * `describeConfig` never prints them.
 */
const Role = z.enum(['ADMIN', 'APPROVER', 'AUDITOR', 'MEMBER']);

const schema = z.object({
  DATABASE_URL: z.string().url().describe('Postgres for the system of record'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  AIRLOCK_REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('airlock'),
  AIRLOCK_MASTER_KEY: z.string().optional(),
  AIRLOCK_ADMIN_TOKEN: z.string().startsWith('alk_', 'AIRLOCK_ADMIN_TOKEN must be an Airlock API key (alk_…)').optional(),
  AIRLOCK_DEV_MODE: z.enum(['0', '1', 'true', 'false']).default('0'),
  AIRLOCK_HTTP_HOST: z.string().default('127.0.0.1'),
  AIRLOCK_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  AIRLOCK_PUBLIC_URL: z.string().url().optional(),
  AIRLOCK_CONSOLE_DIR: z.string().optional(),
  /** `group=ROLE[,ROLE];group2=ROLE` — IdP group claims mapped to roles. */
  AIRLOCK_GROUP_ROLES: z.string().default('airlock-admins=ADMIN;airlock-approvers=APPROVER;airlock-auditors=AUDITOR'),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_AUDIENCE: z.string().default('airlock'),
  /** How often every pool's snapshot in Redis is checked against the database (and expired grants dropped). */
  AIRLOCK_POLICY_REFRESH_SECONDS: z.coerce.number().positive().default(60),
  /** Sessions (and their events) older than this are deleted, with an audit entry. */
  AIRLOCK_RETENTION_DAYS: z.coerce.number().positive().default(365),
  AIRLOCK_RETENTION_INTERVAL_SECONDS: z.coerce.number().positive().default(3600),
  /**
   * A session whose worker is gone (no heartbeat) or has restarted since, and that has recorded
   * nothing for this long, is closed as "worker lost" and its chain anchored as far as it goes.
   */
  AIRLOCK_LOST_SESSION_SECONDS: z.coerce.number().positive().default(600),
  /** Recording jobs processed at once by this replica. */
  AIRLOCK_RECORDING_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Global review webhook (Slack-compatible JSON POST on each review request and decision). */
  AIRLOCK_REVIEW_WEBHOOK_URL: z.string().url().optional(),
  AIRLOCK_REVIEW_SWEEP_SECONDS: z.coerce.number().positive().default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

// A webhook URL often carries its own secret (Slack's do): never logged.
export const SECRET_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL', 'AIRLOCK_MASTER_KEY', 'AIRLOCK_ADMIN_TOKEN', 'AIRLOCK_REVIEW_WEBHOOK_URL']);

export interface AppConfig {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** 32-byte AES-256-GCM key for credentials at rest. */
  masterKey: Buffer;
  masterKeyId: string;
  adminToken: string | undefined;
  devMode: boolean;
  http: { host: string; port: number };
  publicUrl: string;
  consoleDir: string | undefined;
  groupRoles: Map<string, Array<z.infer<typeof Role>>>;
  oidc: { issuer: string; audience: string } | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  policyRefreshMs: number;
  recording: { retentionDays: number; retentionIntervalMs: number; concurrency: number; lostSessionMs: number };
  reviews: { webhookUrl: string | undefined; sweepIntervalMs: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`airlock: invalid configuration: ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  const devMode = e.AIRLOCK_DEV_MODE === '1' || e.AIRLOCK_DEV_MODE === 'true';
  const masterKey = parseMasterKey(e.AIRLOCK_MASTER_KEY, devMode);
  const http = { host: e.AIRLOCK_HTTP_HOST, port: e.AIRLOCK_HTTP_PORT };
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.AIRLOCK_REDIS_PREFIX,
    masterKey: masterKey.key,
    masterKeyId: masterKey.id,
    adminToken: e.AIRLOCK_ADMIN_TOKEN,
    devMode,
    http,
    publicUrl: e.AIRLOCK_PUBLIC_URL ?? `http://${http.host}:${http.port}`,
    consoleDir: e.AIRLOCK_CONSOLE_DIR,
    groupRoles: parseGroupRoles(e.AIRLOCK_GROUP_ROLES),
    oidc: e.OIDC_ISSUER ? { issuer: e.OIDC_ISSUER.replace(/\/$/, ''), audience: e.OIDC_AUDIENCE } : undefined,
    logLevel: e.LOG_LEVEL,
    policyRefreshMs: Math.round(e.AIRLOCK_POLICY_REFRESH_SECONDS * 1000),
    recording: {
      retentionDays: e.AIRLOCK_RETENTION_DAYS,
      retentionIntervalMs: Math.round(e.AIRLOCK_RETENTION_INTERVAL_SECONDS * 1000),
      concurrency: e.AIRLOCK_RECORDING_CONCURRENCY,
      lostSessionMs: Math.round(e.AIRLOCK_LOST_SESSION_SECONDS * 1000),
    },
    reviews: { webhookUrl: e.AIRLOCK_REVIEW_WEBHOOK_URL, sweepIntervalMs: Math.round(e.AIRLOCK_REVIEW_SWEEP_SECONDS * 1000) },
  };
}

function parseMasterKey(value: string | undefined, devMode: boolean): { key: Buffer; id: string } {
  if (!value) {
    if (!devMode) {
      throw new ConfigError(
        'airlock: AIRLOCK_MASTER_KEY is not set: give 32 random bytes as base64 or hex (e.g. `openssl rand -base64 32`), or set AIRLOCK_DEV_MODE=1 for a throwaway key',
      );
    }
    return { key: randomBytes(32), id: 'dev-ephemeral' };
  }
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ConfigError('airlock: AIRLOCK_MASTER_KEY must decode to exactly 32 bytes (base64 or hex)');
  // A stable, non-secret id for the key lets rotation find rows sealed under an older key.
  const id = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return { key, id };
}

function parseGroupRoles(spec: string): AppConfig['groupRoles'] {
  const map: AppConfig['groupRoles'] = new Map();
  for (const entry of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [group, roles] = entry.split('=');
    if (!group || !roles) throw new ConfigError(`airlock: invalid configuration: AIRLOCK_GROUP_ROLES: "${entry}" is not group=ROLE[,ROLE]`);
    const parsedRoles = roles.split(',').map((r) => Role.safeParse(r.trim().toUpperCase()));
    const bad = parsedRoles.find((r) => !r.success);
    if (bad) throw new ConfigError(`airlock: invalid configuration: AIRLOCK_GROUP_ROLES: unknown role in "${entry}" (ADMIN, APPROVER, AUDITOR, MEMBER)`);
    map.set(group.trim(), parsedRoles.map((r) => r.data!));
  }
  return map;
}

/** Configuration as safe to log: secrets elided. */
export function describeConfig(c: AppConfig): Record<string, unknown> {
  return {
    redisPrefix: c.redisPrefix,
    devMode: c.devMode,
    http: c.http,
    publicUrl: c.publicUrl,
    oidc: c.oidc,
    masterKeyId: c.masterKeyId,
    adminToken: c.adminToken ? '[set]' : '[unset]',
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
