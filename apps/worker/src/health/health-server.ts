import http from 'node:http';
import type { Registry } from 'prom-client';
import type { HostPort } from '../config';

export interface HealthSource {
  id: string;
  pool: string;
  policyVersion(): number;
  sessions(): number;
}

/** `/healthz` (liveness + what the worker runs), `/readyz` (has a policy), `/metrics`. */
export function startHealthServer(listen: HostPort, source: HealthSource, registry: Registry): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (url === '/healthz' || url === '/readyz') {
      const version = source.policyVersion();
      const ready = version >= 0;
      const status = url === '/readyz' && !ready ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: ready ? 'ok' : 'waiting-for-policy', id: source.id, pool: source.pool, policyVersion: version, sessions: source.sessions() }));
    }
    if (url === '/metrics') {
      return void registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}
