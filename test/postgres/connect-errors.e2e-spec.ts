import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgHarness, type PgHarness } from './harness';

async function connectError(url: string, extra: object = {}): Promise<{ code?: string; message: string }> {
  const c = new Client({ connectionString: url, ...extra });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (err) {
    return err as { code?: string; message: string };
  } finally {
    await c.end().catch(() => undefined);
  }
  throw new Error('connected, but should have been refused');
}

const run = promisify(execFile);

function selfSignedCert(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  return { certFile, keyFile };
}

describe('connect errors are native and start with airlock:', () => {
  let h: PgHarness;
  beforeAll(async () => {
    h = await startPgHarness({ expiringGrantMs: 4000 });
  });
  afterAll(async () => h?.close());

  it('bad token → 28P01', async () => {
    const err = await connectError(h.url('demo-pg', 'alk_0123456789abcdef_' + 'x'.repeat(43)));
    expect(err).toMatchObject({ code: '28P01' });
    expect(err.message).toMatch(/^airlock: /);
    expect(err.message).not.toContain('x'.repeat(43));
  });

  it('unknown connection → 3D000', async () => {
    const err = await connectError(h.url('no-such-db'));
    expect(err).toMatchObject({ code: '3D000', message: 'airlock: unknown connection "no-such-db"' });
  });

  it('no grant → 42501 naming the connection and how to ask', async () => {
    const err = await connectError(h.url('secret-pg'));
    expect(err.code).toBe('42501');
    expect(err.message).toMatch(/^airlock: agent has no access to connection "secret-pg".*airlock request-access secret-pg/);
  });

  it('unreachable target → 08006', async () => {
    const err = await connectError(h.url('dead-pg'));
    expect(err.code).toBe('08006');
    expect(err.message).toMatch(/^airlock: connection "dead-pg" is unreachable/);
  });

  it('a session ends with a FATAL when its grant expires', async () => {
    const c = new Client({ connectionString: h.url('demo-pg', h.expiringToken) });
    const errors: { code?: string; message: string }[] = [];
    c.on('error', (e) => errors.push(e as never));
    await c.connect();
    expect((await c.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
    const ended = new Promise((r) => c.once('end', r));
    await ended;
    expect(errors[0]).toMatchObject({ code: '57P01', message: 'airlock: access to "demo-pg" expired' });
  }, 15_000);

  it('psql shows the message as a native FATAL', async () => {
    let out = '';
    try {
      await run('psql', ['-X', '-c', 'select 1'], { env: h.env('no-such-db'), encoding: 'utf8' });
    } catch (err) {
      out = String((err as { stderr: string }).stderr);
    }
    expect(out).toContain('FATAL:  airlock: unknown connection "no-such-db"');
  });
});

describe('TLS on the listener', () => {
  let h: PgHarness;
  const dir = mkdtempSync(path.join(tmpdir(), 'airlock-tls-'));
  beforeAll(async () => {
    h = await startPgHarness({ tls: { ...selfSignedCert(dir), require: true } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('psql with sslmode=require connects over TLS', async () => {
    const { stdout } = await run('psql', ['-X', '-At', '-c', 'select 7, ssl from pg_stat_ssl where pid = pg_backend_pid()'], { env: { ...h.env(), PGSSLMODE: 'require' }, encoding: 'utf8' });
    // The client leg is TLS; the upstream leg (tls mode disable here) is not.
    expect(stdout.trim()).toBe('7|f');
  });

  it('node-postgres with ssl connects over TLS', async () => {
    const c = new Client({ connectionString: h.url(), ssl: { rejectUnauthorized: false } });
    await c.connect();
    expect((await c.query('SELECT 8 AS n')).rows[0].n).toBe(8);
    await c.end();
  });

  it('refuses plaintext with 28000 when TLS is required', async () => {
    const err = await connectError(h.url(), { ssl: false });
    expect(err).toMatchObject({ code: '28000', message: 'airlock: this gateway requires TLS (sslmode=require)' });
    let out = '';
    try {
      await run('psql', ['-X', '-c', 'select 1'], { env: { ...h.env(), PGSSLMODE: 'disable' }, encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stderr: string }).stderr);
    }
    expect(out).toContain('airlock: this gateway requires TLS (sslmode=require)');
  });
});
