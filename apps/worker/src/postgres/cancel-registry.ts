import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SnapshotConnection } from '@airlock/contracts';

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
