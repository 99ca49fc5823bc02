import { type JWTPayload } from 'jose';

export type SubjectKind = 'user' | 'service_account';
export type TokenKind = 'oidc' | 'api_key';

/** Who is calling, independent of how they proved it. */
export interface Subject {
  kind: SubjectKind;
  /** The IdP's `sub` for OIDC tokens; the owning identity's id for API keys. */
  id: string;
  /** Display name: preferred_username, else email, else client_id, else sub. */
  name: string;
  email?: string;
  groups: string[];
  tokenKind: TokenKind;
  /** When the credential stops being valid; sessions should not outlive it. */
  expiresAt?: Date;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === 'string' && g.length > 0);
}

/**
 * Maps verified OIDC claims to a subject. A token whose `sub` is its own `client_id` (or `azp`) came from a
 * client_credentials grant, so it names a service account, not a person.
 */
export function claimsToSubject(claims: JWTPayload): Subject {
  const sub = str(claims.sub);
  if (!sub) throw new TypeError('claims without sub');
  const clientId = str(claims['client_id']) ?? str(claims['azp']);
  const email = str(claims['email']);
  const kind: SubjectKind = clientId !== undefined && clientId === sub ? 'service_account' : 'user';
  const subject: Subject = {
    kind,
    id: sub,
    name: str(claims['preferred_username']) ?? email ?? clientId ?? sub,
    groups: groupsOf(claims['groups']),
    tokenKind: 'oidc',
  };
  if (email) subject.email = email;
  if (typeof claims.exp === 'number') subject.expiresAt = new Date(claims.exp * 1000);
  return subject;
}
