import { describe, expect, it } from 'vitest';
import { ForwardRun } from './forward-run';

describe('ForwardRun', () => {
  const chunk = Buffer.from('aaaabbbbccccdddd');

  it('joins adjacent ranges and views of one chunk into one range, without copying', () => {
    const run = new ForwardRun();
    expect(run.appendRange(chunk, 0, 4)).toBeNull();
    expect(run.append(chunk.subarray(4, 8))).toBeNull();
    expect(run.appendRange(chunk, 8, 12)).toBeNull();
    const out = run.take()!;
    expect(out.toString()).toBe('aaaabbbbcccc');
    expect(out.buffer).toBe(chunk.buffer);
    expect(run.take()).toBeNull();
  });

  it('hands back a run of one appended Buffer as that Buffer, and a run of one range as a view of it', () => {
    const run = new ForwardRun();
    const b = chunk.subarray(4, 8);
    run.append(b);
    expect(run.take()).toBe(b);
    run.appendRange(chunk, 12, 16);
    expect(run.take()!.toString()).toBe('dddd');
  });

  it('ends the run at a gap or another buffer, in order', () => {
    const run = new ForwardRun();
    const other = Buffer.from('xx');
    const out: string[] = [];
    for (const step of [() => run.appendRange(chunk, 0, 4), () => run.appendRange(chunk, 8, 12), () => run.append(other), () => run.appendRange(chunk, 12, 16)]) {
      const done = step();
      if (done) out.push(done.toString());
    }
    out.push(run.take()!.toString());
    expect(out).toEqual(['aaaa', 'cccc', 'xx', 'dddd']);
  });
});
