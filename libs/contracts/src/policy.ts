import { z } from 'zod';

/** Kinds of target a connection can name. */
export const ConnectionKind = z.enum(['POSTGRES', 'SSH', 'KUBERNETES', 'HTTP']);
export type ConnectionKind = z.infer<typeof ConnectionKind>;

export const GuardrailPreset = z.enum(['STANDARD', 'PERMISSIVE', 'CUSTOM']);
export type GuardrailPreset = z.infer<typeof GuardrailPreset>;

export const TlsMode = z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']);
export type TlsMode = z.infer<typeof TlsMode>;

export const UpstreamTls = z.object({
  mode: TlsMode.default('prefer'),
  /** PEM bundle to verify the target's certificate with (verify-ca, verify-full). */
  ca: z.string().optional(),
  serverName: z.string().optional(),
});
export type UpstreamTls = z.infer<typeof UpstreamTls>;

/** A credential profile; its secret fields travel sealed to the pool's key. */
export const SnapshotCredential = z.object({
  profile: z.string().min(1),
  username: z.string().nullable(),
  /** Sealed box (see sealed-box.ts) of the JSON { password?, privateKey?, token? }. */
  sealed: z.string().min(1),
  rotatedAt: z.string(),
});
export type SnapshotCredential = z.infer<typeof SnapshotCredential>;

export const SnapshotConnection = z.object({
  id: z.string(),
  name: z.string(),
  kind: ConnectionKind,
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  database: z.string().nullable(),
  tls: UpstreamTls,
  guardrails: GuardrailPreset,
  masking: z.boolean(),
  reviewTimeoutSeconds: z.number().int().positive(),
  minApprovers: z.number().int().positive(),
  credentials: z.array(SnapshotCredential),
  /**
   * The connection's HMAC key for the masking `hash` style (base64), sealed to the pool's key
   * like credentials. Absent from control planes that predate it: workers then use a key of
   * their own (tokens still hide values, but differ between workers).
   */
  maskingKeySealed: z.string().min(1).optional(),
});
export type SnapshotConnection = z.infer<typeof SnapshotConnection>;

/** `sa:<name>`, `user:<email>` or `group:<name>`. */
export const GrantSubject = z.string().regex(/^(sa|user|group):.+$/, 'subject must be sa:<name>, user:<email> or group:<name>');

export const SnapshotGrant = z.object({
  id: z.string(),
  subject: GrantSubject,
  connection: z.string(),
  profile: z.string(),
  /** ISO time; workers refuse the grant from this instant, whatever snapshot they run. */
  expiresAt: z.string().nullable(),
});
export type SnapshotGrant = z.infer<typeof SnapshotGrant>;

export const SnapshotApiKey = z.object({
  lookupId: z.string(),
  hash: z.string(),
  identityId: z.string(),
  /** Service-account name (subject `sa:<name>`). */
  identityName: z.string(),
  expiresAt: z.string().nullable(),
});
export type SnapshotApiKey = z.infer<typeof SnapshotApiKey>;

/** Rules are validated by the engines that run them (sql-guard, masking). */
export const SnapshotRule = z.object({
  id: z.string(),
  connection: z.string().nullable(),
  name: z.string(),
  enabled: z.boolean(),
}).catchall(z.unknown());
export type SnapshotRule = z.infer<typeof SnapshotRule>;

export const OidcSettings = z.object({
  issuer: z.string(),
  audience: z.string(),
  /** The IdP's JWKS at compile time, so workers verify tokens offline. */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
});
export type OidcSettings = z.infer<typeof OidcSettings>;

export const POLICY_SCHEMA_VERSION = 1;

export const PolicySnapshot = z.object({
  schemaVersion: z.literal(POLICY_SCHEMA_VERSION),
  pool: z.string(),
  /** Monotonic per pool. */
  version: z.number().int().nonnegative(),
  generatedAt: z.string(),
  oidc: OidcSettings.nullable(),
  connections: z.array(SnapshotConnection),
  grants: z.array(SnapshotGrant),
  apiKeys: z.array(SnapshotApiKey),
  guardrailRules: z.array(SnapshotRule),
  maskingRules: z.array(SnapshotRule),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshot>;

/** Pub/sub notice that a pool has a new snapshot; workers refetch the key. */
export const PolicyNotice = z.object({
  schemaVersion: z.literal(POLICY_SCHEMA_VERSION),
  pool: z.string(),
  version: z.number().int().nonnegative(),
});
export type PolicyNotice = z.infer<typeof PolicyNotice>;

/** The secret fields of a credential profile, once unsealed inside a worker. */
export const CredentialSecret = z.object({
  password: z.string().optional(),
  privateKey: z.string().optional(),
  token: z.string().optional(),
});
export type CredentialSecret = z.infer<typeof CredentialSecret>;
