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

type Bytes = { readonly length: number; [i: number]: number };

/** Reads code units from a string through the same indexable shape as a Buffer. */
function at(src: Buffer | string, i: number): number {
  if (typeof src !== 'string') return src[i];
  const c = src.charCodeAt(i);
  return c > 0xff ? 0x80 : c;
}

function startsWithAscii(src: Buffer | string, i: number, lit: string): boolean {
  if (i + lit.length > src.length) return false;
  for (let k = 0; k < lit.length; k++) if (at(src, i + k) !== lit.charCodeAt(k)) return false;
  return true;
}

function tokenAt(src: Buffer | string, i: number, c: number): number {
  switch (c) {
    case 65: // A: AKIA / ASIA
      return startsWithAscii(src, i, 'AKIA') || startsWithAscii(src, i, 'ASIA') ? F_TOKEN : 0;
    case 103: // g: gh?_ / github_pat_ / glpat-
      return startsWithAscii(src, i, 'gh') || startsWithAscii(src, i, 'github_pat_') || startsWithAscii(src, i, 'glpat-') ? F_TOKEN : 0;
    case 120: // x: xox?- / xapp-
      return startsWithAscii(src, i, 'xox') || startsWithAscii(src, i, 'xapp-') ? F_TOKEN : 0;
    case 104: // h: hooks.slack.com
      return startsWithAscii(src, i, 'hooks.slack.com') ? F_TOKEN : 0;
    case 101: // e: eyJ (base64url of '{"')
      return startsWithAscii(src, i, 'eyJ') ? F_TOKEN : 0;
    case 45: // '-----BEGIN'
      return startsWithAscii(src, i, '-----BEGIN') ? F_PEM : 0;
    case 92: // '\u'
      return startsWithAscii(src, i, '\\u') ? F_ESCAPE : 0;
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

/** Returns a bit set of F_* flags; 0 means no detector can match. */
export function prefilter(src: Buffer | string): number {
  const isString = typeof src === 'string';
  const buf = src as unknown as Bytes;
  const n = src.length;
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
  for (let i = 0; i < n; i++) {
    let c = isString ? (src as string).charCodeAt(i) : buf[i];
    if (c > 0xff) c = 0x80; // any non-Latin-1 code unit is just "other"
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
    else if (i + 1 < n) {
      let d = isString ? (src as string).charCodeAt(i + 1) : buf[i + 1];
      if (d > 0xff) d = 0x80;
      if (TOKEN_PAIR[(c << 8) | d]) flags |= tokenAt(src, i, c);
    }
    p3 = p2;
    p2 = p1;
    p1 = k;
  }
  return flags;
}
