import { describe, expect, it } from 'vitest';
import { keySpace } from './names';

/** The part of a key Redis Cluster hashes: the first {…} with something inside, else the whole key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('keySpace', () => {
  it('puts the keys one script uses together in one Redis Cluster slot', () => {
    for (const prefix of ['airlock', 'tenant-a:airlock']) {
      const k = keySpace(prefix);
      // TAKE_SCOPED_RUN (worker) and the decision publisher's MULTI touch both.
      expect(hashedPart(k.reviewScopes())).toBe(hashedPart(k.reviewScopeRuns()));
      expect(k.reviewScopes()).not.toBe(k.reviewScopeRuns());
      // BullMQ builds every queue key from this prefix.
      expect(hashedPart(`${k.queuePrefix()}:recording:wait`)).toBe(prefix);
    }
  });

  it('keeps deployments that share a Redis apart', () => {
    const a = keySpace('a');
    const b = keySpace('b');
    for (const name of ['reviewScopes', 'reviewScopeRuns', 'workers', 'queuePrefix'] as const) expect(a[name]()).not.toBe(b[name]());
    expect(a.reviewScopes().startsWith('a:')).toBe(true);
  });
});
