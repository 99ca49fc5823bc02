import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@airlock/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgHarness, type PgHarness } from './harness';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const asPostgres = (cmd: string, args: string[]) => (process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));

/**
 * A private Postgres cluster (the shared one only trusts and allows 100 connections): SCRAM for
 * user scram_user, md5 for md5_user, TLS with a self-signed certificate, max_connections 260.
 */
describe('upstream authentication, TLS to the target, and 200 concurrent sessions (own cluster)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'airlock-cluster-'));
  const data = path.join(dir, 'data');
  let port = 0;
  let h: PgHarness | undefined;
  const harnesses: PgHarness[] = [];

  beforeAll(async () => {
    chmodSync(dir, 0o777);
    port = await freePort();
    await asPostgres(`${BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(data, 'server.key'), '-out', path.join(data, 'server.crt'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', path.join(data, 'server.key'), path.join(data, 'server.crt')]);
    chmodSync(path.join(data, 'server.key'), 0o600);
    writeFileSync(path.join(data, 'pg_hba.conf'), [
      'host all postgres 127.0.0.1/32 trust',
      'hostssl all tls_user 127.0.0.1/32 scram-sha-256',
      'host all scram_user 127.0.0.1/32 scram-sha-256',
      'host all md5_user 127.0.0.1/32 md5',
    ].join('\n') + '\n');
    await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=260 -c ssl=on -c fsync=off`, 'start']);
    const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query("SET password_encryption = 'scram-sha-256'");
    await admin.query("CREATE ROLE scram_user LOGIN PASSWORD 'scram-pw'");
    await admin.query("CREATE ROLE tls_user LOGIN PASSWORD 'tls-pw'");
    await admin.query("SET password_encryption = 'md5'");
    await admin.query("CREATE ROLE md5_user LOGIN PASSWORD 'md5-pw'");
    await admin.end();
  });
  afterAll(async () => {
    for (const x of harnesses) await x.close().catch(() => undefined);
    await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function through(username: string, password: string, tls: { mode: 'disable' | 'require' | 'verify-full'; ca?: string } = { mode: 'disable' }): Promise<PgHarness> {
    // The harness seals credentials for its own pool key: rebuild the connection with this user.
    const x = await startPgHarness({
      db: { name: 'postgres', url: '', drop: async () => undefined },
      connection: { port, database: 'postgres', tls },
      sealCredential: { username, password },
    });
    harnesses.push(x);
    return x;
  }

  it('logs in upstream with SCRAM-SHA-256', async () => {
    h = await through('scram_user', 'scram-pw');
    const c = new Client({ connectionString: h.url() });
    await c.connect();
    expect((await c.query('SELECT current_user AS u')).rows[0].u).toBe('scram_user');
    await c.end();
  });

  it('logs in upstream with md5', async () => {
    const x = await through('md5_user', 'md5-pw');
    const c = new Client({ connectionString: x.url() });
    await c.connect();
    expect((await c.query('SELECT current_user AS u')).rows[0].u).toBe('md5_user');
    await c.end();
  });

  it('reports a wrong upstream password as the target refusing the login', async () => {
    const x = await through('scram_user', 'wrong');
    const c = new Client({ connectionString: x.url() });
    c.on('error', () => undefined);
    await expect(c.connect()).rejects.toMatchObject({ code: '28P01', message: expect.stringMatching(/^airlock: connection "demo-pg" refused the login: password authentication failed/) });
  });

  it('connects to the target over TLS (require) and refuses an unverifiable one (verify-full)', async () => {
    const x = await through('tls_user', 'tls-pw', { mode: 'require' });
    const c = new Client({ connectionString: x.url() });
    await c.connect();
    expect((await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl).toBe(true);
    await c.end();
    const y = await through('tls_user', 'tls-pw', { mode: 'verify-full' });
    const d = new Client({ connectionString: y.url() });
    d.on('error', () => undefined);
    await expect(d.connect()).rejects.toMatchObject({ code: '08006', message: expect.stringMatching(/TLS: /) });
  });

  it('serves 200 concurrent sessions, each independent', async () => {
    h ??= await through('scram_user', 'scram-pw');
    const many = await Promise.all(Array.from({ length: 200 }, async () => {
      const c = new Client({ connectionString: h!.url() });
      await c.connect();
      return c;
    }));
    try {
      const answers = await Promise.all(many.map((c, i) => c.query('SELECT $1::int * 2 AS v, pg_backend_pid() AS pid, pg_sleep(0.2)', [i])));
      expect(answers.map((a) => a.rows[0].v)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
      expect(new Set(answers.map((a) => a.rows[0].pid)).size).toBe(200);
      expect(h!.worker.listeners[0].sessions()).toBeGreaterThanOrEqual(200);
    } finally {
      await Promise.all(many.map((c) => c.end()));
    }
  }, 60_000);
});
