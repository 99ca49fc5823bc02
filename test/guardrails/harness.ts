import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { keySpace, POLICY_SCHEMA_VERSION, type PolicySnapshot, type SnapshotConnection, type SnapshotRule } from '@airlock/contracts';
import { buildFunctionCall, buildPasswordMessage, buildStartupMessage } from '@airlock/pg-wire';
import { initSqlGuard } from '@airlock/sql-guard';
import { waitFor } from '@airlock/testing';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { guardrailHooks } from '../../apps/worker/src/guardrails';
import type { RunningWorker } from '../../apps/worker/src/bootstrap';
import { startPgHarness, type PgHarness } from '../postgres/harness';

const run = promisify(execFile);

export interface GuardrailHarness extends PgHarness {
  /** Publishes a new snapshot version with this preset and these rules, and waits for the worker to load it. */
  setPolicy(preset: SnapshotConnection['guardrails'], rules?: SnapshotRule[]): Promise<void>;
  /** A connected node-postgres client through the worker (closed by close()). */
  client(): Promise<Client>;
  /** psql -c through the worker; never throws. */
  psql(sql: string, args?: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A node-postgres client straight to the target database, past the worker. */
  direct<T>(fn: (c: Client) => Promise<T>): Promise<T>;
}

/** The worker's Postgres listener with the real guardrail hooks on the worker's live policy. */
export async function startGuardrailHarness(preset: SnapshotConnection['guardrails']): Promise<GuardrailHarness> {
  await initSqlGuard();
  // The hooks read the live policy of the worker the harness is about to start.
  const started: { worker?: RunningWorker } = {};
  const h = await startPgHarness({ connection: { guardrails: preset }, hooks: [guardrailHooks({ policy: () => started.worker?.ctx.policy.current })] });
  const worker = (started.worker = h.worker);
  const clients: Client[] = [];
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = keySpace(worker.ctx.config.redisPrefix);
  const directUrl = h.url().replace(/^postgresql:\/\/[^@]+@127\.0\.0\.1:\d+\/[^/?]+/, `postgresql://postgres@127.0.0.1:5432/${h.db.name}`);
  return {
    ...h,
    async setPolicy(p, rules = []) {
      const current = worker!.ctx.policy.current!.snapshot;
      const next: PolicySnapshot = {
        ...current,
        version: current.version + 1,
        generatedAt: new Date().toISOString(),
        connections: current.connections.map((c) => (c.name === 'demo-pg' ? { ...c, guardrails: p } : c)),
        guardrailRules: rules,
      };
      await redis.set(keys.policySnapshot('pg'), JSON.stringify(next));
      await redis.publish(keys.policyChannel(), JSON.stringify({ schemaVersion: POLICY_SCHEMA_VERSION, pool: 'pg', version: next.version }));
      await waitFor(() => worker!.ctx.policy.version === next.version, `the worker to load policy v${next.version}`, 5000);
    },
    async client() {
      const c = new Client({ connectionString: h.url() });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    async psql(sql, args = []) {
      try {
        const r = await run('psql', ['-X', '-q', '-A', '-t', ...args, '-c', sql], { env: h.env() });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
    async direct(fn) {
      const c = new Client({ connectionString: directUrl });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.end()));
      redis.disconnect();
      await h.close();
    },
  };
}

/**
 * Sends one FunctionCall ('F') message through the worker over a raw socket (no client library
 * speaks it any more, but libpq still can) and returns the SQLSTATE and message of the answer.
 */
export async function functionCall(port: number, token: string, oid: number): Promise<{ code: string | null; message: string | null; readyAfter: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buf = Buffer.alloc(0);
  const frames: Array<{ code: string; body: Buffer }> = [];
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5 && buf.length >= 1 + buf.readUInt32BE(1)) {
      const len = buf.readUInt32BE(1);
      frames.push({ code: String.fromCharCode(buf[0]), body: buf.subarray(5, 1 + len) });
      buf = buf.subarray(1 + len);
    }
    wake?.();
  });
  const next = async (): Promise<{ code: string; body: Buffer }> => {
    while (frames.length === 0) await new Promise<void>((r) => (wake = r));
    return frames.shift()!;
  };
  const until = async (code: string) => {
    const seen: Array<{ code: string; body: Buffer }> = [];
    for (;;) {
      const f = await next();
      seen.push(f);
      if (f.code === code) return seen;
    }
  };
  socket.write(buildStartupMessage({ user: 'agent', database: 'demo-pg' }));
  const auth = await next();
  if (auth.code !== 'R') throw new Error(`expected an authentication request, got ${auth.code}`);
  socket.write(buildPasswordMessage(token));
  await until('Z');
  socket.write(buildFunctionCall({ functionOid: oid, args: [] }));
  const answer = await until('Z');
  socket.end();
  const err = answer.find((f) => f.code === 'E');
  const field = (t: string) => {
    if (!err) return null;
    for (const part of err.body.toString('utf8').split('\0')) if (part[0] === t) return part.slice(1);
    return null;
  };
  return { code: field('C'), message: field('M'), readyAfter: answer[answer.length - 1]?.code === 'Z' };
}
