/**
 * Personal-data detectors. Every regex here has bounded quantifiers, no nested
 * ambiguous repetition and a lookbehind that only lets a match start at a token
 * boundary, so the total work is linear in the cell size (no catastrophic
 * backtracking on hostile input). Checksums and ranges decide, not the regex.
 */
import { type EntityType, type Span } from './types';
import { cardIssuer, ibanValid, ipv4Valid, ipv6Valid, isSsn, luhn } from './validators';

export interface DetectContext {
  /** Column name or JSON key the text sits under: context for SSN and AWS secret keys. */
  hint?: string;
  /** Number of ASCII digits in the text, when the caller counted them: lets numeric detectors bail early. */
  digits?: number;
}

export type Detector = (text: string, out: Span[], ctx: DetectContext) => void;

function push(out: Span[], entity: EntityType, start: number, end: number): void {
  out.push({ entity, start, end });
}

/* ---------------- email: expand around each '@' instead of a regex (no quadratic scans) ---------------- */

// RFC 6531 allows UTF-8 in both parts (müller@example.de, 用户@例子.中国).
const LOCAL_U = /[\p{L}\p{N}]/u;
const LOCAL_ASCII = new Uint8Array(128);
const DOMAIN_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  DOMAIN_ASCII[c] = /[A-Za-z0-9.-]/.test(ch) ? 1 : 0;
  LOCAL_ASCII[c] = /[A-Za-z0-9._%+'-]/.test(ch) ? 1 : 0;
}
const isLocal = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i);
  return c < 128 ? LOCAL_ASCII[c] === 1 : LOCAL_U.test(text[i]);
};
const isDomain = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i);
  return c < 128 ? DOMAIN_ASCII[c] === 1 : LOCAL_U.test(text[i]);
};
export const NOT_TLD = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp']);

export const detectEmail: Detector = (text, out) => {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && at - s < 64 && isLocal(text, s - 1)) s--;
    while (s < at && text[s] === '.') s++;
    let e = at + 1;
    while (e < text.length && e - at <= 253 && isDomain(text, e)) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    if (s < at && e > at + 1 && validDomain(text, at + 1, e)) {
      push(out, 'EMAIL', s, e);
      at = text.indexOf('@', e);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
};

/**
 * text[from, to) is a domain: two or more dot-separated labels, none empty or starting or ending
 * with '-', the last 2–24 letters and not an image extension (icon@2x.png). One pass, no split:
 * it runs for every '@' of every cell.
 */
function validDomain(text: string, from: number, to: number): boolean {
  let labelStart = from;
  let dots = 0;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 46) continue;
    if (i === labelStart || text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) return false;
    if (i < to) {
      dots++;
      labelStart = i + 1;
    }
  }
  if (dots === 0) return false;
  const len = to - labelStart;
  let ascii = true;
  for (let i = labelStart; i < to; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) ascii = false;
  }
  const tld = text.slice(labelStart, to);
  // 2–24 ASCII letters, or 2–24 Unicode letters (counted in code points, as the regex does).
  if (ascii ? len < 2 || len > 24 : !TLD_U.test(tld)) return false;
  // Lower-casing never shortens a string: a TLD over 4 units cannot be one of NOT_TLD.
  return len > 4 || !NOT_TLD.has(tld.toLowerCase());
}
const TLD_U = /^\p{L}{2,24}$/u;

/* ---------------- column and key names as context ---------------- */

export const HINT_SSN = 1;
export const HINT_PHONE = 2;
export const HINT_VERSION = 4;
const HINT_KNOWN = 8;
let hints = new Map<string, number>();

/**
 * What a column or JSON key name says, tested once per name rather than once per cell: a result
 * has a handful of column names and millions of cells.
 */
export function hintIs(hint: string, what: number): boolean {
  let h = hints.get(hint);
  if (h === undefined) {
    h = HINT_KNOWN;
    if (SSN_CONTEXT.test(hint.replace(/_/g, ' '))) h |= HINT_SSN;
    if (PHONE_HINT.test(hint)) h |= HINT_PHONE;
    if (VERSION_HINT.test(hint)) h |= HINT_VERSION;
    // JSON keys are data, not schema: keep the memo bounded.
    if (hints.size >= 4096) hints = new Map();
    hints.set(hint, h);
  }
  return (h & what) !== 0;
}

