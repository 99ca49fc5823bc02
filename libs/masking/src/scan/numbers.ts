/**
 * The numeric detectors' regexes (detectors.ts) as matchers over bytes. Each `…At(b, s, …)`
 * answers what its regex's exec answers when it tries a match starting at s: the end of the match,
 * or -1. Their quantifiers leave the regex no real choice but the one written out here (a digit
 * group must take its whole run, a separator must be taken when one is there); where there is a
 * choice (how many digits a card takes, how many groups a national number has) the candidates are
 * tried in the regex's order. The validity checks after a match are separate (`…Valid`), because a
 * regex match that fails them still moves the regex past it. scan.spec.ts holds these to the regexes.
 */
import * as detectors from '../detectors';
import * as validators from '../validators';
import { C } from './chars';
import * as chars from './chars';

// Imported functions as module constants: calls through the import object (`(0, m.f)(…)`) were
// measured 20–50 ns each inside the scan loop, where V8 inlined little; calls to a local constant are not.
const { cardGroupsOk } = detectors;
const { ibanLength, issuerOf, ssnValid } = validators;
const { CH, clearBefore, ipEndOk, isDigitAt, numEndOk, runLength } = chars;


const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** CARD_RE `(?<![\w])(?:\d[ -]?){12,18}\d(?!\w)` at s, a digit that starts a run of `run` digits. */
export function cardAt(b: Uint8Array, s: number, from: number, to: number, run: number): number {
  // A match holds at least 13 digits, so 13 bytes: a phone's "555-0001" never starts one.
  if (to - s < 13 || !clearBefore(b, s, from, C.WORD)) return -1;
  // The digits the pattern can walk: each next digit adjacent or after one ' ' or '-'. The first
  // run is known: a run of 13–19 digits that nothing continues is the whole match.
  let n = Math.min(run, 19);
  let last = s + n - 1;
  let best = n >= 13 && (last + 1 >= to || (CH[b[last + 1]] & C.WORD) === 0) ? last + 1 : -1;
  while (n < 19) {
    const q = last + 1;
    if (isDigitAt(b, q, to)) last = q;
    else if ((b[q] === 32 || b[q] === 45) && isDigitAt(b, q + 1, to)) last = q + 1;
    else break;
    n++;
    // A match may end after 13–19 digits where no word character follows; the regex takes the most.
    if (n >= 13 && (last + 1 >= to || (CH[b[last + 1]] & C.WORD) === 0)) best = last + 1;
  }
  return best;
}

/**
 * Per first four digits (0–9999): a bit per card length 13–19 that issuerOf knows an issuer for,
 * and 0x80 once filled in. Filled on first use: the whole table took ~35 ms to build at load.
 */
const ISSUER_LENGTHS = new Uint8Array(10000);

/** issuerOf(len, …) !== null for the first four digits p4 (a card has 13–19 digits). */
function issuerKnown(p4: number, len: number): boolean {
  let lengths = ISSUER_LENGTHS[p4];
  if (lengths === 0) {
    lengths = 0x80;
    for (let n = 13; n <= 19; n++) if (issuerOf(n, (p4 / 1000) | 0, ((p4 / 100) | 0) % 10, ((p4 / 10) | 0) % 10, p4 % 10) !== null) lengths |= 1 << (n - 13);
    ISSUER_LENGTHS[p4] = lengths;
  }
  return ((lengths >> (len - 13)) & 1) !== 0;
}

/** Luhn's doubled digit, by the digit's byte (digits only are looked up), plus the digit's own 48. */
const DOUBLED = new Uint8Array(256);
for (let d = 0; d < 10; d++) DOUBLED[48 + d] = 48 + (d < 5 ? d * 2 : d * 2 - 9);

