import { describe, expect, it } from 'vitest';
import { generatePoolKeyPair, open, publicKeyFromPrivate, seal } from './sealed-box';

describe('sealed box', () => {
  it('opens with the pool private key and hides the plaintext', () => {
    const pool = generatePoolKeyPair();
    const box = seal('{"password":"s3cret-pw"}', pool.publicKey);
    expect(Buffer.from(box, 'base64').toString('latin1')).not.toContain('s3cret-pw');
    expect(open(box, pool.privateKey)).toBe('{"password":"s3cret-pw"}');
  });

  it('gives different ciphertext for the same plaintext', () => {
    const pool = generatePoolKeyPair();
    expect(seal('x', pool.publicKey)).not.toBe(seal('x', pool.publicKey));
  });

  it('refuses another pool key and a tampered box', () => {
    const a = generatePoolKeyPair();
    const b = generatePoolKeyPair();
    const box = seal('secret', a.publicKey);
    expect(() => open(box, b.privateKey)).toThrow(/does not open/);
    const bytes = Buffer.from(box, 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(() => open(bytes.toString('base64'), a.privateKey)).toThrow(/does not open/);
  });

  it('derives the public key from the private key', () => {
    const pool = generatePoolKeyPair();
    expect(publicKeyFromPrivate(pool.privateKey)).toBe(pool.publicKey);
  });
});
