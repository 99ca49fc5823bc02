import { describe, expect, it } from 'vitest';
import type { SnapshotConnection } from '@airlock/contracts';
import { CancelRegistry } from './cancel-registry';

describe('CancelRegistry', () => {
  const connection = { name: 'c' } as SnapshotConnection;
  it('maps the issued key to the real backend key, and nothing else', () => {
    const reg = new CancelRegistry();
    const real = { connection, processId: 4242, secretKey: Buffer.from([1, 2, 3, 4]) };
    const issued = reg.issue(real);
    expect(issued.processId).not.toBe(4242);
    expect(reg.lookup(issued.processId, issued.secretKey)).toBe(real);
    const wrong = Buffer.from(issued.secretKey);
    wrong[0] ^= 1;
    expect(reg.lookup(issued.processId, wrong)).toBeUndefined();
    expect(reg.lookup(4242, real.secretKey)).toBeUndefined();
    reg.release(issued.processId);
    expect(reg.lookup(issued.processId, issued.secretKey)).toBeUndefined();
  });
});