/** Issuer range, Luhn and digit grouping of the card match b[s, e): detectCard's checks, in one pass from the end. */
export function cardValid(b: Uint8Array, s: number, e: number): boolean {
  let n = 0;
  let sum = 0;
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  for (let i = e - 1; i >= s; i--) {
    const c = b[i];
    if (!isDigit(c)) continue;
    const d = c - 48;
    const v = n++ & 1 ? d * 2 : d;
    sum += v > 9 ? v - 9 : v;
    d0 = d1;
    d1 = d2;
    d2 = d3;
    d3 = d;
  }
  // d0…d3 now hold the first four digits (the loop shifted each digit down as it went left).
  if (sum % 10 !== 0 || !issuerKnown(d3 * 1000 + d2 * 100 + d1 * 10 + d0, n)) return false;
  return n === e - s || cardGroupsOk(latin1(b, s, e), n);
}

/** cardValid for a match b[s, e) of 13–19 digits only (the common case): issuer range, then Luhn two digits at a time. */
export function cardDigitsValid(b: Uint8Array, s: number, e: number): boolean {
  const p4 = (b[s] - 48) * 1000 + (b[s + 1] - 48) * 100 + (b[s + 2] - 48) * 10 + (b[s + 3] - 48);
  if (!issuerKnown(p4, e - s)) return false;
  // Every byte added counts the digit's 48.
  let sum = -48 * (e - s);
  let i = e - 1;
  for (; i > s; i -= 2) sum += b[i] + DOUBLED[b[i - 1]];
  if (i === s) sum += b[s];
  return sum % 10 === 0;
}

export function latin1(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

/** Value of the `len` digits at p. */
function numberAt(b: Uint8Array, p: number, len: number): number {
  let v = 0;
  for (let i = p; i < p + len; i++) v = v * 10 + b[i] - 48;
  return v;
}

function digitsAt(b: Uint8Array, p: number, to: number, len: number): boolean {
  if (p + len > to) return false;
  for (let i = p; i < p + len; i++) if (!isDigit(b[i])) return false;
  return true;
}

/** SSN_RE `(?<![\w.+/-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w]|[./-]\w)` at s. */
export function ssnAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.NUM_BEFORE) || !digitsAt(b, s, to, 3)) return -1;
  const sep = s + 3 < to ? b[s + 3] : 0;
  if ((sep !== 45 && sep !== 32) || !digitsAt(b, s + 4, to, 2) || s + 6 >= to || b[s + 6] !== sep || !digitsAt(b, s + 7, to, 4)) return -1;
  return numEndOk(b, s + 11, to) ? s + 11 : -1;
}

export function ssnDashedValid(b: Uint8Array, s: number): boolean {
  return ssnValid(numberAt(b, s, 3), numberAt(b, s + 4, 2), numberAt(b, s + 7, 4));
}

/** `(?<![\w.+/-])\d{len}(?![\w]|[./-]\w)` at s, for len in [min, max]: SSN_BARE_RE (9), BARE_RE (10–11). */
export function bareAt(b: Uint8Array, s: number, from: number, to: number, min: number, max: number): number {
  if (!clearBefore(b, s, from, C.NUM_BEFORE)) return -1;
  const len = runLength(b, s, to, C.DIGIT);
  return len >= min && len <= max && numEndOk(b, s + len, to) ? s + len : -1;
}

export function ssnBareValid(b: Uint8Array, s: number): boolean {
  return ssnValid(numberAt(b, s, 3), numberAt(b, s + 3, 2), numberAt(b, s + 5, 4));
}

/**
 * INTL_RE `(?<![\w.+/-])(?:\+|00)[1-9][\d ().-]{6,21}\d(?![\w]|[./-]\w)` at s, and detectPhone's
 * checks on its match (intlEnd). Returns -1 when the regex does not match at s, else the match's
 * length | (the reported number's length + 1, 0 for none) << 5 (both at most 25).
 * The walk over the run of phone characters keeps intlOk's counts, so a match that is the whole
 * run (the common case) is checked without a second walk.
 */
