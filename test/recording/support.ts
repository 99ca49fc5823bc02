import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SessionEvent } from '@airlock/contracts';
import { waitFor } from '@airlock/testing';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { RecorderContext } from '../../apps/worker/src/recording/recorder';

/**
 * A redis-server of the test's own, so it can be killed and restarted without
 * touching the machine's Redis. Append-only with fsync always, like a Redis
 * that BullMQ can trust with acknowledged jobs across a restart.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'airlock-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir, '--daemonize', 'no'], { stdio: 'ignore' });
    await waitFor(async () => {
      const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    }, `redis-server on ${this.port}`);
  }

  /** SIGKILL: no goodbye to clients, only what the AOF already holds survives. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function recorderContext(stateDir: string, redisUrl: string, prefix: string, lines: string[] = [], log?: Logger): RecorderContext {
  return {
    config: { id: `w-${process.pid}`, redisUrl, redisPrefix: prefix, stateDir, recording: { spoolMaxBytes: 1 << 30, spoolFsync: false } },
    log: log ?? pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }),
  };
}

export function startEvent(sessionId: string): SessionEvent {
  return {
    kind: 'session.start',
    sessionId,
    seq: 0,
    at: new Date().toISOString(),
    identity: { kind: 'SERVICE_ACCOUNT', name: 'etl-bot', groups: [] },
    tokenKind: 'api_key',
    connection: { name: 'orders', kind: 'POSTGRES' },
    profile: 'readonly',
    workerId: 'w-test',
    clientAddress: '127.0.0.1',
  };
}

export function statementEvent(sessionId: string, seq: number): SessionEvent {
  const blocked = seq % 10 === 0;
  return {
    kind: 'statement',
    sessionId,
    seq,
    at: new Date().toISOString(),
    sql: blocked ? `DELETE FROM orders WHERE id = ${seq}` : `SELECT email FROM customers WHERE id = ${seq}`,
    params: [],
    fingerprint: blocked ? 'd1' : 's1',
    statementKind: blocked ? 'DELETE' : 'SELECT',
    verdict: blocked ? 'BLOCK' : 'ALLOW',
    rule: blocked ? 'no-delete' : null,
    durationMs: 0.25,
    rows: blocked ? 0 : 1,
    bytes: blocked ? 0 : 40,
    errorCode: blocked ? '42501' : null,
    masked: blocked ? {} : { email: 1 },
  };
}

export function endEvent(sessionId: string, seq: number, statements: number): SessionEvent {
  return { kind: 'session.end', sessionId, seq, at: new Date().toISOString(), reason: 'client closed', statements, bytesIn: 1000, bytesOut: 4000 };
}
