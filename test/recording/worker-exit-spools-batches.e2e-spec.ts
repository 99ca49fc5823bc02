import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testRedisPrefix } from '@airlock/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { RECORDER_CHILD_ARGS } from './support';

// The recorder hands its batches to a thread that writes the spool. A process that exits without
// close() must not lose the batches that thread has not written yet: the recorder's exit handler
// writes them itself.
describe('a worker that calls process.exit() mid-session', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'airlock-worker-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('leaves every recorded event in the spool', async () => {
    // Redis never answers: nothing leaves the spool, so the spool holds everything that was saved.
    const sink = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const sessionId = randomUUID();
    const child = spawn(process.execPath, RECORDER_CHILD_ARGS, {
      env: { ...process.env, STATE_DIR: stateDir, REDIS_URL: `redis://127.0.0.1:${(sink.address() as net.AddressInfo).port}`, PREFIX: testRedisPrefix(), SESSION_ID: sessionId, MODE: 'exit' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    sink.close();
    expect(code).toBe(0);

    const spool = path.join(stateDir, 'spool');
    const seqs = new Set<number>();
    for (const f of readdirSync(spool)) {
      for (const line of readFileSync(path.join(spool, f), 'utf8').split('\n')) {
        if (line !== '') seqs.add((JSON.parse(line) as { seq: number }).seq);
      }
    }
    // A batch written by both the thread and the exit handler is there twice: stored once downstream.
    expect(seqs.size).toBe(2101);
    expect(Math.max(...seqs)).toBe(2100);
  }, 120_000);
});
