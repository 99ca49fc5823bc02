import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@airlock/testing';
import { Redis } from 'ioredis';

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

export * from './fixtures/events';

/** node's arguments for fixtures/recorder-child.ts: the TypeScript sources, as the tests run them. */
export const RECORDER_CHILD_ARGS = ['--conditions=@airlock/source', '-r', path.join(__dirname, '../../tools/ts-register.cjs'), path.join(__dirname, 'fixtures/recorder-child.ts')];
