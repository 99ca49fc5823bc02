import crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateApiKey, hashApiKey, parseApiKey, verifyApiKey, type StoredApiKey } from './api-key';
import { IdentityError, IdentityErrorCode } from './errors';

function store(...rows: StoredApiKey[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lookups: string[] = [];
  return { lookups, lookup: (id: string) => (lookups.push(id), byId.get(id)) };
}

function row(id: string, hash: string, extra: Partial<StoredApiKey> = {}): StoredApiKey {
  return { id, hash, subject: { kind: 'service_account', id: 'sa-1', name: 'nightly-etl', groups: ['etl'] }, ...extra };
}

async function expectCode(p: Promise<unknown>, code: IdentityErrorCode, secret?: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityError);
  expect((err as IdentityError).code).toBe(code);
  expect((err as IdentityError).message).toMatch(/^airlock: /);
  if (secret) expect((err as IdentityError).message).not.toContain(secret);
}

afterEach(() => vi.restoreAllMocks());

describe('generateApiKey', () => {
  it('makes alk_<16 hex id>_<43 base64url> keys with 256 random bits, a displayable prefix and a sha256 hash', () => {
    const k = generateApiKey();
    expect(k.key).toMatch(/^alk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(k.prefix).toBe(`alk_${k.id}`);
    expect(k.key.startsWith(k.prefix)).toBe(true);
    expect(k.hash).toBe(crypto.createHash('sha256').update(k.key).digest('hex'));
    const secret = k.key.slice(k.prefix.length + 1);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(new Set(Array.from({ length: 100 }, () => generateApiKey().key)).size).toBe(100);
  });

  it('parses its own keys back to the same id and hash', () => {
    const k = generateApiKey();
    expect(parseApiKey(k.key)).toEqual({ id: k.id, prefix: k.prefix, hash: k.hash });
  });
});

describe('verifyApiKey', () => {
  it('accepts a valid key with a single lookup by id', async () => {
    const k = generateApiKey();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const s = store(row(k.id, k.hash, { expiresAt }));
    const subject = await verifyApiKey(k.key, s.lookup);
    expect(subject).toEqual({ kind: 'service_account', id: 'sa-1', name: 'nightly-etl', groups: ['etl'], tokenKind: 'api_key', expiresAt });
    expect(s.lookups).toEqual([k.id]);
  });

  it('accepts an async lookup and ISO date strings', async () => {
    const k = generateApiKey();
    const subject = await verifyApiKey(k.key, async () => row(k.id, k.hash, { expiresAt: '2999-01-01T00:00:00Z', revokedAt: null }));
    expect(subject.expiresAt?.toISOString()).toBe('2999-01-01T00:00:00.000Z');
  });

  it('rejects an unknown key', async () => {
    const k = generateApiKey();
    await expectCode(verifyApiKey(k.key, store().lookup), IdentityErrorCode.API_KEY_UNKNOWN, k.key.slice(21));
  });

  it('rejects a tampered secret exactly like an unknown key', async () => {
    const k = generateApiKey();
    const last = k.key.at(-1) === 'A' ? 'B' : 'A';
    const tampered = k.key.slice(0, -1) + last;
    await expectCode(verifyApiKey(tampered, store(row(k.id, k.hash)).lookup), IdentityErrorCode.API_KEY_UNKNOWN, tampered.slice(21));
  });

  it('rejects a revoked key', async () => {
    const k = generateApiKey();
    const s = store(row(k.id, k.hash, { revokedAt: new Date(Date.now() - 1000) }));
    await expectCode(verifyApiKey(k.key, s.lookup), IdentityErrorCode.API_KEY_REVOKED, k.key.slice(21));
  });

  it('rejects an expired key', async () => {
    const k = generateApiKey();
    const s = store(row(k.id, k.hash, { expiresAt: new Date(Date.now() - 1000) }));
    await expectCode(verifyApiKey(k.key, s.lookup), IdentityErrorCode.API_KEY_EXPIRED, k.key.slice(21));
    // expiry is judged against the injected clock
    await expect(verifyApiKey(k.key, s.lookup, new Date(Date.now() - 60_000))).resolves.toMatchObject({ id: 'sa-1' });
  });

  it('rejects a stored row whose hash is corrupt', async () => {
    const k = generateApiKey();
    await expectCode(verifyApiKey(k.key, store(row(k.id, 'abc')).lookup), IdentityErrorCode.API_KEY_UNKNOWN);
  });

  it.each(['alk_', 'alk_short', 'alk_0123456789abcdef_tooshort', 'alk_has spaces in it and is long enough to pass length.....', `alk_${'a'.repeat(600)}`])(
    'rejects a malformed key %#',
    async (bad) => {
      await expectCode(verifyApiKey(bad, store().lookup), IdentityErrorCode.MALFORMED, bad.length > 8 ? bad : undefined);
    },
  );

  it('compares hashes with crypto.timingSafeEqual', async () => {
    const spy = vi.spyOn(crypto, 'timingSafeEqual');
    const k = generateApiKey();
    await verifyApiKey(k.key, store(row(k.id, k.hash)).lookup);
    expect(spy).toHaveBeenCalledTimes(1);
    await verifyApiKey(k.key.slice(0, -1) + (k.key.at(-1) === 'x' ? 'y' : 'x'), store(row(k.id, k.hash)).lookup).catch(() => undefined);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('supports operator-chosen keys without an id part (looked up by a hash-derived id)', async () => {
    const key = `alk_${crypto.randomBytes(40).toString('base64url')}`;
    const hash = hashApiKey(key);
    const { id, prefix } = parseApiKey(key);
    expect(id).toBe(hash.slice(0, 16));
    expect(key.startsWith(prefix.replace('…', ''))).toBe(true);
    const s = store(row(id, hash, { subject: { kind: 'user', id: 'admin', name: 'bootstrap admin' } }));
    await expect(verifyApiKey(key, s.lookup)).resolves.toMatchObject({ kind: 'user', id: 'admin', groups: [], tokenKind: 'api_key' });
  });
});