export function intlMatch(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.NUM_BEFORE)) return -1;
  const q = b[s] === 43 ? s + 1 : b[s] === 48 && s + 1 < to && b[s + 1] === 48 ? s + 2 : -1;
  if (q < 0 || q >= to || b[q] < 49 || b[q] > 57) return -1;
  const cap = to < q + 23 ? to : q + 23;
  // intlOk's counts over [s, p): '+' or '00' (not counted), then a digit.
  let digits = 1;
  let open = 0;
  let close = 0;
  let prevSep = false;
  let bad = false;
  let p = q + 1;
  for (; p < cap; p++) {
    const c = b[p];
    if (isDigit(c)) {
      digits++;
      prevSep = false;
    } else if (c === 32 || c === 46 || c === 45) {
      if (prevSep) bad = true;
      prevSep = true;
    } else if (c === 40) {
      // A ')' right after is in the run, so in a match that is the whole run.
      if (isDigit(b[p - 1]) || (p + 1 < cap && b[p + 1] === 41)) bad = true;
      open++;
      prevSep = false;
    } else if (c === 41) {
      close++;
      prevSep = false;
    } else break;
  }
  const run = p - q - 1;
  for (let len = run < 21 ? run : 21; len >= 6; len--) {
    const e = q + 1 + len;
    if (!isDigitAt(b, e, to) || !numEndOk(b, e + 1, to)) continue;
    const whole = e + 1 === p && !bad && open === close && open <= 1 && digits >= 8 && digits <= 15;
    const end = whole ? (zeroAfterGroup(b, s, from) ? -1 : p) : intlEnd(b, s, e + 1, from);
    return (e + 1 - s) | (end < 0 ? 0 : (end - s + 1) << 5);
  }
  return -1;
}

/** detectPhone: '00…' right after another digit group is the middle of a longer number. */
function zeroAfterGroup(b: Uint8Array, s: number, from: number): boolean {
  return b[s] === 48 && s - 2 >= from && (isDigit(b[s - 2]) || (CH[b[s - 2]] & C.UPPER) !== 0) && (CH[b[s - 1]] & C.NUM_SEP) !== 0;
}

/**
 * detectPhone's checks on an INTL_RE match b[s, e): the end of the number it reports, or -1. A
 * '00…' run right after another group is part of a longer number; a run that swallowed a trailing
 * number is cut back group by group until it is well formed.
 */
function intlEnd(b: Uint8Array, s: number, e: number, from: number): number {
  if (zeroAfterGroup(b, s, from)) return -1;
  let end = e;
  let ok = intlOk(b, s, end);
  while (!ok && end - s > 8) {
    let cut = end - 1;
    while (cut >= s && !(CH[b[cut]] & C.NUM_SEP)) cut--;
    if (cut - s <= 1) break;
    end = cut;
    // .replace(/[ .(-]+$/, '')
    while (end > s && (b[end - 1] === 32 || b[end - 1] === 46 || b[end - 1] === 40 || b[end - 1] === 45)) end--;
    ok = intlOk(b, s, end);
  }
  return ok ? end : -1;
}

/** detectors.ts intlOk on b[s, e). */
function intlOk(b: Uint8Array, s: number, e: number): boolean {
  const start = b[s] === 48 && s + 1 < e && b[s + 1] === 48 ? s + 2 : s;
  let digits = 0;
  let open = 0;
  let close = 0;
  let prevSep = false;
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (isDigit(c)) {
      if (i >= start) digits++;
      prevSep = false;
    } else if (c === 32 || c === 46 || c === 45) {
      if (prevSep) return false;
      prevSep = true;
    } else {
      if (c === 40) {
        const before = i > s ? b[i - 1] : 0;
        if (isDigit(before) || (i + 1 < e && b[i + 1] === 41)) return false;
        open++;
      } else if (c === 41) close++;
      prevSep = false;
    }
  }
  return open === close && open <= 1 && digits >= 8 && digits <= 15;
}

/** `\(\d{3}\) ?|\d{3}[ .-]` at p: where the exchange starts, or -1. */
function areaAt(b: Uint8Array, p: number, to: number): number {
  if (b[p] === 40) {
    if (!digitsAt(b, p + 1, to, 3) || p + 4 >= to || b[p + 4] !== 41) return -1;
    return p + 5 < to && b[p + 5] === 32 ? p + 6 : p + 5;
  }
  return digitsAt(b, p, to, 3) && p + 3 < to && CH[b[p + 3]] & C.NUM_SEP ? p + 4 : -1;
}

