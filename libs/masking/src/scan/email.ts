/** detectEmail (detectors.ts) on ASCII bytes: expand around an '@', then check the domain. */
import { NOT_TLD } from '../detectors';
import { C } from './chars';
import * as chars from './chars';

// The class table as a module constant: a property load through the import object per byte costs.
const { CH } = chars;

/** NOT_TLD (all of them 3–4 letters) as lower-case letters packed in an int. */
const NOT_TLD_KEYS = Int32Array.from([...NOT_TLD].map((t) => [...t].reduce((k, ch) => (k << 8) | ch.charCodeAt(0), 0)));

/** The start of the local part before the '@' at `at` ([start, at) may be empty). */
export function localStart(b: Uint8Array, at: number, from: number): number {
  let s = at;
  while (s > from && at - s < 64 && CH[b[s - 1]] & C.LOCAL) s--;
  while (s < at && b[s] === 46) s++;
  return s;
}

/** The end of the domain after the '@' at `at`, trailing dots and dashes dropped. */
export function domainEnd(b: Uint8Array, at: number, to: number): number {
  let e = at + 1;
  while (e < to && e - at <= 253 && CH[b[e]] & C.DOMAIN) e++;
  while (e > at + 1 && (b[e - 1] === 46 || b[e - 1] === 45)) e--;
  return e;
}

/**
 * validDomain on b[from, to): two or more labels, none empty or with a '-' at either end, the last
 * 2–24 letters and not an image extension. In ASCII, "all letters" is exactly `\p{L}`.
 */
export function domainOk(b: Uint8Array, from: number, to: number): boolean {
  let labelStart = from;
  let dots = 0;
  for (let i = from; i <= to; i++) {
    if (i < to && b[i] !== 46) continue;
    if (i === labelStart || b[labelStart] === 45 || b[i - 1] === 45) return false;
    if (i < to) {
      dots++;
      labelStart = i + 1;
    }
  }
  if (dots === 0) return false;
  const len = to - labelStart;
  if (len < 2 || len > 24) return false;
  let key = 0;
  for (let i = labelStart; i < to; i++) {
    const c = b[i] | 0x20;
    if (c < 97 || c > 122) return false;
    key = (key << 8) | c;
  }
  if (len > 4) return true;
  // A loop, not includes(): the builtin call costs more than the eight compares.
  for (let k = 0; k < NOT_TLD_KEYS.length; k++) if (NOT_TLD_KEYS[k] === key) return false;
  return true;
}
