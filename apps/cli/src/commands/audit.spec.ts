import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program';

/** A fixture GraphQL endpoint (not the control plane: test/recording covers the real API). */
describe('airlock audit verify / access-review', () => {
  let server: http.Server;
  let url: string;
  const requests: Array<{ auth: string | undefined; body: { query: string; variables: Record<string, unknown> } }> = [];
  let reply: unknown = {};
  let out = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        requests.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  });
  afterEach(() => {
    out = '';
    requests.length = 0;
    process.exitCode = undefined;
    vi.unstubAllEnvs();
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const run = (...args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'airlock', '--api', url, ...args]);

  it('verifies a session with the bearer token from AIRLOCK_TOKEN', async () => {
    vi.stubEnv('AIRLOCK_TOKEN', 'alk_test');
    reply = { data: { verifySession: { sessionId: 's1', ok: true, firstBrokenSeq: null, checked: 12, anchored: true } } };
    await run('audit', 'verify', 's1');
    expect(requests[0]!.auth).toBe('Bearer alk_test');
    expect(requests[0]!.body.variables).toEqual({ id: 's1' });
    expect(out).toMatch(/^ok {6}session s1: 12 events verify, final hash matches/);
    expect(process.exitCode).toBeUndefined();
  });

  it('names the broken seq and exits 2', async () => {
    vi.stubEnv('AIRLOCK_TOKEN', 'alk_test');
    reply = { data: { verifySession: { sessionId: 's1', ok: false, firstBrokenSeq: 7, checked: 7, anchored: true } } };
    await run('audit', 'verify', 's1');
    expect(out).toMatch(/BROKEN.*seq 7/);
    expect(process.exitCode).toBe(2);
  });

  it('prints the access review in the asked format', async () => {
    vi.stubEnv('AIRLOCK_TOKEN', 'alk_test');
    reply = { data: { accessReviewExport: 'subject,connection\r\nsa:etl,orders\r\n' } };
    await run('access-review', '--from', '2026-10-01', '--to', '2026-11-01', '--format', 'csv', '--connection', 'orders');
    expect(requests[0]!.body.variables).toMatchObject({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z', format: 'CSV', connection: 'orders', subject: null });
    expect(out).toBe('subject,connection\r\nsa:etl,orders\r\n');
  });

  it('fails clearly without a token, on a bad date, and on an API error', async () => {
    vi.stubEnv('AIRLOCK_TOKEN', '');
    await expect(run('audit', 'verify', 's1')).rejects.toThrow(/^airlock: set AIRLOCK_TOKEN/);
    vi.stubEnv('AIRLOCK_TOKEN', 'alk_test');
    await expect(run('access-review', '--from', 'yesterday', '--to', '2026-11-01')).rejects.toThrow(/--from yesterday is not a date/);
    reply = { errors: [{ message: 'airlock: verifySession requires the ADMIN or AUDITOR role; etl has MEMBER', extensions: { code: 'FORBIDDEN' } }], data: null };
    await expect(run('audit', 'verify', 's1')).rejects.toThrow(/requires the ADMIN or AUDITOR role/);
  });
});
