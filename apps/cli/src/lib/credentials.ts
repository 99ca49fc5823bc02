import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CliError } from './errors';
import { credentialsFile } from './paths';

export const StoredCredentials = z.object({
  issuer: z.string(),
  clientId: z.string(),
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  /** Epoch milliseconds. */
  expiresAt: z.number().optional(),
  api: z.string().optional(),
});
export type StoredCredentials = z.infer<typeof StoredCredentials>;

export async function loadCredentials(file = credentialsFile()): Promise<StoredCredentials | undefined> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`airlock: cannot read ${file} (${(err as NodeJS.ErrnoException).code}): fix its permissions or run \`airlock login\` again`);
  }
  const parsed = StoredCredentials.safeParse(safeJson(raw));
  if (!parsed.success) throw new CliError(`airlock: ${file} is not a credentials file this CLI wrote: run \`airlock logout\` then \`airlock login\``);
  return parsed.data;
}

/** Writes atomically with mode 0600 in a 0700 directory: the file holds a refresh token. */
export async function saveCredentials(creds: StoredCredentials, file = credentialsFile()): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

export async function removeCredentials(file = credentialsFile()): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
