import http from 'node:http';
import type { Registry } from 'prom-client';
import type { HostPort } from '../config';

export interface HealthSource {
  id: string;
  pool: string;
  policyVersion(): number;
  sessions(): number;
}

/** What the health server answers with: a worker's own state, or a supervisor's view of its processes. */
export interface HealthEndpoints {
  /** `ready`: has a policy (every process has, under a supervisor); `body`: the JSON of /healthz and /readyz. */
  status(): Promise<{ ready: boolean; body: Record<string, unknown> }>;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** A single worker process's endpoints. */
export function workerEndpoints(source: HealthSource, registry: Registry): HealthEndpoints {
  return {
    status: async () => {
      const version = source.policyVersion();
      const ready = version >= 0;
      return { ready, body: { status: ready ? 'ok' : 'waiting-for-policy', id: source.id, pool: source.pool, policyVersion: version, sessions: source.sessions() } };
    },
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** `/healthz` (liveness + what the worker runs), `/readyz` (has a policy), `/metrics`. */
export function startHealthServer(listen: HostPort, endpoints: HealthEndpoints): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (url === '/healthz' || url === '/readyz') {
      return void endpoints.status().then(
        ({ ready, body }) => res.writeHead(url === '/readyz' && !ready ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        () => res.writeHead(500).end(),
      );
    }
    if (url === '/metrics') {
      return void endpoints.metrics().then(
        (text) => res.writeHead(200, { 'content-type': endpoints.contentType }).end(text),
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
