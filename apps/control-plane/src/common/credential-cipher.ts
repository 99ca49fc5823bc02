import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM under the master key; stored as iv (12) || tag (16) || ciphertext. */
export function encryptSecret(masterKey: Buffer, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function decryptSecret(masterKey: Buffer, blob: Uint8Array): string {
  const buf = Buffer.from(blob);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new Error('airlock: stored credential is truncated');
  const decipher = createDecipheriv('aes-256-gcm', masterKey, buf.subarray(0, IV_BYTES));
  decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('airlock: stored credential does not decrypt under AIRLOCK_MASTER_KEY (wrong key, or the row was altered)');
  }
}
