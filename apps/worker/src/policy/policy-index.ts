import { CredentialSecret, open, type PolicySnapshot, type SnapshotConnection, type SnapshotGrant } from '@airlock/contracts';
import { createLocalJwksVerifier, type JSONWebKeySet, type LocalJwksVerifier, type StoredApiKey } from '@airlock/identity';

export interface UpstreamCredential {
  username: string | null;
  secret: CredentialSecret;
}

/**
 * Lookups derived from one snapshot: connections by name, grants by
 * connection, API keys by lookup id, and a JWT verifier over the snapshot's
 * JWKS. Built once per snapshot so the connect path does map reads only.
 */
export class PolicyIndex {
  readonly version: number;
  readonly connections = new Map<string, SnapshotConnection>();
  private readonly grantsByConnection = new Map<string, SnapshotGrant[]>();
  private readonly apiKeys = new Map<string, StoredApiKey>();
  private readonly credentials = new Map<string, UpstreamCredential>();
  readonly jwt: LocalJwksVerifier | undefined;

  constructor(
    readonly snapshot: PolicySnapshot,
    private readonly poolPrivateKey: string | undefined,
  ) {
    this.version = snapshot.version;
    for (const c of snapshot.connections) this.connections.set(c.name, c);
    for (const g of snapshot.grants) {
      const list = this.grantsByConnection.get(g.connection) ?? [];
      list.push(g);
      this.grantsByConnection.set(g.connection, list);
    }
    for (const k of snapshot.apiKeys) {
      this.apiKeys.set(k.lookupId, {
        id: k.lookupId,
        hash: k.hash,
        subject: { kind: 'service_account', id: k.identityId, name: k.identityName, groups: [] },
        expiresAt: k.expiresAt,
      });
    }
    if (snapshot.oidc?.jwks) {
      this.jwt = createLocalJwksVerifier({ issuer: snapshot.oidc.issuer, audience: snapshot.oidc.audience, jwks: snapshot.oidc.jwks as JSONWebKeySet });
    }
  }

  apiKey(lookupId: string): StoredApiKey | undefined {
    return this.apiKeys.get(lookupId);
  }

  grants(connection: string): readonly SnapshotGrant[] {
    return this.grantsByConnection.get(connection) ?? [];
  }

  /** Opens a credential profile's sealed secret, once per snapshot. */
  credential(connection: SnapshotConnection, profile: string): UpstreamCredential | undefined {
    const key = `${connection.name}\u0000${profile}`;
    const cached = this.credentials.get(key);
    if (cached) return cached;
    const entry = connection.credentials.find((c) => c.profile === profile);
    if (!entry) return undefined;
    if (!this.poolPrivateKey) throw new Error('airlock: this worker has no pool private key (AIRLOCK_POOL_PRIVATE_KEY) to open credentials with');
    const secret = CredentialSecret.parse(JSON.parse(open(entry.sealed, this.poolPrivateKey)));
    const cred = { username: entry.username, secret };
    this.credentials.set(key, cred);
    return cred;
  }
}
