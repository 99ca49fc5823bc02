import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/** The local Postgres the suite runs against (trust auth on 127.0.0.1). */
export const ADMIN_URL = process.env.AIRLOCK_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (c: Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Name of the migrated template database for the current migrations. */
export function templateName(root: string): string {
  const dir = path.join(root, 'prisma/migrations');
  const h = createHash('sha256');
  for (const m of readdirSync(dir).sort()) {
    if (m.endsWith('.toml')) continue;
    h.update(m).update(readFileSync(path.join(dir, m, 'migration.sql')));
  }
  return `airlock_tpl_${h.digest('hex').slice(0, 12)}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, cloned from the migrated template when
 * `migrated` (the default), else empty. Drop it in afterAll.
 */
export async function createTestDatabase(opts: { migrated?: boolean; template?: string } = {}): Promise<TestDatabase> {
  const name = `airlock_t_${randomBytes(5).toString('hex')}`;
  const template = opts.migrated === false ? 'template0' : (opts.template ?? process.env.AIRLOCK_TEST_TEMPLATE);
  if (!template) throw new Error('airlock test: no template database (the global setup sets AIRLOCK_TEST_TEMPLATE)');
  await withAdmin(async (c) => {
    // Two files cloning the same template at once can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