/* ---------------- payment cards ---------------- */

const CARD_RE = /(?<![\w])(?:\d[ -]?){12,18}\d(?!\w)/g;

/** The digits of a candidate (itself when it has no separator: the common case costs no allocation). */
function digitsOf(raw: string): string {
  let i = 0;
  while (i < raw.length && isDigit(raw.charCodeAt(i))) i++;
  return i === raw.length ? raw : raw.replace(/\D/g, '');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function cardGroupsOk(raw: string, digitCount: number): boolean {
  if (digitCount === raw.length) return true;
  const seps = raw.replace(/\d/g, '');
  if (!/^( +|-+)$/.test(seps)) return false;
  const sizes = raw.split(/[ -]/).map((g) => g.length).join(',');
  // Groups of four, the last one short (a 15-digit Amex or 14-digit Diners written in fours), or Amex/Diners 4-6-5 / 4-6-4.
  return /^(4,4,4,(4(,[1-3])?|[1-3])|4,6,5|4,6,4)$/.test(sizes);
}

export const detectCard: Detector = (text, out, ctx) => {
  if (ctx.digits !== undefined && ctx.digits < 13) return;
  CARD_RE.lastIndex = 0;
  for (let m = CARD_RE.exec(text); m !== null; m = CARD_RE.exec(text)) {
    const raw = m[0];
    const digits = digitsOf(raw);
    if (cardIssuer(digits) && luhn(digits) && cardGroupsOk(raw, digits.length)) push(out, 'CARD', m.index, m.index + raw.length);
  }
};

/* ---------------- US SSN ---------------- */

const SSN_RE = /(?<![\w.+/-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w]|[./-]\w)/g;
const SSN_BARE_RE = /(?<![\w.+/-])(\d{3})(\d{2})(\d{4})(?![\w]|[./-]\w)/g;
export const SSN_CONTEXT = /\b(ssn|social[ _-]?security|ss#)/i;

export const detectSsn: Detector = (text, out, ctx) => {
  if (ctx.digits !== undefined && ctx.digits < 9) return;
  SSN_RE.lastIndex = 0;
  for (let m = SSN_RE.exec(text); m !== null; m = SSN_RE.exec(text)) {
    if (isSsn(m[1], m[3], m[4])) push(out, 'SSN', m.index, m.index + m[0].length);
  }
};

/** Nine bare digits are an SSN only with a label nearby: otherwise every 9-digit id would be masked. */
export const detectBareSsn: Detector = (text, out, ctx) => {
  const hinted = ctx.hint !== undefined && hintIs(ctx.hint, HINT_SSN);
  // A text of digits only holds no label.
  if (!hinted && (ctx.digits === text.length || !SSN_CONTEXT.test(text))) return;
  SSN_BARE_RE.lastIndex = 0;
  for (let m = SSN_BARE_RE.exec(text); m !== null; m = SSN_BARE_RE.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 32), m.index);
    if ((hinted || SSN_CONTEXT.test(before)) && isSsn(m[1], m[2], m[3])) push(out, 'SSN', m.index, m.index + 9);
  }
};

/* ---------------- phone numbers ---------------- */

