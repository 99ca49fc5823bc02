import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptRetiredSpools, processStateDir } from './supervisor';

const seg = (id: number) => `${String(id).padStart(16, '0')}.jsonl`;

describe('worker processes: state directories', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const stateDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'airlock-supervisor-'));
    dirs.push(d);
    return d;
  };
  const write = (dir: string, id: number, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, seg(id)), text);
  };

  it('keeps AIRLOCK_STATE_DIR for process 1 and gives every other process a directory of its own', () => {
    expect(processStateDir('/s', 1)).toBe('/s');
    expect(processStateDir('/s', 2)).toBe(path.join('/s', 'process-2'));
  });

  it("moves the spools of processes that no longer run after process 1's segments, in their order", () => {
    const dir = stateDir();
    write(path.join(dir, 'spool'), 5, 'own-5\n');
    write(path.join(dir, 'process-2', 'spool'), 1, 'p2-1\n');
    write(path.join(dir, 'process-3', 'spool'), 1, 'p3-1\n');
    write(path.join(dir, 'process-3', 'spool'), 2, 'p3-2\n');
    writeFileSync(path.join(dir, 'process-3', 'spool', 'unrelated.txt'), 'x');

    adoptRetiredSpools(dir, 2, pino({ level: 'silent' }));
    // Process 2 still runs: its spool stays where it is.
    expect(readdirSync(path.join(dir, 'process-2', 'spool'))).toEqual([seg(1)]);
    expect(readdirSync(path.join(dir, 'spool')).sort()).toEqual([seg(5), seg(6), seg(7)]);
    expect(['5', '6', '7'].map((i) => readFileSync(path.join(dir, 'spool', seg(Number(i))), 'utf8'))).toEqual(['own-5\n', 'p3-1\n', 'p3-2\n']);
    expect(readdirSync(path.join(dir, 'process-3', 'spool'))).toEqual(['unrelated.txt']);

    // Back to one process: process 2's spool moves too.
    adoptRetiredSpools(dir, 1, pino({ level: 'silent' }));
    expect(readdirSync(path.join(dir, 'spool')).sort()).toEqual([seg(5), seg(6), seg(7), seg(8)]);
    expect(readFileSync(path.join(dir, 'spool', seg(8)), 'utf8')).toBe('p2-1\n');
  });

  it('does nothing when there is no state directory yet', () => {
    expect(() => adoptRetiredSpools(path.join(tmpdir(), 'airlock-no-such-dir-x'), 1, pino({ level: 'silent' }))).not.toThrow();
  });
});
