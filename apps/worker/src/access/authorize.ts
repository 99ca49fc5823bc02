import type { SnapshotConnection, SnapshotGrant } from '@airlock/contracts';
import { authenticate, IdentityError, type Subject } from '@airlock/identity';
import type { PolicyIndex, UpstreamCredential } from '../policy/policy-index';

export const enum AccessErrorCode {
  NoPolicy = 'NO_POLICY',
  BadToken = 'BAD_TOKEN',
  UnknownConnection = 'UNKNOWN_CONNECTION',
  WrongProtocol = 'WRONG_PROTOCOL',
  NoGrant = 'NO_GRANT',
  NoCredential = 'NO_CREDENTIAL',
}

/** Why a connection attempt was refused; the protocol module maps `code` to its native error. */
export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Access {
  subject: Subject;
  connection: SnapshotConnection;
  grant: SnapshotGrant;
  credential: UpstreamCredential;
  /** The earliest of the grant's and the token's expiry: the session ends then. */
  expiresAt: Date | undefined;
}

/** The grant subjects a caller answers to: `sa:<name>`, or `user:<email>` and each `group:<g>`. */
export function subjectsOf(subject: Subject): string[] {
  if (subject.kind === 'service_account') return [`sa:${subject.name}`];
  const out = subject.groups.map((g) => `group:${g}`);
  if (subject.email) out.push(`user:${subject.email}`);
  out.push(`user:${subject.name}`);
  return out;
}

/**
 * Authenticates a token offline against the snapshot and finds the grant
 * for the named connection. A grant past its expiry is refused at once,
 * whatever snapshot is loaded.
 */
export async function authorize(
  index: PolicyIndex | undefined,
  token: string,
  connectionName: string,
  kind: SnapshotConnection['kind'],
  now = new Date(),
): Promise<Access> {
  if (!index) throw new AccessError(AccessErrorCode.NoPolicy, 'airlock: this worker has no policy yet; retry in a few seconds');
  let subject: Subject;
  try {
    subject = await authenticate(token, { apiKeys: (id) => index.apiKey(id), jwt: index.jwt, now: () => now });
  } catch (err) {
    if (err instanceof IdentityError) throw new AccessError(AccessErrorCode.BadToken, err.message);
    throw err;
  }
  const connection = index.connections.get(connectionName);
  if (!connection) throw new AccessError(AccessErrorCode.UnknownConnection, `airlock: unknown connection "${connectionName}"`);
  if (connection.kind !== kind) {
    throw new AccessError(AccessErrorCode.WrongProtocol, `airlock: connection "${connectionName}" is ${connection.kind}, not ${kind}`);
  }
  const names = new Set(subjectsOf(subject));
  const grant = pickGrant(index.grants(connectionName).filter((g) => names.has(g.subject) && (!g.expiresAt || Date.parse(g.expiresAt) > now.getTime())));
  if (!grant) {
    throw new AccessError(
      AccessErrorCode.NoGrant,
      `airlock: ${subject.name} has no access to connection "${connectionName}"; ask an admin for a grant or run: airlock request-access ${connectionName} --reason "…"`,
    );
  }
  const credential = index.credential(connection, grant.profile);
  if (!credential) throw new AccessError(AccessErrorCode.NoCredential, `airlock: connection "${connectionName}" has no credential profile "${grant.profile}"`);
  const grantExpiry = grant.expiresAt ? new Date(grant.expiresAt) : undefined;
  const expiresAt = [grantExpiry, subject.expiresAt].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
  return { subject, connection, grant, credential, expiresAt };
}

/** A standing grant wins over a time-bound one; among time-bound ones, the longest lasting. */
function pickGrant(grants: SnapshotGrant[]): SnapshotGrant | undefined {
  return grants.sort((a, b) => (b.expiresAt ? Date.parse(b.expiresAt) : Infinity) - (a.expiresAt ? Date.parse(a.expiresAt) : Infinity))[0];
}
