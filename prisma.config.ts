import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient, type QueryResult } from 'pg';
import { defineConfig } from 'prisma/config';

const TEXT_OID = 25;
// The WASM schema engine cannot read Postgres `"char"` (18) and `name` (19)
// columns while it inspects the database (prisma/orm#27403): present them as text.
const remapped = new Set([18, 19]);

function remapFields<T extends { query: (...args: never[]) => unknown }>(target: T): T {
  const query = target.query.bind(target) as (...args: unknown[]) => Promise<QueryResult>;
  (target as { query: unknown }).query = async (...args: unknown[]) => {
    const result = await query(...args);
    for (const field of result?.fields ?? []) if (remapped.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    return result;
  };
  return target;
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  engine: 'js',
  experimental: { adapter: true },
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error('airlock: DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/airlock)');
    const pool = remapFields(new Pool({ connectionString }));
    pool.on('connect', (client: PoolClient) => void remapFields(client));
    return new PrismaPg(pool);
  },
});
