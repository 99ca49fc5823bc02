import cluster from 'node:cluster';
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SnapshotConnection } from '@airlock/contracts';
import { buildCancelRequest } from '@airlock/pg-wire';
import type { Logger } from '../logger';
import { isSiblingMessage, type SiblingMessage } from '../supervisor';
import { openUpstreamSocket } from './upstream';

export interface CancelTarget {
  connection: SnapshotConnection;
  processId: number;
  secretKey: Buffer;
  /** Tells the session its client asked to cancel (e.g. to withdraw a held statement). */
  onCancel?: () => void;
}

/**
 * The worker hands each client its own random BackendKeyData and maps it to the upstream
 * backend's, so a client never learns the real key and a cancel can only reach its own session.
 */
export class CancelRegistry {
  private readonly byPid = new Map<number, { secret: Buffer; target: CancelTarget }>();

  /** Issues a fresh (pid, secret) for a session. */
  issue(target: CancelTarget): { processId: number; secretKey: Buffer } {
    let processId: number;
    do processId = randomInt(1, 0x7fffffff);
    while (this.byPid.has(processId));
    const secretKey = randomBytes(4);
    this.byPid.set(processId, { secret: secretKey, target });
    return { processId, secretKey };
  }

  /** The upstream target for a client's CancelRequest, when pid and key both match. */
  lookup(processId: number, secretKey: Buffer): CancelTarget | undefined {
    const entry = this.byPid.get(processId);
    if (!entry || entry.secret.length !== secretKey.length || !timingSafeEqual(entry.secret, secretKey)) return undefined;
    return entry.target;
  }

  release(processId: number): void {
    this.byPid.delete(processId);
  }
}

/** Cancels the target's running statement: tells its session, then sends the real key upstream. */
export async function forwardCancel(target: CancelTarget, log: Logger): Promise<void> {
  target.onCancel?.();
  try {
    const { socket } = await openUpstreamSocket({ connection: target.connection, maxMessageBytes: 1024 });
    socket.on('error', () => undefined);
    socket.end(buildCancelRequest(target.processId, target.secretKey));
    log.info({ connection: target.connection.name }, 'postgres: cancel request forwarded');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'postgres: could not forward cancel request');
  }
}

const CANCEL_TOPIC = 'pg-cancel';

/**
 * In a worker of several processes (AIRLOCK_WORKER_PROCESSES), a CancelRequest comes on a
 * connection of its own, which any process may accept. A key this process did not issue is
 * passed to the others (through the supervisor); the one that issued it forwards the cancel.
 * Null in a worker of one process.
 */
export function siblingCancels(registry: CancelRegistry, log: Logger): { ask(processId: number, secretKey: Buffer): void; close(): void } | null {
  if (!cluster.isWorker || !process.send) return null;
  const onMessage = (m: unknown): void => {
    if (!isSiblingMessage(m) || m.topic !== CANCEL_TOPIC) return;
    const { processId, secretKey } = m.body as { processId: number; secretKey: string };
    const target = registry.lookup(processId, Buffer.from(secretKey, 'hex'));
    if (target) void forwardCancel(target, log);
  };
  process.on('message', onMessage);
  return {
    ask(processId, secretKey) {
      const m: SiblingMessage = { airlock: 'sibling', topic: CANCEL_TOPIC, body: { processId, secretKey: secretKey.toString('hex') } };
      process.send?.(m);
    },
    close: () => void process.off('message', onMessage),
  };
}
