import { describe, expect, it } from 'vitest';
import { ALLOW, type MaybeAsyncVerdict } from './hooks';
import { decide } from './verdicts';

describe('decide', () => {
  it('is synchronous when every hook answers at once; first block wins', () => {
    expect(decide<[string]>([() => ALLOW, () => ALLOW], ['x'])).toBe(ALLOW);
    expect(decide<[string]>([() => ALLOW, () => ({ action: 'block', message: 'no' }), () => { throw new Error('not reached'); }], ['x'])).toEqual({ action: 'block', message: 'no' });
  });

  it('a throwing hook blocks (fail closed)', () => {
    expect(decide<[string]>([() => { throw new Error('boom'); }], ['x'])).toMatchObject({ action: 'block', code: 'XX000' });
  });

  it('holds on a promise and continues with the remaining hooks after it', async () => {
    const seen: string[] = [];
    const fns: ((s: string) => MaybeAsyncVerdict)[] = [
      (s) => (seen.push(`a:${s}`), Promise.resolve(ALLOW)),
      (s) => (seen.push(`b:${s}`), { action: 'block', message: 'late' }),
    ];
    const d = decide(fns, ['q']);
    expect(d.action).toBe('hold');
    if (d.action !== 'hold') return;
    expect(await d.decision).toEqual({ action: 'block', message: 'late' });
    expect(seen).toEqual(['a:q', 'b:q']);
  });

  it('passes a hold notice through and treats a rejected decision as a block', async () => {
    const d = decide<[string]>([() => ({ action: 'hold', notice: 'waiting', decision: Promise.reject(new Error('x')) })], ['q']);
    expect(d).toMatchObject({ action: 'hold', notice: 'waiting' });
    if (d.action === 'hold') expect((await d.decision).action).toBe('block');
  });
});
