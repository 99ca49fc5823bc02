import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from './health';

describe('airlock health probe', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => (req.url === '/healthz' ? res.writeHead(200).end('{"status":"ok"}') : res.writeHead(503).end('no')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('reports a healthy service', async () => {
    expect(await probe({ name: 'x', url: `${url}/healthz` })).toMatchObject({ ok: true });
  });
  it('reports an unhealthy one', async () => {
    expect(await probe({ name: 'x', url: `${url}/other` })).toMatchObject({ ok: false });
  });
  it('says what to do when nothing answers', async () => {
    const r = await probe({ name: 'x', url: 'http://127.0.0.1:1/healthz' });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/npm run quickstart/);
  });
});