// International: '+', country code, then digits with single separators; structure checked in code.
// '00' is the ITU international call prefix (0044 20 7946 0958) and reads like '+'.
const INTL_RE = /(?<![\w.+/-])(?:\+|00)[1-9][\d ().-]{6,21}\d(?![\w]|[./-]\w)/g;
// North American: (415) 555-0132, 415-555-0132, 415.555.0132, 1-415-555-0132.
const NANP_RE = /(?<![\w.+/-])(?:1[ .-]?)?(\(\d{3}\) ?|\d{3}[ .-])(\d{3})[ .-](\d{4})(?![\w]|[./-]\w)/g;
// National with trunk 0: 020 7946 0958, 07700 900123, 030 12345678, (030) 1234-5678, 01 23 45 67 89.
const NATL_RE = /(?<![\w.+/-])(?:\(0\d{1,4}\) ?|0\d{1,4}[ -])\d{2,8}(?:[ -]\d{2,8}){0,3}(?![\w]|[./-]\w)/g;
// Bare 10/11-digit numbers are phones only under a phone-ish label: otherwise epochs and ids would match.
const BARE_RE = /(?<![\w.+/-])\d{10,11}(?![\w]|[./-]\w)/g;
export const PHONE_LABEL = /(phone|tel|mobile|cell|fax|whatsapp|sms|msisdn)[^\d\n]{0,12}$/i;
export const PHONE_WORD = /phone|tel|mobile|cell|fax|whatsapp|sms|msisdn/i;
const PHONE_HINT = /phone|mobile|(^|_)(tel|cell|fax|msisdn)($|_)/i;
export const DATE_LIKE = /^(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})/;

/**
 * An international number is well formed: no doubled separator, no `()` or digit directly before
 * `(`, at most one balanced pair of parentheses, 8–15 digits after a `00` prefix. One pass, no
 * allocation: it runs for every candidate and every trimmed retry (it was a fifth of the CPU).
 */
function intlOk(raw: string): boolean {
  const start = raw.charCodeAt(0) === 48 && raw.charCodeAt(1) === 48 ? 2 : 0;
  let digits = 0;
  let open = 0;
  let close = 0;
  let prevSep = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (i >= start) digits++;
      prevSep = false;
    } else if (c === 32 || c === 46 || c === 45) {
      if (prevSep) return false;
      prevSep = true;
    } else {
      if (c === 40) {
        const before = i > 0 ? raw.charCodeAt(i - 1) : 0;
        if ((before >= 48 && before <= 57) || raw.charCodeAt(i + 1) === 41) return false;
        open++;
      } else if (c === 41) close++;
      prevSep = false;
    }
  }
  return open === close && open <= 1 && digits >= 8 && digits <= 15;
}

export function bareOk(d: string): boolean {
  if (d.length === 11) return d[0] === '1' ? /^1[2-9]\d\d[2-9]/.test(d) : d[0] === '0' && d[1] !== '0';
  return /^[2-9]\d\d[2-9]/.test(d) || (d[0] === '0' && d[1] !== '0');
}

export const detectBarePhone: Detector = (text, out, ctx) => {
  const hinted = ctx.hint !== undefined && hintIs(ctx.hint, HINT_PHONE);
  if (!hinted && (ctx.digits === text.length || !PHONE_WORD.test(text))) return;
  BARE_RE.lastIndex = 0;
  for (let m = BARE_RE.exec(text); m !== null; m = BARE_RE.exec(text)) {
    if (bareOk(m[0]) && (hinted || PHONE_LABEL.test(text.slice(Math.max(0, m.index - 24), m.index)))) push(out, 'PHONE', m.index, m.index + m[0].length);
  }
};

