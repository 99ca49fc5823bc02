import { hash } from 'node:crypto';
import { canonicalJson } from './canonical';

/** prevHash of the first link of every chain (a session's and the global audit chain). */
export const GENESIS_HASH = '0'.repeat(64);

/** A session event as the chain sees it: anything with a seq, hashed whole. */
export interface ChainEvent {
  seq: number;
}

/** hash = sha256 hex over prevHash followed by the event's canonical JSON. */
export function hashEvent(prevHash: string, event: unknown): string {
  // One-shot hash: the same digest as createHash().update(prevHash).update(json), without the Hash object.
  return hash('sha256', prevHash + canonicalJson(event), 'hex');
}

/** A stored link: the event as recorded plus the hashes stored beside it. */
export interface StoredLink<E extends ChainEvent = ChainEvent> {
  event: E;
  prevHash: string;
  hash: string;
}

export interface ChainVerdict {
  ok: boolean;
  /** seq of the first event whose link does not hold (edited, removed, reordered), or null. */
  firstBrokenSeq: number | null;
  /** The last hash recomputed over the events that did verify. */
  lastHash: string;
  checked: number;
}

/** Where a session's chain was pinned in the global audit chain: the seq and hash it had then. */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

/**
 * Verifies a session chain in seq order: seq starts at 0 and has no gap, each
 * prevHash is the previous hash, and each hash recomputes. When an anchor is
 * given (what the global audit chain pinned), the chain must pass through it:
 * a chain rewritten wholesale, or cut short, still fails there. A plain hash
 * is an anchor at the last seq; an anchor at an earlier seq (a session closed
 * when its worker was lost, whose late events arrived after) is checked at its seq.
 */
export function verifyChain<E extends ChainEvent>(links: ReadonlyArray<StoredLink<E>>, anchor?: string | ChainAnchor | null): ChainVerdict {
  let prev = GENESIS_HASH;
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    if (l.event.seq !== i || l.prevHash !== prev || hashEvent(l.prevHash, l.event) !== l.hash) {
      // A missing or repeated seq breaks the chain where the gap starts.
      return { ok: false, firstBrokenSeq: i, lastHash: prev, checked: i };
    }
    prev = l.hash;
  }
  if (typeof anchor === 'string' && anchor !== prev) {
    return { ok: false, firstBrokenSeq: links.length === 0 ? 0 : links.length - 1, lastHash: prev, checked: links.length };
  }
  if (anchor && typeof anchor === 'object' && links[anchor.seq]?.hash !== anchor.hash) {
    return { ok: false, firstBrokenSeq: Math.min(anchor.seq, links.length), lastHash: prev, checked: links.length };
  }
  return { ok: true, firstBrokenSeq: null, lastHash: prev, checked: links.length };
}

/** Builds the links of a run of events in seq order, continuing from prevHash. */
export function chainEvents<E extends ChainEvent>(prevHash: string, events: readonly E[]): Array<StoredLink<E>> {
  const out: Array<StoredLink<E>> = [];
  let prev = prevHash;
  for (const event of events) {
    const hash = hashEvent(prev, event);
    out.push({ event, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}
