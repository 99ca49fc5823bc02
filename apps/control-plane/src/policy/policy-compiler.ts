import { POLICY_SCHEMA_VERSION, PolicySnapshot, UpstreamTls, type OidcSettings } from '@airlock/contracts';
import type { GuardrailMatch, GuardrailRule } from '@airlock/sql-guard';
import { type StoredMaskingRule, toMaskingSnapshotRule } from './masking-compiler';

/** A guardrail rule as stored (Prisma enum for the action, JSON match, connection by name). */
export interface StoredGuardrailRule {
  id: string;
  connection: string | null;
  name: string;
  enabled: boolean;
  priority: number;
  action: 'ALLOW' | 'BLOCK' | 'REVIEW';
  message: string;
  match: unknown;
}

/** The exact shape sql-guard's GuardrailRule has: workers hand snapshot rules to createGuard as they are. */
export function toGuardrailRule(r: StoredGuardrailRule): GuardrailRule {
  return {
    id: r.id,
    name: r.name,
    connection: r.connection,
    priority: r.priority,
    enabled: r.enabled,
    action: r.action === 'ALLOW' ? 'allow' : r.action === 'BLOCK' ? 'block' : 'review',
    message: r.message,
    match: (r.match ?? {}) as GuardrailMatch,
  };
}

/** Everything a pool's snapshot is made from, as read in one transaction. */
export interface PoolPolicyData {
  pool: { name: string; publicKey: string; version: number };
  connections: Array<{
    id: string;
    name: string;
    kind: 'POSTGRES' | 'SSH' | 'KUBERNETES' | 'HTTP';
    host: string;
    port: number;
    database: string | null;
    tls: unknown;
    guardrails: 'STANDARD' | 'PERMISSIVE' | 'CUSTOM';
    masking: boolean;
    reviewTimeoutSeconds: number;
    minApprovers: number;
    credentials: Array<{ profile: string; username: string | null; secret: Uint8Array; rotatedAt: Date }>;
    /** Master-key envelope of the masking hash key (base64 inside); null until the first compile makes one. */
    maskingKey?: Uint8Array | null;
  }>;
  grants: Array<{ id: string; subject: string; connection: string; profile: string; expiresAt: Date | null }>;
  apiKeys: Array<{ lookupId: string; hash: string; identityId: string; identityName: string; expiresAt: Date | null }>;
  guardrailRules: StoredGuardrailRule[];
  maskingRules: StoredMaskingRule[];
}

export interface CompileDeps {
  /** Master-key decryption of a stored secret envelope, to the JSON { password?, privateKey?, token? }. */
  decrypt(secret: Uint8Array): string;
  /** Sealed box to the pool's public key. */
  seal(plaintext: string, poolPublicKey: string): string;
  oidc: OidcSettings | null;
  now: Date;
}

/**
 * Builds a pool's snapshot. Pure apart from the crypto it is handed, so it is
 * tested without a database. The result is validated against the contract:
 * the control plane never publishes a snapshot workers would refuse.
 */
export function compilePolicy(data: PoolPolicyData, deps: CompileDeps): PolicySnapshot {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return PolicySnapshot.parse({
    schemaVersion: POLICY_SCHEMA_VERSION,
    pool: data.pool.name,
    version: data.pool.version,
    generatedAt: deps.now.toISOString(),
    oidc: deps.oidc,
    connections: data.connections.map((c) => ({
      id: c.id,
      name: c.name,
      kind: c.kind,
      host: c.host,
      port: c.port,
      database: c.database,
      tls: UpstreamTls.parse(c.tls ?? {}),
      guardrails: c.guardrails,
      masking: c.masking,
      reviewTimeoutSeconds: c.reviewTimeoutSeconds,
      minApprovers: c.minApprovers,
      credentials: c.credentials.map((p) => ({
        profile: p.profile,
        username: p.username,
        // Re-sealed from the master-key envelope; the plaintext lives only in this call.
        sealed: deps.seal(deps.decrypt(p.secret), data.pool.publicKey),
        rotatedAt: p.rotatedAt.toISOString(),
      })),
      ...(c.maskingKey ? { maskingKeySealed: deps.seal(deps.decrypt(c.maskingKey), data.pool.publicKey) } : {}),
    })),
    grants: data.grants
      .filter((g) => !g.expiresAt || g.expiresAt > deps.now)
      .map((g) => ({ id: g.id, subject: g.subject, connection: g.connection, profile: g.profile, expiresAt: iso(g.expiresAt) })),
    apiKeys: data.apiKeys
      .filter((k) => !k.expiresAt || k.expiresAt > deps.now)
      .map((k) => ({ lookupId: k.lookupId, hash: k.hash, identityId: k.identityId, identityName: k.identityName, expiresAt: iso(k.expiresAt) })),
    guardrailRules: data.guardrailRules.map(toGuardrailRule),
    maskingRules: data.maskingRules.map(toMaskingSnapshotRule),
  });
}

/** When the snapshot next changes by itself (a grant or key expiring), if ever. */
export function nextExpiry(snapshot: PolicySnapshot, now: Date): Date | null {
  const times = [...snapshot.grants, ...snapshot.apiKeys]
    .map((x) => (x.expiresAt ? new Date(x.expiresAt) : null))
    .filter((d): d is Date => d !== null && d > now)
    .sort((a, b) => a.getTime() - b.getTime());
  return times[0] ?? null;
}
