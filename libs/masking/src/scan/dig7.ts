/**
 * Whether the prefilter sets F_DIG7 for a number with separators the scanner found: Detection.find
 * only looks for those (cards with separators, SSNs, phone numbers) under that flag.
 */
import { C } from './chars';
import * as chars from './chars';

// Imported functions as module constants: calls through the import object (`(0, m.f)(…)`) were
// measured 20–50 ns each inside the scan loop, where V8 inlined little; calls to a local constant are not.
const { CH, runLength } = chars;


/** The prefilter's chunk characters: digits and ' .-()/+'. */
const isChunk = (c: number): boolean => (c >= 48 && c <= 57) || c === 32 || c === 46 || c === 45 || c === 40 || c === 41 || c === 47 || c === 43;

/** b[s, e) starts with '+' or '(', or has one of ' .-()/+' after a digit and before its last digit. */
export function sepBeforeLastDigit(b: Uint8Array, s: number, e: number): boolean {
  if (b[s] === 43 || b[s] === 40) return true;
  let last = e - 1;
  while (last > s && !(CH[b[last]] & C.DIGIT)) last--;
  for (let i = s + 1; i < last; i++) if (!(CH[b[i]] & C.DIGIT) && CH[b[i - 1]] & C.DIGIT) return true;
  return false;
}

/**
 * The prefilter's chunk around s starts like an ISO date (4 digits, a separator, 2 digits and the
 * same '-', '/' or '.'), whose digits it does not count.
 */
export function dateChunk(b: Uint8Array, from: number, to: number, s: number): boolean {
  let p = s;
  while (p > from && isChunk(b[p - 1])) p--;
  while (!(CH[b[p]] & C.DIGIT)) p++;
  if (runLength(b, p, to, C.DIGIT) !== 4 || p + 4 >= to) return false;
  const sep = b[p + 4];
  if (sep !== 45 && sep !== 47 && sep !== 46) return false;
  let q = p + 5;
  while (q < to && isChunk(b[q]) && !(CH[b[q]] & C.DIGIT)) q++;
  return runLength(b, q, to, C.DIGIT) === 2 && q + 2 < to && b[q + 2] === sep;
}

