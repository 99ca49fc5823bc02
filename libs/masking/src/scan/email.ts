/** detectEmail (detectors.ts) on ASCII bytes: expand around an '@', then check the domain. */
import { NOT_TLD } from '../detectors';
import { C } from './chars';
import * as chars from './chars';

// The class table as a module constant: a property load through the import object per byte costs.
const { CH } = chars;

/** NOT_TLD (all of them 3–4 letters) as lower-case letters packed in an int. */
const NOT_TLD_KEYS = Int32Array.from([...NOT_TLD].map((t) => [...t].reduce((k, ch) => (k << 8) | ch.charCodeAt(0), 0)));
/** A bit per first letter of NOT_TLD ('a' bit 0): most TLDs start with none of them. */
const NOT_TLD_FIRST = [...NOT_TLD].reduce((m, t) => m | (1 << (t.charCodeAt(0) - 97)), 0);

/**
 * The start of the local part before the '@' at `at` ([start, at) may be empty). [run, at) is
 * known to be local-part characters (the scanner's walk saw a run of letters and digits there).
 */
export function localStart(b: Uint8Array, at: number, from: number, run: number): number {
  // Ternaries, not Math.max: measured ~15 ns slower here (its result was not kept as an int32).
  const min = at - 64 > from ? at - 64 : from;
  let s = run > min ? run : min;
  while (s > min && CH[b[s - 1]] & C.LOCAL) s--;
  while (s < at && b[s] === 46) s++;
  return s;
}

/**
 * The domain after the '@' at `at`, trailing dots and dashes dropped, when validDomain holds on it:
 * its end, else -1. validDomain: two or more labels, none empty or with a '-' at either end, the
 * last 2–24 letters and not an image extension. In ASCII, "all letters" is exactly `\p{L}`.
 * One walk: each label a '.' ends is checked as it ends (the first bad one remembered), and only
 * those before the last dot that survives the trim count.
 */
export function domainAt(b: Uint8Array, at: number, to: number): number {
  let e = at + 1;
  let labelStart = e;
  let firstBad = to;
  let lastDot = -1;
  const max = to < at + 254 ? to : at + 254;
  while (e < max) {
    const c = b[e];
    if (c === 46) {
      if ((e === labelStart || b[labelStart] === 45 || b[e - 1] === 45) && e < firstBad) firstBad = e;
      labelStart = e + 1;
      lastDot = e;
    } else if ((CH[c] & C.DOMAIN) === 0) break;
    e++;
  }
  while (e > at + 1 && (b[e - 1] === 46 || b[e - 1] === 45)) e--;
  // The last label: 2–24 letters after the last dot (none within 25 bytes: no dot, or too long).
  let dot = lastDot;
  if (dot >= e) {
    // The trim took the last dot: the one before it.
    dot = e - 1;
    while (dot > at && e - dot <= 25 && b[dot] !== 46) dot--;
  }
  if (dot <= at || b[dot] !== 46 || firstBad <= dot) return -1;
  const len = e - dot - 1;
  if (len < 2 || len > 24) return -1;
  let key = 0;
  for (let i = dot + 1; i < e; i++) {
    const c = b[i] | 0x20;
    if (c < 97 || c > 122) return -1;
    key = (key << 8) | c;
  }
  if (len > 4 || (NOT_TLD_FIRST & (1 << ((b[dot + 1] | 0x20) - 97))) === 0) return e;
  // A loop, not includes(): the builtin call costs more than the eight compares.
  for (let k = 0; k < NOT_TLD_KEYS.length; k++) if (NOT_TLD_KEYS[k] === key) return -1;
  return e;
}
