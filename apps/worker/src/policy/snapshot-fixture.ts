import { POLICY_SCHEMA_VERSION, seal, type PolicySnapshot, type SnapshotConnection } from '@airlock/contracts';
import { hashApiKey } from '@airlock/identity';

/** A valid snapshot for tests: one Postgres connection, sealed credentials, one service-account key. */
export function snapshotFixture(opts: {
  pool: string;
  version: number;
  poolPublicKey: string;
  apiKey?: { key: string; lookupId: string; name: string };
  grants?: PolicySnapshot['grants'];
  connection?: Partial<SnapshotConnection>;
}): PolicySnapshot {
  return {
    schemaVersion: POLICY_SCHEMA_VERSION,
    pool: opts.pool,
    version: opts.version,
    generatedAt: new Date().toISOString(),
    oidc: null,
    connections: [
      {
        id: 'c1',
        name: 'demo-pg',
        kind: 'POSTGRES',
        host: '127.0.0.1',
        port: 5432,
        database: 'test',
        tls: { mode: 'disable' },
        guardrails: 'STANDARD',
        masking: true,
        reviewTimeoutSeconds: 300,
        minApprovers: 1,
        credentials: [{ profile: 'readonly', username: 'postgres', sealed: seal(JSON.stringify({ password: 'pw-123' }), opts.poolPublicKey), rotatedAt: new Date().toISOString() }],
        ...opts.connection,
      },
    ],
    grants: opts.grants ?? [],
    apiKeys: opts.apiKey ? [{ lookupId: opts.apiKey.lookupId, hash: hashApiKey(opts.apiKey.key), identityId: 'i1', identityName: opts.apiKey.name, expiresAt: null }] : [],
    guardrailRules: [],
    maskingRules: [],
  };
}
