/**
 * One pass over a cell's bytes (or a string's code units) that says which
 * detectors could possibly match. Most cells hold nothing, and this is what
 * lets the hot path skip decoding a Buffer to a string at all. It may say
 * "maybe" too often (cost: one detector run); it must never say "no" for a
 * value a detector would find.
 */

export const F_AT = 1; // '@' → email
export const F_IPV4 = 2; // >= 4 digits and >= 3 dots in one numeric chunk → IPv4
export const F_DIG7 = 4; // >= 7 digits in one chunk with separators or a '+' → phone, SSN, card
export const F_LONG = 512; // >= 12 contiguous digits → card
export const F_BARE = 1024; // >= 9 contiguous digits → a labelled bare SSN or phone
export const F_IBAN = 8; // [A-Z][A-Z][0-9][0-9]
export const F_TOKEN = 16; // a known secret-token prefix
export const F_B64_40 = 32; // a run of >= 40 base64 characters → AWS secret key
export const F_COLON = 64; // '::' or >= 7 colons in one hex/colon chunk → IPv6
export const F_PEM = 128; // '-----BEGIN'
export const F_ESCAPE = 256; // '\u' (JSON escapes can hide any character)

const C_DIGIT = 1;
const C_UPPER = 2;
const C_LOWER = 4;
const C_NUMSEP = 8; // separators that keep a phone/card/IP number together
const C_B64 = 16;
const C_HEX = 32;

