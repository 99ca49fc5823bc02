import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

/**
 * Loads the signing keys from `<dataDir>/jwks.json`, generating an RS256 key on first start, so tokens issued
 * before a restart still verify after it.
 */
export async function loadOrCreateSigningKeys(dataDir: string): Promise<{ jwks: JSONWebKeySet; file: string; created: boolean }> {
  const file = path.join(dataDir, 'jwks.json');
  try {
    const jwks = JSON.parse(await fs.readFile(file, 'utf8')) as JSONWebKeySet;
    if (Array.isArray(jwks.keys) && jwks.keys.length > 0 && jwks.keys.every((k) => typeof k.d === 'string')) {
      return { jwks, file, created: false };
    }
    throw new Error(`airlock: ${file} holds no private signing keys; delete it to regenerate`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk: JWK = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  const jwks: JSONWebKeySet = { keys: [jwk] };
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  try {
    // link() refuses to overwrite: if another dev-idp won the race, use its keys instead of replacing them.
    await fs.link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { jwks: JSON.parse(await fs.readFile(file, 'utf8')) as JSONWebKeySet, file, created: false };
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return { jwks, file, created: true };
}
