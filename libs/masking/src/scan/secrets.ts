/**
 * The secret detectors' regexes (secrets.ts) as matchers over bytes, like numbers.ts: each answers
 * what its regex's exec answers for a match starting at s (the end, or -1). Every one of them ends
 * at the end of a maximal run of its class, so a match is a run of the right length.
 */
import * as prefilter from '../prefilter';
import { C } from './chars';
import * as chars from './chars';

// Imported functions as module constants: calls through the import object (`(0, m.f)(…)`) were
// measured 20–50 ns each inside the scan loop, where V8 inlined little; calls to a local constant are not.
const { bytesAt } = prefilter;
const { CH, clearBefore, runLength } = chars;


/** AWS_ID_RE `(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`. */
export function awsIdAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.ALNUM) || !(bytesAt(b, s, to, 'AKIA') || bytesAt(b, s, to, 'ASIA'))) return -1;
  let e = s + 4;
  while (e < s + 20 && e < to && ((b[e] >= 65 && b[e] <= 90) || (b[e] >= 48 && b[e] <= 57))) e++;
  return e === s + 20 && (e >= to || (CH[b[e]] & C.ALNUM) === 0) ? e : -1;
}

/** AWS_SECRET_RE `(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`. */
export function awsSecretAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.B64) || runLength(b, s, Math.min(to, s + 41), C.B64) !== 40) return -1;
  return s + 40 < to && b[s + 40] === 61 ? -1 : s + 40;
}

/** `prefix` then a run of `mask` of min–max characters that ends the match, after no `before` character. */
function prefixedRun(b: Uint8Array, s: number, from: number, to: number, before: number, prefix: number, mask: number, min: number, max: number): number {
  if (!clearBefore(b, s, from, before)) return -1;
  const run = runLength(b, s + prefix, to, mask);
  return run >= min && run <= max ? s + prefix + run : -1;
}

/**
 * The TOKEN_RES regexes at s, by index: 0 gh[pousr]_…, 1 github_pat_…, 2 glpat-…, 3 xox?-/xapp-…,
 * 4 https://hooks.slack.com/…
 */
export function tokenAt(k: number, b: Uint8Array, s: number, from: number, to: number): number {
  switch (k) {
    case 0: {
      if (!bytesAt(b, s, to, 'gh') || s + 3 >= to || b[s + 3] !== 95 || !'pousr'.includes(String.fromCharCode(b[s + 2]))) return -1;
      const e = prefixedRun(b, s, from, to, C.WORD, 4, C.ALNUM, 36, 251);
      // The run of letters and digits must not go on with '_'.
      return e < 0 || (e < to && b[e] === 95) ? -1 : e;
    }
    case 1:
      return bytesAt(b, s, to, 'github_pat_') ? prefixedRun(b, s, from, to, C.WORD, 11, C.WORD, 22, 255) : -1;
    case 2:
      return bytesAt(b, s, to, 'glpat-') ? prefixedRun(b, s, from, to, C.URL, 6, C.URL, 20, 255) : -1;
    case 3: {
      const head = bytesAt(b, s, to, 'xapp-') || (bytesAt(b, s, to, 'xox') && s + 4 < to && 'abposr'.includes(String.fromCharCode(b[s + 3])) && b[s + 4] === 45);
      const e = head ? prefixedRun(b, s, from, to, C.URL, 5, C.SLACK, 11, 251) : -1;
      // `[A-Za-z0-9-]{10,250}[A-Za-z0-9](?![A-Za-z0-9_-])`: the run ends in a letter or digit, and no '_' follows.
      return e < 0 || b[e - 1] === 45 || (e < to && b[e] === 95) ? -1 : e;
    }
    default:
      return hookAt(b, s, to);
  }
}

const HOOK_KINDS = ['services/', 'workflows/', 'triggers/'];

/** `https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,250}[A-Za-z0-9]` (no lookarounds). */
function hookAt(b: Uint8Array, s: number, to: number): number {
  if (!bytesAt(b, s, to, 'http')) return -1;
  const p = s + 4 < to && b[s + 4] === 115 ? s + 5 : s + 4;
  if (!bytesAt(b, p, to, '://hooks.slack.com/')) return -1;
  const q = p + 19;
  const kind = HOOK_KINDS.find((k) => bytesAt(b, q, to, k));
  if (kind === undefined) return -1;
  const r = q + kind.length;
  const run = runLength(b, r, to, C.HOOK);
  // The greedy class takes k of the run, then one letter or digit: the most k first.
  for (let k = Math.min(250, run - 1); k >= 8; k--) if (CH[b[r + k]] & C.ALNUM) return r + k + 1;
  return -1;
}

/**
 * JWT_RE `(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{2,64000}\.[A-Za-z0-9_-]{0,8000}(?![A-Za-z0-9_-])`
 * at s (the scanner only sees cells far below the bounds). Returns the end; the header is b[s, first '.').
 */
export function jwtAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.URL) || !bytesAt(b, s, to, 'eyJ')) return -1;
  const h = s + 3 + runLength(b, s + 3, to, C.URL);
  if (h - s - 3 < 2 || h >= to || b[h] !== 46) return -1;
  const p = h + 1 + runLength(b, h + 1, to, C.URL);
  if (p - h - 1 < 2 || p >= to || b[p] !== 46) return -1;
  return p + 1 + runLength(b, p + 1, to, C.URL);
}
