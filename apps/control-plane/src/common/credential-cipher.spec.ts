import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './credential-cipher';

describe('credential cipher (AES-256-GCM under the master key)', () => {
  const key = randomBytes(32);

  it('round-trips and lays out iv || tag || ciphertext', () => {
    const blob = encryptSecret(key, '{"password":"hunter2"}');
    expect(blob.length).toBe(12 + 16 + '{"password":"hunter2"}'.length);
    expect(blob.toString('utf8')).not.toContain('hunter2');
    expect(decryptSecret(key, blob)).toBe('{"password":"hunter2"}');
  });

  it('uses a fresh IV every time', () => {
    expect(encryptSecret(key, 'same').equals(encryptSecret(key, 'same'))).toBe(false);
  });

  it('refuses another key, a flipped bit and a truncated row, with an airlock: message', () => {
    const blob = encryptSecret(key, 'secret');
    expect(() => decryptSecret(randomBytes(32), blob)).toThrow(/^airlock: .*AIRLOCK_MASTER_KEY/);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decryptSecret(key, tampered)).toThrow(/^airlock: /);
    expect(() => decryptSecret(key, blob.subarray(0, 20))).toThrow(/truncated/);
  });
});