const CLASS = new Uint8Array(256);
for (let c = 48; c <= 57; c++) CLASS[c] = C_DIGIT | C_B64 | C_HEX;
for (let c = 65; c <= 90; c++) CLASS[c] = C_UPPER | C_B64 | (c <= 70 ? C_HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = C_LOWER | C_B64 | (c <= 102 ? C_HEX : 0);
for (const ch of ' .-()/+') CLASS[ch.charCodeAt(0)] |= C_NUMSEP;
CLASS[43] |= C_B64; // '+'
CLASS[47] |= C_B64; // '/'

/** `gh[pousr]_`: 'gh' alone is in "right", "though", "high". */
function ghToken(src: Uint8Array, i: number, end: number): boolean {
  if (i + 4 > end || src[i + 1] !== 104 || src[i + 3] !== 95) return false;
  const k = src[i + 2];
  return k === 112 || k === 111 || k === 117 || k === 115 || k === 114;
}

function tokenAt(src: Uint8Array, i: number, end: number, c: number): number {
  switch (c) {
    case 65: // A: AKIA / ASIA
      return bytesAt(src, i, end, 'AKIA') || bytesAt(src, i, end, 'ASIA') ? F_TOKEN : 0;
    case 103: // g: gh[pousr]_ / github_pat_ / glpat-
      return ghToken(src, i, end) || bytesAt(src, i, end, 'github_pat_') || bytesAt(src, i, end, 'glpat-') ? F_TOKEN : 0;
    case 120: // x: xox?- / xapp-
      return bytesAt(src, i, end, 'xox') || bytesAt(src, i, end, 'xapp-') ? F_TOKEN : 0;
    case 104: // h: hooks.slack.com
      return bytesAt(src, i, end, 'hooks.slack.com') ? F_TOKEN : 0;
    case 101: // e: eyJ (base64url of '{"')
      return bytesAt(src, i, end, 'eyJ') ? F_TOKEN : 0;
    case 45: // '-----BEGIN'
      return bytesAt(src, i, end, '-----BEGIN') ? F_PEM : 0;
    case 92: // '\u'
      return bytesAt(src, i, end, '\\u') ? F_ESCAPE : 0;
    default:
      return 0;
  }
}

// First two characters of every literal tokenAt knows: 'e' alone is the commonest letter in
// English, so a one-character gate would call tokenAt for most words.
const TOKEN_PAIR = new Uint8Array(65536);
for (const pair of ['AK', 'AS', 'gh', 'gi', 'gl', 'xo', 'xa', 'ho', 'ey', '--', '\\u']) {
  TOKEN_PAIR[(pair.charCodeAt(0) << 8) | pair.charCodeAt(1)] = 1;
}

/**
 * Returns a bit set of F_* flags; 0 means no detector can match. A string is read as its UTF-8
 * bytes: every non-ASCII character becomes bytes >= 0x80, which no class or literal has, so a
 * string and its encoding get the same flags.
 */
export function prefilter(src: Buffer | string): number {
  const bytes = typeof src === 'string' ? Buffer.from(src, 'utf8') : src;
  return prefilterBytes(bytes, 0, bytes.length);
}

/** prefilter of buf[from, to), without a view of it. One loop over bytes: V8 reads a byte from a typed array in a few instructions, a string's code unit in dozens. */
export function prefilterBytes(buf: Uint8Array, from: number, to: number): number {
  const start = from | 0;
  const n = to | 0;
  let flags = 0;
  let digits = 0; // digits in the current numeric chunk
  let dots = 0; // dots in the current numeric chunk
  let sep = false; // the current numeric chunk has a separator (or a leading '+'/'(')
  let run = 0; // contiguous digits
  let groups = 0; // digit groups completed in the current numeric chunk
  let g1 = 0; // length of its first group
  let sep1 = 0; // and the separator after it
  let dateDigits = 0; // digits of a leading ISO date, not counted
  let prevColon = false;
  let b64 = 0; // length of the current base64 run
  let colons = 0; // colons in the current hex/colon chunk
  let p1 = 0; // class of the previous unit
  let p2 = 0; // class of the one before
  let p3 = 0;
  for (let i = start; i < n; i++) {
    const c = buf[i];
    const k = CLASS[c];
    if (k & C_DIGIT) {
      ++run;
      if (++digits - dateDigits >= 7 && sep) flags |= F_DIG7;
      if (run >= 9) flags |= run >= 12 ? F_BARE | F_LONG : F_BARE;
      if (dots >= 3 && digits >= 4) flags |= F_IPV4;
      // [A-Z][A-Z][0-9][0-9]: the IBAN country + check digits
      if (p1 & C_DIGIT && p2 & C_UPPER && p3 & C_UPPER) flags |= F_IBAN;
    } else {
      if (!(k & C_NUMSEP)) {
        digits = 0;
        dots = 0;
        sep = false;
        groups = 0;
        dateDigits = 0;
      } else {
        if (digits > 0 || c === 43 || c === 40) sep = true;
        if (c === 46) dots++;
        if (run > 0) {
          // ISO dates (2024-01-13, 2024/01/13) are the commonest digit runs in text and never an
          // entity: their 8 digits do not count towards a phone/card/SSN candidate.
          if (groups === 0) {
            g1 = run;
            sep1 = c;
          } else if (groups === 1 && g1 === 4 && run === 2 && c === sep1 && (c === 45 || c === 47 || c === 46)) {
            dateDigits = digits + 2;
          }
          groups++;
        }
      }
      run = 0;
    }
    if (k & C_B64) {
      if (++b64 >= 40) flags |= F_B64_40;
    } else {
      b64 = 0;
    }
    // IPv6 text has '::' or all seven colons; clock times (10:22:31) have neither.
    if (c === 58) {
      if (prevColon || ++colons >= 7) flags |= F_COLON;
      prevColon = true;
    } else {
      prevColon = false;
      if (!(k & C_HEX)) colons = 0;
    }
    if (c === 64) flags |= F_AT;
    else if (i + 1 < n && TOKEN_PAIR[(c << 8) | buf[i + 1]]) flags |= tokenAt(buf, i, n, c);
    p3 = p2;
    p2 = p1;
    p1 = k;
  }
  return flags;
}

/*
 * The gate in front of prefilter, for cells still inside a wire buffer. Most cells of most results
 * are words, spaces and a few digits; prefilter keeps a dozen counters per byte to say which
 * detectors to run, this does nothing for most letters and stops at the first byte that could
 * start anything. Each literal is looked for from its rarest byte ('J' of eyJ, '_' of ghp_), so
 * common letters need no check at all. It must be true whenever prefilter would return a flag
 * (prefilter.spec.ts checks this on generated input); it may be true more often (cost: one
 * prefilter pass).
 */
const G_PLAIN = 0; // letters in no literal's trigger position: nothing to do
const G_DIGIT = 1;
const G_B64 = 2; // '+', '/': extend a base64 run, nothing else
const G_LETTER = 3; // 'A' (AKIA, ASIA), 'J' (eyJ), 'x' (xox, xapp-)
const G_BREAK = 4; // ends a base64 run
const G_DOT = 5; // and 'hooks.slack.com'
const G_COLON = 6;
const G_DASH = 7; // and '-----BEGIN', 'glpat-'
const G_UNDER = 8; // 'ghp_', 'github_pat_'
const G_ESC = 9; // '\u'
const G_STOP = 10; // '@': an email candidate, decide now

const GATE = new Uint8Array(256).fill(G_BREAK);
for (let c = 65; c <= 90; c++) GATE[c] = G_PLAIN;
for (let c = 97; c <= 122; c++) GATE[c] = G_PLAIN;
for (let c = 48; c <= 57; c++) GATE[c] = G_DIGIT;
for (const ch of 'AJx') GATE[ch.charCodeAt(0)] = G_LETTER;
GATE[43] = G_B64;
GATE[47] = G_B64;
GATE[46] = G_DOT;
GATE[58] = G_COLON;
GATE[45] = G_DASH;
GATE[95] = G_UNDER;
GATE[92] = G_ESC;
GATE[64] = G_STOP;

const isUpper = (c: number): boolean => c >= 65 && c <= 90;

/** True unless prefilter(buf.subarray(start, end)) is certainly 0. No allocation. */
export function mayFlag(buf: Uint8Array, from: number, to: number): boolean {
  // Int32 from here on: V8 then keeps the loop index untagged (measured: ~15% fewer instructions).
  const start = from | 0;
  const end = to | 0;
  let digits = 0;
  let dots = 0;
  let colons = 0;
  let b64Start = start;
  for (let i = start; i < end; i++) {
    const g = GATE[buf[i]];
    if (g === G_PLAIN) continue;
    if (g === G_DIGIT) {
      // prefilter's digit flags need 7 digits in a chunk (phone/SSN/card), 4 and three dots (IPv4),
      // or an IBAN head [A-Z][A-Z][0-9][0-9].
      if (++digits >= 7) return true;
      if (i - 3 >= start && GATE[buf[i - 1]] === G_DIGIT && isUpper(buf[i - 2]) && isUpper(buf[i - 3])) return true;
      continue;
    }
    if (g === G_B64) continue;
    if (g === G_LETTER) {
      if (letterLiteral(buf, i, start, end)) return true;
      continue;
    }
    if (i - b64Start >= 40) return true;
    b64Start = i + 1;
    if (g === G_BREAK) continue;
    switch (g) {
      case G_DOT:
        dots++;
        if (i - 5 >= start && buf[i - 5] === 104 && bytesAt(buf, i - 5, end, 'hooks.slack.com')) return true;
        break;
      case G_COLON:
        if (++colons >= 7 || (i > start && buf[i - 1] === 58)) return true;
        break;
      case G_DASH:
        if (i + 10 <= end && buf[i + 1] === 45 && bytesAt(buf, i, end, '-----BEGIN')) return true;
        if (i - 5 >= start && bytesAt(buf, i - 5, end, 'glpat-')) return true;
        break;
      case G_UNDER:
        if (i - 3 >= start && buf[i - 3] === 103 && buf[i - 2] === 104 && isGhKind(buf[i - 1])) return true;
        if (i - 6 >= start && bytesAt(buf, i - 6, end, 'github_pat_')) return true;
        break;
      case G_ESC:
        if (i + 1 < end && buf[i + 1] === 117) return true;
        break;
      case G_STOP:
        return true;
    }
  }
  return end - b64Start >= 40 || (digits >= 4 && dots >= 3);
}

/** 'A' of AKIA/ASIA, 'J' of eyJ, 'x' of xox/xapp-, within [start, end). */
function letterLiteral(buf: Uint8Array, i: number, start: number, end: number): boolean {
  switch (buf[i]) {
    case 65:
      return bytesAt(buf, i, end, 'AKIA') || bytesAt(buf, i, end, 'ASIA');
    case 74:
      return i - 2 >= start && buf[i - 2] === 101 && buf[i - 1] === 121;
    default:
      return bytesAt(buf, i, end, 'xox') || bytesAt(buf, i, end, 'xapp-');
  }
}

/** The kind letter of a GitHub token prefix: gh[pousr]_. */
function isGhKind(k: number): boolean {
  return k === 112 || k === 111 || k === 117 || k === 115 || k === 114;
}

export function bytesAt(buf: Uint8Array, i: number, end: number, lit: string): boolean {
  if (i + lit.length > end) return false;
  for (let k = 0; k < lit.length; k++) if (buf[i + k] !== lit.charCodeAt(k)) return false;
  return true;
}
