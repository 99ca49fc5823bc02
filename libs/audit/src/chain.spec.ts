import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditEntryHash, canonicalJson, chainEvents, GENESIS_HASH, hashEvent, sessionAnchor, verifyChain } from './index';

const ev = (seq: number, extra: Record<string, unknown> = {}) => ({ sessionId: '00000000-0000-4000-8000-000000000001', seq, kind: 'statement', at: '2026-11-27T00:00:00.000Z', sql: `select ${seq}`, ...extra });

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"x":null,"z":1}]},"b":1}');
  });
  it('is the same whatever the key order', () => {
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
  it('writes dates as ISO strings and non-finite numbers as null', () => {
    expect(canonicalJson({ at: new Date(0), n: Number.NaN })).toBe('{"at":"1970-01-01T00:00:00.000Z","n":null}');
  });

  it('writes exactly what the first (entries/sort/map/join) version wrote, so stored chains keep verifying', () => {
    // The version every chain stored so far was hashed with.
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') {
        if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
        return JSON.stringify(value ?? null);
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const keys = ['a', 'B', 'é', 'z', '10', '2', 'sql', 'ä', '\u0000', 'seq', 'émoji😀', ''];
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.35) return [null, undefined, true, false, 0, -0, 1.5, -2e21, Number.NaN, Infinity, 'x', 'quote"\\\n', '😀é', new Date(86_400_000)][Math.floor(rand() * 14)];
      if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 6) }, () => [keys[Math.floor(rand() * keys.length)]!, gen(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const v = gen(0);
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });
});

describe('hash chain', () => {
  it('hashes sha256(prevHash + canonical JSON)', () => {
    const e = ev(0);
    expect(hashEvent(GENESIS_HASH, e)).toBe(createHash('sha256').update(GENESIS_HASH + canonicalJson(e)).digest('hex'));
  });

  it('verifies an intact chain and names the first edited seq', () => {
    const links = chainEvents(GENESIS_HASH, [0, 1, 2, 3, 4].map((s) => ev(s)));
    expect(verifyChain(links)).toMatchObject({ ok: true, firstBrokenSeq: null, checked: 5 });
    const tampered = links.map((l) => ({ ...l, event: { ...l.event } }));
    tampered[3]!.event.sql = 'select 42';
    expect(verifyChain(tampered)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('names the gap when an event is removed, and the end when the anchor differs', () => {
    const links = chainEvents(GENESIS_HASH, [0, 1, 2, 3].map((s) => ev(s)));
    expect(verifyChain([links[0]!, links[1]!, links[3]!])).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(verifyChain(links, links[3]!.hash).ok).toBe(true);
    // A chain rewritten from scratch verifies by itself but not against its anchor.
    const rewritten = chainEvents(GENESIS_HASH, [0, 1, 2, 3].map((s) => ev(s, { sql: 'x' })));
    expect(verifyChain(rewritten, links[3]!.hash)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('checks an anchor at an earlier seq there: later events pass, a cut-off or rewritten chain does not', () => {
    const links = chainEvents(GENESIS_HASH, [0, 1, 2, 3, 4].map((s) => ev(s)));
    const anchor = { seq: 2, hash: links[2]!.hash };
    expect(verifyChain(links, anchor)).toMatchObject({ ok: true, checked: 5 });
    expect(verifyChain(links.slice(0, 2), anchor)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    const rewritten = chainEvents(GENESIS_HASH, [0, 1, 2, 3, 4].map((s) => ev(s, { sql: 'x' })));
    expect(verifyChain(rewritten, anchor)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
  });

  it('hashes audit entries like the control plane audit chain (sha256(prev + canonical entry))', () => {
    const entry = { ...sessionAnchor('s1', 3, 'ab', 'client closed'), at: new Date('2026-11-27T00:00:00Z') };
    expect(auditEntryHash(GENESIS_HASH, entry)).toBe(createHash('sha256').update(GENESIS_HASH).update(canonicalJson(entry)).digest('hex'));
  });
});