/** `(\d{3})[ .-](\d{4})(?![\w]|[./-]\w)` at p (the exchange), or -1. */
function nanpRest(b: Uint8Array, p: number, to: number): number {
  if (p < 0 || !digitsAt(b, p, to, 3) || p + 3 >= to || !(CH[b[p + 3]] & C.NUM_SEP) || !digitsAt(b, p + 4, to, 4) || !numEndOk(b, p + 8, to)) return -1;
  return p + 8;
}

/**
 * NANP_RE `(?<![\w.+/-])(?:1[ .-]?)?(\(\d{3}\) ?|\d{3}[ .-])(\d{3})[ .-](\d{4})(?![\w]|[./-]\w)` at s.
 * Returns the end, negated minus one when the match fails detectPhone's check (area code and
 * exchange start with 2–9): the regex still moves past it.
 */
export function nanpAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.NUM_BEFORE)) return -1;
  let area = -1;
  let e = -1;
  if (b[s] === 49) {
    area = s + 1 < to && CH[b[s + 1]] & C.NUM_SEP ? s + 2 : s + 1;
    e = nanpRest(b, areaAt(b, area, to), to);
  }
  if (e < 0) {
    area = s;
    e = nanpRest(b, areaAt(b, area, to), to);
  }
  if (e < 0) return -1;
  const a = b[area] === 40 ? b[area + 1] : b[area];
  const x = b[area] === 40 ? b[area + 5] === 32 ? b[area + 6] : b[area + 5] : b[area + 4];
  return a >= 50 && x >= 50 ? e : -e - 1;
}

/**
 * NATL_RE `(?<![\w.+/-])(?:\(0\d{1,4}\) ?|0\d{1,4}[ -])\d{2,8}(?:[ -]\d{2,8}){0,3}(?![\w]|[./-]\w)`
 * at s. Every digit group takes its whole run; the regex's only choice is how many of the optional
 * groups to keep, the most first.
 */
export function natlAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.NUM_BEFORE)) return -1;
  const paren = b[s] === 40;
  const zero = paren ? s + 1 : s;
  if (zero >= to || b[zero] !== 48) return -1;
  const trunk = runLength(b, zero + 1, to, C.DIGIT);
  if (trunk < 1 || trunk > 4) return -1;
  let p = zero + 1 + trunk;
  if (paren) {
    if (p >= to || b[p] !== 41) return -1;
    p = p + 1 < to && b[p + 1] === 32 ? p + 2 : p + 1;
  } else {
    if (p >= to || (b[p] !== 32 && b[p] !== 45)) return -1;
    p++;
  }
  let len = runLength(b, p, to, C.DIGIT);
  if (len < 2 || len > 8) return -1;
  const ends = [p + len, -1, -1, -1];
  let k = 0;
  while (k < 3) {
    const q = ends[k];
    if (q >= to || (b[q] !== 32 && b[q] !== 45)) break;
    len = runLength(b, q + 1, to, C.DIGIT);
    if (len < 2 || len > 8) break;
    ends[++k] = q + 1 + len;
  }
  for (; k >= 0; k--) if (numEndOk(b, ends[k], to)) return ends[k];
  return -1;
}

/** detectPhone's checks on a NATL_RE match b[s, e): 9–12 digits, no second trunk 0, not a date. */
export function natlValid(b: Uint8Array, s: number, e: number): boolean {
  let n = 0;
  for (let i = s; i < e; i++) if (isDigit(b[i])) n++;
  if (n < 9 || n > 12 || b[b[s] === 40 ? s + 2 : s + 1] === 48) return false;
  return !dateLike(b, s, e);
}

/**
 * DATE_LIKE `^(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})` on a national
 * number b[s, e) (digit runs joined by single ' ' or '-', so '-' is the only date separator).
 */