export const detectPhone: Detector = (text, out, ctx) => {
  if (ctx.digits !== undefined && ctx.digits < 8) return;
  INTL_RE.lastIndex = 0;
  for (let m = INTL_RE.exec(text); m !== null; m = INTL_RE.exec(text)) {
    // '00…' right after another digit group is the middle of a longer number (an IBAN, an invoice id).
    if (m[0][0] === '0' && /[\dA-Z][ .-]$/.test(text.slice(Math.max(0, m.index - 2), m.index))) continue;
    // The run may have swallowed a trailing number ("+44 20 7946 0958 2024"): back off group by group.
    let raw = m[0];
    while (raw.length > 8 && !intlOk(raw)) {
      const cut = Math.max(raw.lastIndexOf(' '), raw.lastIndexOf('-'), raw.lastIndexOf('.'));
      if (cut <= 1) break;
      raw = raw.slice(0, cut).replace(/[ .(-]+$/, '');
    }
    if (intlOk(raw)) push(out, 'PHONE', m.index, m.index + raw.length);
  }
  NANP_RE.lastIndex = 0;
  for (let m = NANP_RE.exec(text); m !== null; m = NANP_RE.exec(text)) {
    // Area code and exchange start with 2–9 (the regex already made them three digits each).
    const area = m[1].charCodeAt(0) === 40 ? m[1].charCodeAt(1) : m[1].charCodeAt(0);
    if (area >= 50 && area <= 57 && m[2].charCodeAt(0) >= 50) push(out, 'PHONE', m.index, m.index + m[0].length);
  }
  NATL_RE.lastIndex = 0;
  for (let m = NATL_RE.exec(text); m !== null; m = NATL_RE.exec(text)) {
    const raw = m[0];
    let n = 0;
    for (let i = 0; i < raw.length; i++) if (isDigit(raw.charCodeAt(i))) n++;
    // The digit after the trunk 0 ("(0" or "0" first) may not be another 0.
    if (n < 9 || n > 12 || raw[raw[0] === '(' ? 2 : 1] === '0' || DATE_LIKE.test(raw)) continue;
    push(out, 'PHONE', m.index, m.index + raw.length);
  }
};

/* ---------------- IBAN ---------------- */

const IBAN_COMPACT_RE = /(?<![\w])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?!\w)/g;
const IBAN_SPACED_RE = /(?<![\w])[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?(?!\w)/g;

export const detectIban: Detector = (text, out) => {
  IBAN_COMPACT_RE.lastIndex = 0;
  for (let m = IBAN_COMPACT_RE.exec(text); m !== null; m = IBAN_COMPACT_RE.exec(text)) {
    if (ibanValid(m[0])) push(out, 'IBAN', m.index, m.index + m[0].length);
  }
  IBAN_SPACED_RE.lastIndex = 0;
  for (let m = IBAN_SPACED_RE.exec(text); m !== null; m = IBAN_SPACED_RE.exec(text)) {
    if (ibanValid(m[0].replace(/ /g, ''))) push(out, 'IBAN', m.index, m.index + m[0].length);
  }
};

/* ---------------- IP addresses ---------------- */

const IPV4_RE = /(?<![\w.:-])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|[.-]\w|\.\d)/g;
const IPV6_RE = /(?<![\w.])[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}(?![\w:])/g;
// "version 1.2.3.4", "v1.2.3.4" (the latter is already stopped by the lookbehind).
const VERSION_WORDS = 'version|ver|release|build|rev|oid|firmware|fw|kernel|bios|driver|sdk';
export const VERSION_BEFORE = new RegExp(`\\b(${VERSION_WORDS}|v)\\s*[:=]?\\s*$`, 'i');
const VERSION_HINT = new RegExp(`(^|_)(${VERSION_WORDS}|v)($|_)|version`, 'i');
// "Chrome/120.0.0.0": a product token, not a host ("http://10.0.0.1" ends in '//' and still counts).
export const PRODUCT_BEFORE = /[A-Za-z][\w-]*\/$/;

export const detectIpv4: Detector = (text, out, ctx) => {
  // A dotted quad in a column or key named like a version or an OID is one (app_version = 2.5.4.8).
  if (ctx.hint !== undefined && hintIs(ctx.hint, HINT_VERSION)) return;
  IPV4_RE.lastIndex = 0;
  for (let m = IPV4_RE.exec(text); m !== null; m = IPV4_RE.exec(text)) {
    if (!ipv4Valid(m[0])) continue;
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    if (VERSION_BEFORE.test(before) || PRODUCT_BEFORE.test(before)) continue;
    push(out, 'IP', m.index, m.index + m[0].length);
  }
};

export const detectIpv6: Detector = (text, out) => {
  IPV6_RE.lastIndex = 0;
  for (let m = IPV6_RE.exec(text); m !== null; m = IPV6_RE.exec(text)) {
    let raw = m[0];
    while (raw.endsWith('.')) raw = raw.slice(0, -1);
    if (raw.indexOf(':') === raw.lastIndexOf(':')) continue;
    if (ipv6Valid(raw)) push(out, 'IP', m.index, m.index + raw.length);
  }
};
