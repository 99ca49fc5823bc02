import crypto from 'node:crypto';
import { IdentityError, IdentityErrorCode } from './errors';
import { type Subject, type SubjectKind } from './subject';

/**
 * API key format (decision):
 *
 *   alk_<id>_<secret>     id = 16 lowercase hex chars (64 random bits, not secret, indexes the stored row)
 *                         secret = 43 base64url chars (32 random bytes = 256 bits from crypto.randomBytes)
 *
 * Stored: only `hash` = SHA-256 (hex) of the whole key string, so the hash also binds the id. No pepper and no
 * slow KDF: with a 256-bit random secret there is nothing to brute-force, and workers verify keys offline from
 * hashes in the policy snapshot, so a pepper would have to travel with the hashes and would protect nothing.
 *
 * Operators may also bring their own key (e.g. AIRLOCK_ADMIN_TOKEN) as `alk_` + at least 43 base64url chars.
 * Such a key has no id part, so its lookup key is derived: the first 16 hex chars of its hash. Either way a
 * lookup is one indexed read, never a table scan.
 */
export const API_KEY_PREFIX = 'alk_';
const ID_HEX_LENGTH = 16;
const SECRET_BYTES = 32;
const STRUCTURED = /^alk_([0-9a-f]{16})_([A-Za-z0-9_-]{43,})$/;
const COMPACT = /^alk_[A-Za-z0-9_-]{43,}$/;
const MAX_API_KEY_LENGTH = 512;

export interface GeneratedApiKey {
  /** The full key: show it once to its owner, store only `hash`. */
  key: string;
  /** Lookup key for the stored row. */
  id: string;
  /** Safe to display and log (`alk_<id>`): identifies the key without revealing it. */
  prefix: string;
  /** SHA-256 hex of `key`. */
  hash: string;
}

export interface ParsedApiKey {
  id: string;
  prefix: string;
  hash: string;
}

export interface StoredApiKey {
  id: string;
  hash: string;
  subject: { kind: SubjectKind; id: string; name: string; email?: string; groups?: string[] };
  revokedAt?: Date | string | null;
  expiresAt?: Date | string | null;
}

export type ApiKeyLookup = (id: string) => StoredApiKey | undefined | null | Promise<StoredApiKey | undefined | null>;

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const id = crypto.randomBytes(ID_HEX_LENGTH / 2).toString('hex');
  const secret = crypto.randomBytes(SECRET_BYTES).toString('base64url');
  const key = `${API_KEY_PREFIX}${id}_${secret}`;
  return { key, id, prefix: `${API_KEY_PREFIX}${id}`, hash: hashApiKey(key) };
}

/** Splits a presented key into its lookup id and hash; throws MALFORMED for anything that is not an API key. */
export function parseApiKey(presented: string): ParsedApiKey {
  if (typeof presented !== 'string' || presented.length > MAX_API_KEY_LENGTH) {
    throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: the API key is malformed');
  }
  const hash = hashApiKey(presented);
  const structured = STRUCTURED.exec(presented);
  if (structured) {
    const id = structured[1] as string;
    return { id, prefix: `${API_KEY_PREFIX}${id}`, hash };
  }
  if (COMPACT.test(presented)) {
    const id = hash.slice(0, ID_HEX_LENGTH);
    return { id, prefix: `${API_KEY_PREFIX}${presented.slice(4, 8)}…`, hash };
  }
  throw new IdentityError(IdentityErrorCode.MALFORMED, 'airlock: the API key is malformed (expected alk_<id>_<secret>)');
}

function hashesEqual(storedHex: string, presentedHex: string): boolean {
  const wellFormed = /^[0-9a-f]{64}$/i.test(storedHex);
  // A corrupt stored hash is compared against zeros, so it costs the same time as a mismatch and never matches.
  const stored = wellFormed ? Buffer.from(storedHex, 'hex') : Buffer.alloc(32);
  return crypto.timingSafeEqual(stored, Buffer.from(presentedHex, 'hex')) && wellFormed;
}

function toDate(value: Date | string | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Checks a presented API key against its stored row. Unknown id and wrong secret give the same answer
 * (API_KEY_UNKNOWN), so a caller cannot probe which ids exist; revocation and expiry are only reported to
 * someone holding the real key.
 */
export async function verifyApiKey(presented: string, lookup: ApiKeyLookup, now: Date = new Date()): Promise<Subject> {
  const parsed = parseApiKey(presented);
  const stored = await lookup(parsed.id);
  if (!stored || !hashesEqual(stored.hash, parsed.hash)) {
    throw new IdentityError(IdentityErrorCode.API_KEY_UNKNOWN, `airlock: unknown API key ${parsed.prefix}`);
  }
  const revokedAt = toDate(stored.revokedAt);
  if (revokedAt && revokedAt.getTime() <= now.getTime()) {
    throw new IdentityError(IdentityErrorCode.API_KEY_REVOKED, `airlock: API key ${parsed.prefix} has been revoked`);
  }
  const expiresAt = toDate(stored.expiresAt);
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new IdentityError(IdentityErrorCode.API_KEY_EXPIRED, `airlock: API key ${parsed.prefix} has expired`);
  }
  const subject: Subject = {
    kind: stored.subject.kind,
    id: stored.subject.id,
    name: stored.subject.name,
    groups: [...(stored.subject.groups ?? [])],
    tokenKind: 'api_key',
  };
  if (stored.subject.email) subject.email = stored.subject.email;
  if (expiresAt) subject.expiresAt = expiresAt;
  return subject;
}
