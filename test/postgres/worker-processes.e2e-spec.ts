import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '@airlock/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPgSnapshot, type PgSnapshotFixture } from './harness';

const ROOT = path.resolve(__dirname, '../..');

/** The built worker with AIRLOCK_WORKER_PROCESSES=2, of pool `pg` on the fixture's snapshot, logging at info to stdout. */
async function spawnTwoProcessWorker(fx: PgSnapshotFixture, port: number, healthPort: number, stateDir: string, stderr: 'inherit' | 'pipe'): Promise<ChildProcess> {
  return spawn(process.execPath, [path.join(ROOT, 'apps/worker/dist/main.js')], {
    env: {
      ...process.env,
      AIRLOCK_REDIS_PREFIX: fx.prefix,
      AIRLOCK_WORKER_POOL: 'pg',
      AIRLOCK_WORKER_ID: 'w-procs',
      AIRLOCK_POOL_PRIVATE_KEY: fx.poolPrivateKey,
      AIRLOCK_PG_LISTEN: `127.0.0.1:${port}`,
      AIRLOCK_HEALTH_LISTEN: `127.0.0.1:${healthPort}`,
      AIRLOCK_STATE_DIR: stateDir,
      AIRLOCK_WORKER_PROCESSES: '2',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', stderr],
  });
}

interface LogLine {
  msg: string;
  worker?: string;
  pid?: number;
  application?: string | null;
  [k: string]: unknown;
}

// The built worker (apps/worker/dist/main.js) with AIRLOCK_WORKER_PROCESSES=2: a supervisor and
// two processes sharing the Postgres port. What a client sees must not depend on which process
// accepted it: sessions on both, a cancel that reaches its session whichever process accepted the
// cancel's own connection, and a process that dies is started again without touching the other's
// sessions.
describe('a worker running two processes', () => {
  let fx: PgSnapshotFixture;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  const lines: LogLine[] = [];
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-procs-'));
  let port: number;
  let healthPort: number;
  const clients: Client[] = [];

  const logs = (msg: string) => lines.filter((l) => l.msg === msg);
  const connect = async (application: string) => {
    const c = new Client({ connectionString: `postgresql://agent:${encodeURIComponent(fx.agentKey)}@127.0.0.1:${port}/demo-pg`, application_name: application });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };
  /** The worker process (its id) that logged this application's session start. */
  const processOf = (application: string) => logs('postgres: session started').find((l) => l.application === application)?.worker;

  beforeAll(async () => {
    fx = await publishPgSnapshot();
    port = await freePort();
    healthPort = await freePort();
    child = await spawnTwoProcessWorker(fx, port, healthPort, stateDir, 'inherit');
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      const text = partial + d.toString();
      const parts = text.split('\n');
      partial = parts.pop()!;
      for (const p of parts) {
        try {
          lines.push(JSON.parse(p) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    await waitFor(() => (logs('worker started').length >= 2 ? true : undefined), 'both worker processes to start', 60_000);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
    await fx?.dispose();
  });

  it('starts each process as a worker of its own, with an id of its own', () => {
    expect(logs('worker started').map((l) => l.worker).sort()).toEqual(['w-procs-p1', 'w-procs-p2']);
  });

  it('answers /readyz, /healthz and /metrics on the health port for both processes', async () => {
    const c = await connect('health-0');
    await c.query('SELECT 1');
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status).toBe(200);
    const health = (await ready.json()) as { status: string; id: string; policyVersion: number; sessions: number; processes: Array<{ id: string; policyVersion: number; sessions: number }> };
    expect(health).toMatchObject({ status: 'ok', id: 'w-procs', policyVersion: 1, sessions: 1 });
    expect(health.processes.map((p) => [p.id, p.policyVersion])).toEqual([
      ['w-procs-p1', 1],
      ['w-procs-p2', 1],
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    // Summed over the processes: one open session; the policy version is the processes' lowest, not their sum.
    expect(metrics).toMatch(/^airlock_worker_sessions\{protocol="postgres"\} 1$/m);
    expect(metrics).toMatch(/^airlock_worker_policy_version 1$/m);
    await c.end();
    clients.splice(clients.indexOf(c), 1);
  });

  it('serves sessions in both processes', async () => {
    const cs = await Promise.all(Array.from({ length: 6 }, (_, i) => connect(`spread-${i}`)));
    for (const [i, c] of cs.entries()) expect((await c.query('SELECT $1::int AS n', [i])).rows[0].n).toBe(i);
    await waitFor(() => (cs.every((_, i) => processOf(`spread-${i}`)) ? true : undefined), 'session start logs');
    expect(new Set(cs.map((_, i) => processOf(`spread-${i}`)))).toEqual(new Set(['w-procs-p1', 'w-procs-p2']));
  });

  it('cancels a statement whichever process accepts the cancel connection', async () => {
    // Which process accepts a connection is the supervisor's choice: sessions are cancelled one
    // at a time until one cancel came through the other process (each is logged by the process
    // that took it), and every cancel must work either way.
    const PASSED = "postgres: cancel request with a key of no session here; passed to the worker's other processes";
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 20 && (attempt < 3 || logs(PASSED).length === 0); attempt++) {
      const c = await connect(`cancel-${attempt}`);
      const sleeping = c.query('SELECT pg_sleep(30)').then(() => 'finished', (err: { code?: string }) => err.code ?? 'error');
      await new Promise((r) => setTimeout(r, 200));
      const canceller = new Client({ connectionString: `postgresql://agent:x@127.0.0.1:${port}/demo-pg` });
      // pg's own cancel path: a fresh connection that sends CancelRequest with the client's key.
      (canceller as unknown as { cancel(client: Client, query: unknown): void }).cancel(c, (c as unknown as { activeQuery: unknown }).activeQuery);
      outcomes.push(await sleeping);
      // The process that issued the key forwards the cancel and logs it; the line may come after the error.
      await waitFor(() => (logs('postgres: cancel request forwarded').length === attempt + 1 ? true : undefined), 'the cancel to be forwarded upstream');
      expect((await c.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
    }
    expect(outcomes).toEqual(Array(outcomes.length).fill('57014'));
    expect(logs(PASSED).length).toBeGreaterThan(0);
  });

  it("starts a process that died again, and the other process's sessions go on", async () => {
    const cs = await Promise.all(Array.from({ length: 4 }, (_, i) => connect(`kill-${i}`)));
    await Promise.all(cs.map((c) => c.query('SELECT 1')));
    await waitFor(() => (cs.every((_, i) => processOf(`kill-${i}`)) ? true : undefined), 'session start logs');
    const victim = logs('worker started').find((l) => l.worker === 'w-procs-p2')!;
    process.kill(victim.pid!, 'SIGKILL');
    await waitFor(() => (logs('worker process 2 exited; its sessions are lost, its spool is kept; starting it again in 1000 ms').length > 0 ? true : undefined), 'the supervisor to see process 2 exit');

    const results = await Promise.all(cs.map((c) => c.query('SELECT 7 AS n').then((r) => r.rows[0].n as number, () => 'lost')));
    for (const [i, r] of results.entries()) expect(r).toBe(processOf(`kill-${i}`) === 'w-procs-p1' ? 7 : 'lost');

    await waitFor(() => (logs('worker started').filter((l) => l.worker === 'w-procs-p2').length === 2 ? true : undefined), 'process 2 to start again', 60_000);
    const after = await Promise.all(Array.from({ length: 4 }, (_, i) => connect(`after-${i}`)));
    for (const c of after) expect((await c.query('SELECT 8 AS n')).rows[0].n).toBe(8);
    await waitFor(() => (after.every((_, i) => processOf(`after-${i}`)) ? true : undefined), 'session start logs');
    expect(new Set(after.map((_, i) => processOf(`after-${i}`)))).toEqual(new Set(['w-procs-p1', 'w-procs-p2']));
  });

  it('stops both processes and itself on SIGTERM', async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    const last = new Map(logs('worker started').map((l) => [l.worker, l.pid!]));
    const pids = [...last.values()];
    expect(pids).toHaveLength(2);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('a worker of two processes whose port is taken', () => {
  it('stops with the error instead of starting its processes again and again', async () => {
    const fx = await publishPgSnapshot();
    const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-procs-'));
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const child = await spawnTwoProcessWorker(fx, port, await freePort(), stateDir, 'pipe');
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(out).toMatch(/airlock: worker failed to start: .*EADDRINUSE/);
      expect(out).toMatch(/failed to start \(its error is above\); stopping the worker/);
    } finally {
      taken.close();
      rmSync(stateDir, { recursive: true, force: true });
      await fx.dispose();
    }
  });
});
