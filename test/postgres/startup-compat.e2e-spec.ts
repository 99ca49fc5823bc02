import net from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgHarness, type PgHarness } from './harness';

// Found by node-postgres' own integration suite (scripts/client-suites/node-postgres.mjs).
describe('startup compatibility with Postgres', () => {
  let h: PgHarness;
  beforeAll(async () => {
    h = await startPgHarness();
  });
  afterAll(async () => h?.close());

  async function show(config: Record<string, unknown>, names: string[]): Promise<Record<string, string>> {
    const c = new Client({ connectionString: h.url(), ...config });
    await c.connect();
    try {
      const out: Record<string, string> = {};
      for (const n of names) out[n] = (await c.query(`SHOW ${n}`)).rows[0][n];
      return out;
    } finally {
      await c.end();
    }
  }

  it('forwards session settings given as startup parameters (statement_timeout, idle_in_transaction_session_timeout)', async () => {
    expect(await show({ statement_timeout: 3000, idle_in_transaction_session_timeout: 4000 }, ['statement_timeout', 'idle_in_transaction_session_timeout'])).toEqual({
      statement_timeout: '3s',
      idle_in_transaction_session_timeout: '4s',
    });
  });

  it("forwards options' -c / -- session settings, and nothing that changes identity", async () => {
    const got = await show({ options: '-c search_path=foo --default_transaction_isolation=serializable -c role=pg_read_all_data --session-authorization=nobody' }, [
      'search_path',
      'default_transaction_isolation',
      'role',
      'session_authorization',
    ]);
    expect(got).toEqual({ search_path: 'foo', default_transaction_isolation: 'serializable', role: 'none', session_authorization: 'postgres' });
  });

  it('closes without a reply when the first packet cannot be a startup packet (as Postgres does)', async () => {
    const s = net.connect(h.port, '127.0.0.1');
    const received: Buffer[] = [];
    s.on('data', (d) => received.push(d));
    await new Promise((r) => s.once('connect', r));
    s.write(Buffer.from([0x58, 0, 0, 0, 4])); // Terminate, as node-postgres writes on connect(); end()
    await new Promise((r) => s.once('close', r));
    expect(Buffer.concat(received).length).toBe(0);
  });
});