function dateLike(b: Uint8Array, s: number, e: number): boolean {
  const g1 = runLength(b, s, e, C.DIGIT);
  if (s + g1 >= e || b[s + g1] !== 45) return false;
  const p2 = s + g1 + 1;
  const g2 = runLength(b, p2, e, C.DIGIT);
  if (g2 < 1 || p2 + g2 >= e || b[p2 + g2] !== 45) return false;
  const g3 = runLength(b, p2 + g2 + 1, e, C.DIGIT);
  if (g1 <= 2 && g2 <= 2 && g3 >= 2) return true;
  return g1 === 4 && g2 <= 2 && g3 >= 1;
}

/** IPV4_RE `(?<![\w.:-])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|[.-]\w|\.\d)` at s; ipv4Valid folded in (the end negated minus one when it fails). */
export function ipv4At(b: Uint8Array, s: number, from: number, to: number): number {
  if (!clearBefore(b, s, from, C.IP_BEFORE)) return -1;
  let p = s;
  let valid = true;
  for (let part = 0; part < 4; part++) {
    const len = runLength(b, p, to, C.DIGIT);
    if (len < 1 || len > 3) return -1;
    if ((len > 1 && b[p] === 48) || numberAt(b, p, len) > 255) valid = false;
    p += len;
    if (part < 3) {
      if (p >= to || b[p] !== 46) return -1;
      p++;
    }
  }
  if (!ipEndOk(b, p, to)) return -1;
  return valid ? p : -p - 1;
}

/** IBAN_COMPACT_RE `(?<![\w])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?!\w)` at s. */
export function ibanCompactAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!ibanHead(b, s, from, to)) return -1;
  const run = runLength(b, s + 4, to, C.IBAN);
  const e = s + 4 + run;
  return run >= 11 && run <= 30 && (e >= to || (CH[b[e]] & C.WORD) === 0) ? e : -1;
}

function ibanHead(b: Uint8Array, s: number, from: number, to: number): boolean {
  return clearBefore(b, s, from, C.WORD) && s + 4 <= to && (CH[b[s]] & CH[b[s + 1]] & C.UPPER) !== 0 && isDigit(b[s + 2]) && isDigit(b[s + 3]);
}

/** IBAN_SPACED_RE `(?<![\w])[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?(?!\w)` at s. */
export function ibanSpacedAt(b: Uint8Array, s: number, from: number, to: number): number {
  if (!ibanHead(b, s, from, to)) return -1;
  let groups = 0;
  let p = s + 4;
  while (groups < 7 && p + 5 <= to && b[p] === 32 && runLength(b, p + 1, p + 5, C.IBAN) === 4) {
    p += 5;
    groups++;
  }
  const wordAt = (q: number): boolean => q < to && (CH[b[q]] & C.WORD) !== 0;
  for (; groups >= 2; groups--, p -= 5) {
    if (p < to && b[p] === 32) {
      const tail = runLength(b, p + 1, Math.min(to, p + 4), C.IBAN);
      for (let t = tail; t >= 1; t--) if (!wordAt(p + 1 + t)) return p + 1 + t;
    }
    if (!wordAt(p)) return p;
  }
  return -1;
}

const IBAN_LEN = new Uint8Array(26 * 26);
for (let a = 0; a < 26; a++) {
  for (let c = 0; c < 26; c++) IBAN_LEN[a * 26 + c] = ibanLength(String.fromCharCode(65 + a, 65 + c)) ?? 0;
}

/** ibanValid on b[s, e) without its spaces: registry length, then ISO 7064 mod 97-10. */
export function ibanValidAt(b: Uint8Array, s: number, e: number): boolean {
  let len = 0;
  for (let i = s; i < e; i++) if (b[i] !== 32) len++;
  if (len !== IBAN_LEN[(b[s] - 65) * 26 + (b[s + 1] - 65)]) return false;
  let rem = 0;
  // The first four characters move to the end.
  for (let pass = 0; pass < 2; pass++) {
    let seen = 0;
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c === 32) continue;
      const inHead = seen++ < 4;
      if (inHead === (pass === 0)) continue;
      if (isDigit(c)) rem = (rem * 10 + (c - 48)) % 97;
      else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
      else return false;
    }
  }
  return rem === 1;
}
