/**
 * Character classes of the detectors' regexes as bits of one table, and their lookarounds, for
 * the byte scanner. Only ASCII is classed: the scanner hands any cell with a byte >= 0x80 back to
 * the regex detectors (their `\p{L}` email parts and UTF-16 offsets differ from bytes there).
 */
export const enum C {
  WORD = 1 << 0, // \w
  DIGIT = 1 << 1,
  UPPER = 1 << 2, // [A-Z]
  ALNUM = 1 << 3, // [A-Za-z0-9]
  B64 = 1 << 4, // [A-Za-z0-9/+]
  URL = 1 << 5, // [A-Za-z0-9_-]
  SLACK = 1 << 6, // [A-Za-z0-9-]
  HOOK = 1 << 7, // [A-Za-z0-9_/-]
  PHONE = 1 << 8, // [\d ().-]
  NUM_BEFORE = 1 << 9, // [\w.+/-]: what may not precede an SSN or a phone
  IP_BEFORE = 1 << 10, // [\w.:-]: what may not precede an IPv4
  IBAN = 1 << 11, // [A-Z0-9]
  LOCAL = 1 << 12, // [A-Za-z0-9._%+'-]: an email's local part
  DOMAIN = 1 << 13, // [A-Za-z0-9.-]
  NUM_SEP = 1 << 14, // [ .-]
  // Dispatch classes: what the scanner's walk stops at.
  D_AT = 1 << 15,
  D_PLUS = 1 << 16,
  D_PAREN = 1 << 17,
  D_TOKEN = 1 << 18, // g, x, e: GitHub/GitLab, Slack, JWT
  D_HOOK = 1 << 19, // h of https://hooks.slack.com
  D_HIGH = 1 << 20, // a byte >= 0x80
  D_DASH = 1 << 21, // '-----BEGIN'
  D_COLON = 1 << 22,
}

const T = new Int32Array(256);
/** Class bits by byte. */
export const CH: Int32Array = T;
const set = (chars: string, bits: number): void => {
  for (const ch of chars) T[ch.charCodeAt(0)] |= bits;
};
const range = (a: string, z: string): string => {
  let s = '';
  for (let c = a.charCodeAt(0); c <= z.charCodeAt(0); c++) s += String.fromCharCode(c);
  return s;
};
const digits = range('0', '9');
const upper = range('A', 'Z');
const lower = range('a', 'z');
const alnum = digits + upper + lower;
set(alnum + '_', C.WORD);
set(digits, C.DIGIT | C.PHONE | C.IBAN);
set(upper, C.UPPER | C.IBAN);
set(alnum, C.ALNUM | C.B64 | C.URL | C.SLACK | C.HOOK | C.LOCAL | C.DOMAIN);
set('/+', C.B64);
set('_-', C.URL);
set('-', C.SLACK);
set('_/-', C.HOOK);
set(' ().-', C.PHONE);
set(alnum + '_.+/-', C.NUM_BEFORE);
set(alnum + '_.:-', C.IP_BEFORE);
set(".%+'-_", C.LOCAL);
set('.-', C.DOMAIN);
set(' .-', C.NUM_SEP);
set('@', C.D_AT);
set('+', C.D_PLUS);
set('(', C.D_PAREN);
set('gxe', C.D_TOKEN);
set('h', C.D_HOOK);
set('-', C.D_DASH);
set(':', C.D_COLON);
for (let c = 128; c < 256; c++) T[c] = C.D_HIGH;

/** No `mask` character right before `s` (a negative lookbehind); `from` is the text's start. */
export function clearBefore(b: Uint8Array, s: number, from: number, mask: number): boolean {
  return s === from || (T[b[s - 1]] & mask) === 0;
}

/** `(?![\w]|[./-]\w)` at e: the end of an SSN or a phone number. */
export function numEndOk(b: Uint8Array, e: number, to: number): boolean {
  if (e >= to) return true;
  const c = b[e];
  if (T[c] & C.WORD) return false;
  return !((c === 46 || c === 47 || c === 45) && e + 1 < to && (T[b[e + 1]] & C.WORD) !== 0);
}

/** `(?![\w]|[.-]\w|\.\d)` at e: the end of an IPv4 address. */
export function ipEndOk(b: Uint8Array, e: number, to: number): boolean {
  if (e >= to) return true;
  const c = b[e];
  if (T[c] & C.WORD) return false;
  return !((c === 46 || c === 45) && e + 1 < to && (T[b[e + 1]] & C.WORD) !== 0);
}

/** Length of the run of `mask` characters at p. */
export function runLength(b: Uint8Array, p: number, to: number, mask: number): number {
  let e = p;
  while (e < to && T[b[e]] & mask) e++;
  return e - p;
}

export function isDigitAt(b: Uint8Array, p: number, to: number): boolean {
  return p < to && b[p] >= 48 && b[p] <= 57;
}
