/**
 * Character classes of the detectors' regexes as bits of one table, and their lookarounds, for
 * the byte scanner. Only ASCII is classed: the scanner hands any cell with a byte >= 0x80 back to
 * the regex detectors (their `\p{L}` email parts and UTF-16 offsets differ from bytes there).
 */
export const WORD = 1 << 0; // \w
export const DIGIT = 1 << 1;
export const UPPER = 1 << 2; // [A-Z]
export const ALNUM = 1 << 3; // [A-Za-z0-9]
export const B64 = 1 << 4; // [A-Za-z0-9/+]
export const URL = 1 << 5; // [A-Za-z0-9_-]
export const SLACK = 1 << 6; // [A-Za-z0-9-]
export const HOOK = 1 << 7; // [A-Za-z0-9_/-]
export const PHONE = 1 << 8; // [\d ().-]
export const NUM_BEFORE = 1 << 9; // [\w.+/-]: what may not precede an SSN or a phone
export const IP_BEFORE = 1 << 10; // [\w.:-]: what may not precede an IPv4
export const IBAN = 1 << 11; // [A-Z0-9]
export const LOCAL = 1 << 12; // [A-Za-z0-9._%+'-]: an email's local part
export const DOMAIN = 1 << 13; // [A-Za-z0-9.-]
export const NUM_SEP = 1 << 14; // [ .-]
// Dispatch classes: what the scanner's walk stops at.
export const D_AT = 1 << 15;
export const D_PLUS = 1 << 16;
export const D_PAREN = 1 << 17;
export const D_TOKEN = 1 << 18; // g, x, e: GitHub/GitLab, Slack, JWT
export const D_HOOK = 1 << 19; // h of https://hooks.slack.com
export const D_HIGH = 1 << 20; // a byte >= 0x80
export const D_DASH = 1 << 21; // '-----BEGIN'
export const D_COLON = 1 << 22;

export const CH = new Int32Array(256);
const set = (chars: string, bits: number): void => {
  for (const ch of chars) CH[ch.charCodeAt(0)] |= bits;
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
set(alnum + '_', WORD);
set(digits, DIGIT | PHONE | IBAN);
set(upper, UPPER | IBAN);
set(alnum, ALNUM | B64 | URL | SLACK | HOOK | LOCAL | DOMAIN);
set('/+', B64);
set('_-', URL);
set('-', SLACK);
set('_/-', HOOK);
set(' ().-', PHONE);
set(alnum + '_.+/-', NUM_BEFORE);
set(alnum + '_.:-', IP_BEFORE);
set(".%+'-_", LOCAL);
set('.-', DOMAIN);
set(' .-', NUM_SEP);
set('@', D_AT);
set('+', D_PLUS);
set('(', D_PAREN);
set('gxe', D_TOKEN);
set('h', D_HOOK);
set('-', D_DASH);
set(':', D_COLON);
for (let c = 128; c < 256; c++) CH[c] = D_HIGH;

/** No `mask` character right before `s` (a negative lookbehind); `from` is the text's start. */
export function clearBefore(b: Uint8Array, s: number, from: number, mask: number): boolean {
  return s === from || (CH[b[s - 1]] & mask) === 0;
}

/** `(?![\w]|[./-]\w)` at e: the end of an SSN or a phone number. */
export function numEndOk(b: Uint8Array, e: number, to: number): boolean {
  if (e >= to) return true;
  const c = b[e];
  if (CH[c] & WORD) return false;
  return !((c === 46 || c === 47 || c === 45) && e + 1 < to && (CH[b[e + 1]] & WORD) !== 0);
}

/** `(?![\w]|[.-]\w|\.\d)` at e: the end of an IPv4 address. */
export function ipEndOk(b: Uint8Array, e: number, to: number): boolean {
  if (e >= to) return true;
  const c = b[e];
  if (CH[c] & WORD) return false;
  return !((c === 46 || c === 45) && e + 1 < to && (CH[b[e + 1]] & WORD) !== 0);
}

/** Length of the run of `mask` characters at p. */
export function runLength(b: Uint8Array, p: number, to: number, mask: number): number {
  let e = p;
  while (e < to && CH[b[e]] & mask) e++;
  return e - p;
}

export function isDigitAt(b: Uint8Array, p: number, to: number): boolean {
  return p < to && b[p] >= 48 && b[p] <= 57;
}
