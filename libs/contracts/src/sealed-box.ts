import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Sealed boxes for credentials in policy snapshots: ephemeral X25519 key
 * agreement with the pool's public key, HKDF-SHA256, AES-256-GCM. Only a worker
 * holding the pool's private key opens them; Redis and snapshot dumps see
 * ciphertext. Format (base64): version(1) || ephemeral public key (32) || iv (12) || tag (16) || ciphertext.
 */
const VERSION = 1;
const INFO = Buffer.from('airlock sealed box v1');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface PoolKeyPair {
  /** Raw 32-byte X25519 public key, base64. */
  publicKey: string;
  /** PKCS#8 DER private key, base64. */
  privateKey: string;
}

export function generatePoolKeyPair(): PoolKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawPublicKey(publicKey).toString('base64'), privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64') };
}

export function publicKeyFromPrivate(privateKeyB64: string): string {
  return rawPublicKey(createPublicKey(loadPrivateKey(privateKeyB64))).toString('base64');
}

export function seal(plaintext: string, poolPublicKeyB64: string): string {
  const recipient = loadPublicKey(poolPublicKeyB64);
  const eph = generateKeyPairSync('x25519');
  const ephPub = rawPublicKey(eph.publicKey);
  const key = deriveKey(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), ephPub, Buffer.from(poolPublicKeyB64, 'base64'));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), ephPub, iv, cipher.getAuthTag(), body]).toString('base64');
}

export function open(sealedB64: string, poolPrivateKeyB64: string): string {
  const box = Buffer.from(sealedB64, 'base64');
  if (box.length < 1 + 32 + 12 + 16 || box[0] !== VERSION) throw new Error('airlock: sealed credential has an unknown format');
  const ephPub = box.subarray(1, 33);
  const iv = box.subarray(33, 45);
  const tag = box.subarray(45, 61);
  const privateKey = loadPrivateKey(poolPrivateKeyB64);
  const ownPub = rawPublicKey(createPublicKey(privateKey));
  const key = deriveKey(diffieHellman({ privateKey, publicKey: loadPublicKey(ephPub.toString('base64')) }), ephPub, ownPub);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(box.subarray(61)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('airlock: sealed credential does not open with this pool key (wrong pool key or tampered snapshot)');
  }
}

function deriveKey(shared: Buffer, ephPub: Buffer, recipientPub: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephPub, recipientPub]), INFO, 32));
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length);
}

function loadPublicKey(rawB64: string): KeyObject {
  const raw = Buffer.from(rawB64, 'base64');
  if (raw.length !== 32) throw new Error('airlock: a pool public key is 32 bytes of X25519, base64');
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function loadPrivateKey(b64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
}
