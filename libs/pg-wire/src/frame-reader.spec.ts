import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildQuery, buildSSLRequest, buildStartupMessage, ForwardRun, FrameReader, PgProtocolError, STARTUP_FRAME, type Frame } from './index';
import { backendSamples, frontendSamples } from './testing/samples';

function drain(r: FrameReader, out: Frame[] = []): Frame[] {
  for (let f = r.next(); f !== null; f = r.next()) out.push(f);
  return out;
}

function expectProtocolError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PgProtocolError);
    expect((e as PgProtocolError).sqlState).toBe('08P01');
    expect((e as Error).message).toMatch(/^airlock: /);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a PgProtocolError');
}

describe('FrameReader', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [side, samples] of [['frontend', frontendSamples()], ['backend', backendSamples()]] as const) {
    it(`reassembles the ${side} sequence split at every byte boundary`, () => {
      const all = Buffer.concat(samples);
      for (let i = 0; i <= all.length; i++) {
        const r = new FrameReader();
        r.push(all.subarray(0, i));
        const frames = drain(r);
        r.push(all.subarray(i));
        drain(r, frames);
        expect(frames.map((f) => f.bytes)).toEqual(samples);
        expect(frames.map((f) => f.code)).toEqual(samples.map((s) => s[0]));
        expect(frames.map((f) => f.length)).toEqual(samples.map((s) => s.length - 1));
        expect(r.buffered).toBe(0);
      }
      // One byte per push: the worst case for header and body reassembly.
      const r = new FrameReader();
      const frames: Frame[] = [];
      for (let i = 0; i < all.length; i++) {
        r.push(all.subarray(i, i + 1));
        drain(r, frames);
      }
      expect(frames.map((f) => f.bytes)).toEqual(samples);
    });
  }

  it('returns 100 messages from one chunk as zero-copy views of it', () => {
    const msgs = Array.from({ length: 100 }, (_, i) => buildQuery(`SELECT ${i}`));
    const chunk = Buffer.concat(msgs);
    const r = new FrameReader();
    r.push(chunk);
    const frames = drain(r);
    expect(frames).toHaveLength(100);
    frames.forEach((f, i) => {
      expect(f.bytes.equals(msgs[i])).toBe(true);
      expect(f.bytes.buffer).toBe(chunk.buffer);
    });
  });

  it('copies a split frame once into an exact-size buffer', () => {
    const msg = buildQuery('SELECT 42');
    const r = new FrameReader();
    r.push(msg.subarray(0, 7));
    expect(r.next()).toBeNull();
    r.push(msg.subarray(7));
    const f = r.next() as Frame;
    expect(f.bytes.equals(msg)).toBe(true);
    msg.fill(0);
    expect(f.bytes.equals(buildQuery('SELECT 42'))).toBe(true);
    expect(f.bytes.length).toBe(msg.length);
  });

  it('keeps undrained bytes when pushed again before next() returned null', () => {
    const a = buildQuery('a');
    const b = buildQuery('b');
    const r = new FrameReader();
    r.push(Buffer.concat([a, b.subarray(0, 3)]));
    expect(r.next()?.bytes.equals(a)).toBe(true);
    r.push(b.subarray(3));
    expect(r.next()?.bytes.equals(b)).toBe(true);
    expect(r.next()).toBeNull();
  });

  it('rejects an oversized length with 08P01 before allocating it', () => {
    const spyUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const spyAlloc = vi.spyOn(Buffer, 'alloc');
    const r = new FrameReader({ maxMessageLength: 1024 });
    const header = Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]);
    r.push(header.subarray(0, 3));
    expect(r.next()).toBeNull();
    r.push(header.subarray(3));
    expectProtocolError(() => r.next(), /invalid length 2147483647 for message 'Q'/);
    const big = [...spyUnsafe.mock.calls, ...spyAlloc.mock.calls].filter(([n]) => (n as number) > 1024);
    expect(big).toEqual([]);
  });

  it('enforces the 64 MiB default', () => {
    const r = new FrameReader();
    const b = Buffer.alloc(5);
    b[0] = 0x44;
    b.writeInt32BE(64 * 1024 * 1024 + 1, 1);
    r.push(b);
    expectProtocolError(() => r.next(), /allowed 4\.\.67108864/);
  });

  it('rejects negative and short lengths', () => {
    for (const len of [-1, -2147483648, 0, 3]) {
      const b = Buffer.alloc(5);
      b[0] = 0x51;
      b.writeInt32BE(len, 1);
      const r = new FrameReader();
      r.push(b);
      expectProtocolError(() => r.next(), new RegExp(`invalid length ${len}`));
    }
  });

  it('reads untyped startup packets, then switches to typed frames after StartupMessage', () => {
    const ssl = buildSSLRequest();
    const startup = buildStartupMessage({ user: 'ann', database: 'demo' });
    const q = buildQuery('SELECT 1');
    const all = Buffer.concat([ssl, startup, q]);
    for (let i = 0; i <= all.length; i++) {
      const r = new FrameReader({ startup: true });
      r.push(all.subarray(0, i));
      const frames = drain(r);
      r.push(all.subarray(i));
      drain(r, frames);
      expect(frames.map((f) => f.code)).toEqual([STARTUP_FRAME, STARTUP_FRAME, 0x51]);
      expect(frames.map((f) => f.bytes)).toEqual([ssl, startup, q]);
      expect(r.inStartupPhase).toBe(false);
    }
  });

  it('caps startup packets at 10000 bytes and rejects lengths under 8', () => {
    for (const len of [10001, 7, -5]) {
      const b = Buffer.alloc(8);
      b.writeInt32BE(len, 0);
      const r = new FrameReader({ startup: true });
      r.push(b);
      expectProtocolError(() => r.next(), /invalid startup packet length/);
    }
  });

  it('reports buffered bytes and hands out a raw SSL answer byte', () => {
    const r = new FrameReader();
    r.push(Buffer.from([0x53, 0x51, 0, 0]));
    expect(r.takeByte()).toBe(0x53);
    expect(r.buffered).toBe(3);
    expect(r.next()).toBeNull();
    expect(r.buffered).toBe(3);
    expect(r.takeByte).toThrow();
  });
});

describe('ForwardRun', () => {
  it('coalesces adjacent frames of one chunk into a single view and splits at gaps', () => {
    const msgs = [buildQuery('a'), buildQuery('b'), buildQuery('c')];
    const chunk = Buffer.concat(msgs);
    const r = new FrameReader();
    r.push(chunk);
    const run = new ForwardRun();
    const [f1, f2, f3] = drain(r);
    expect(run.append(f1.bytes)).toBeNull();
    expect(run.append(f2.bytes)).toBeNull();
    const injected = buildQuery('x');
    const first = run.append(injected);
    expect(first?.equals(Buffer.concat(msgs.slice(0, 2)))).toBe(true);
    expect(first?.buffer).toBe(chunk.buffer);
    expect(run.append(f3.bytes)).toBe(injected);
    expect(run.take()).toBe(f3.bytes);
    expect(run.take()).toBeNull();
  });
});
