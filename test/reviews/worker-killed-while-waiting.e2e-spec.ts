import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '@airlock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReviewStack, type ReviewStack } from './stack';

const root = path.resolve(__dirname, '../..');

describe('a worker killed while a statement waits for review (a real worker process, SIGKILL)', () => {
  let s: ReviewStack;
  let child: ChildProcess | undefined;
  let stateDir: string;

  beforeAll(async () => {
    // The worker runs as its own process from the build, as in production.
    const built = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
    s = await startReviewStack({ sweepSeconds: 1 });
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-killed-worker-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await s?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('gives the client an error, runs nothing, and the review expires at its deadline', async () => {
    await s.as(s.adminToken, 'mutation { setConnectionPolicy(input: { connection: "shop", reviewTimeoutSeconds: 5 }) { name } }');
    const port = await freePort();
    child = spawn(process.execPath, [path.join(root, 'apps/worker/dist/main.js')], { env: s.workerEnv(port, await freePort(), stateDir), stdio: 'ignore' });
    await waitFor(
      () => new Promise<true | undefined>((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(undefined))),
      'the worker process to listen',
      20_000,
    );
    const run = s.psqlAt(port, "UPDATE customers SET email = 'killed@example.com' WHERE id = 1");
    const id = await run.reviewId();
    await waitFor(() => s.as(s.tokens.alice, `{ reviewRequest(id: "${id}") { id } }`).catch(() => undefined), 'the review to be stored');

    child.kill('SIGKILL');
    expect(await run.done).not.toBe(0);
    expect(run.stderr()).toMatch(/server closed the connection unexpectedly|connection to server .* lost|terminated/i);

    const status = async () => (await s.as<{ reviewRequest: { status: string } }>(s.tokens.alice, `{ reviewRequest(id: "${id}") { status } }`)).reviewRequest.status;
    expect(await status()).toBe('PENDING');
    await waitFor(async () => (await status()) === 'EXPIRED' || undefined, 'the sweeper to expire the review', 15_000, 200);
    const late = await s.gql(`mutation { decideReview(input: { id: "${id}", decision: APPROVE }) { status } }`, {}, s.tokens.alice);
    expect(late.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await s.email()).toBe('user1@example.com');
  });
});
