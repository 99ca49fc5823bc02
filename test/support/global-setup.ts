import path from 'node:path';
import { Redis } from 'ioredis';
import { ADMIN_URL, databaseUrl, templateName, withAdmin } from './postgres';

const root = path.resolve(__dirname, '../..');
const TEMPLATE_NOTE = 'airlock test template, last used ';
/** Longer than any suite run takes. */
const STALE_AFTER_MS = 2 * 60 * 60 * 1000;

/**
 * Runs once per `vitest run`: checks that Postgres and Redis answer, and makes
 * the migrated template database every integration test file clones.
 */
export default async function setup(): Promise<void> {
  await withAdmin((c) => c.query('SELECT 1')).catch((err: Error) => {
    throw new Error(`airlock test: Postgres at ${ADMIN_URL} does not answer (${err.message}); start it (see README, "Running the tests")`);
  });
  const redis = new Redis(process.env.AIRLOCK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await redis
    .connect()
    .then(() => redis.ping())
    .catch((err: Error) => {
      throw new Error(`airlock test: Redis does not answer (${err.message}); start it (see README, "Running the tests")`);
    })
    .finally(() => redis.disconnect());

  const template = templateName(root);
  await withAdmin(async (c) => {
    // Serialise template creation across concurrent test runs.
    await c.query('SELECT pg_advisory_lock(727274)');
    try {
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        const building = `${template}_build`;
        await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await c.query(`CREATE DATABASE "${building}" TEMPLATE template0`);
        // Loaded at run time: scripts/ is plain ESM outside the TS program.
        const { migrate } = (await import(path.join(root, 'scripts/migrate.mjs'))) as { migrate(o: { databaseUrl: string; quiet: boolean }): Promise<void> };
        await migrate({ databaseUrl: databaseUrl(building), quiet: true });
        await c.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      }
      // Dated at every run that uses it: templates of other migration sets are dropped only once no
      // run has used them for STALE_AFTER_MS. Another checkout's run on the same Postgres (a CI run
      // of another commit) may still be cloning its own.
      await c.query(`COMMENT ON DATABASE "${template}" IS '${TEMPLATE_NOTE}${new Date().toISOString()}'`);
      const others = await c.query<{ datname: string; note: string | null }>(
        "SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname LIKE 'airlock\\_tpl\\_%' AND datname <> $1 AND datname NOT LIKE '%\\_build'",
        [template],
      );
      for (const row of others.rows) {
        const used = row.note?.startsWith(TEMPLATE_NOTE) ? Date.parse(row.note.slice(TEMPLATE_NOTE.length)) : Number.NaN;
        if (Number.isFinite(used) && Date.now() - used < STALE_AFTER_MS) continue;
        await c.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(727274)');
    }
  });
  process.env.AIRLOCK_TEST_TEMPLATE = template;
}
