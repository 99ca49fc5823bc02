/** Checksums and range checks that keep look-alikes (order numbers, versions, OIDs) unmasked. */

export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** Issuer prefix ranges with the lengths each network issues. */
export function cardIssuer(d: string): string | null {
  if (d.length < 4) return null;
  return issuerOf(d.length, d.charCodeAt(0) - 48, d.charCodeAt(1) - 48, d.charCodeAt(2) - 48, d.charCodeAt(3) - 48);
}

/** cardIssuer of a number of `len` digits whose first four digits are d0…d3 (values 0–9). */
export function issuerOf(len: number, d0: number, d1: number, d2: number, d3: number): string | null {
  const p2 = d0 * 10 + d1;
  const p3 = p2 * 10 + d2;
  const p4 = p3 * 10 + d3;
  if (d0 === 4 && (len === 13 || len === 16 || len === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && len === 15) return 'amex';
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) && len >= 16 && len <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && len >= 16 && len <= 19) return 'jcb';
  if ((p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) && len >= 14 && len <= 19) return 'diners';
  if (p2 === 62 && len >= 16 && len <= 19) return 'unionpay';
  return null;
}

export function isCard(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && cardIssuer(digits) !== null && luhn(digits);
}

/** SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function isSsn(area: string, group: string, serial: string): boolean {
  return ssnValid(Number(area), Number(group), Number(serial));
}

/** isSsn on the three parts as numbers. */
export function ssnValid(area: number, group: number, serial: number): boolean {
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

/** IBAN lengths by country (ISO 13616 registry). */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22,
  GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31,
  MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24,
  SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTH[country];
}

/** ISO 7064 mod 97-10 over the rearranged IBAN, computed in chunks to stay in safe integers. */
export function ibanValid(compact: string): boolean {
  const want = IBAN_LENGTH[compact.slice(0, 2)];
  if (want === undefined || compact.length !== want) return false;
  const moved = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

export function ipv4Valid(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || (p.length > 1 && p[0] === '0')) return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text forms, including `::` compression and an embedded IPv4 tail. */
export function ipv6Valid(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string): string[] | null => {
    if (h === '') return [];
    const g = h.split(':');
    for (let i = 0; i < g.length; i++) {
      if (i === g.length - 1 && g[i].includes('.')) {
        if (!ipv4Valid(g[i])) return null;
      } else if (!HEX_GROUP.test(g[i])) return null;
    }
    return g;
  };
  const a = groups(halves[0]);
  const b = halves.length === 2 ? groups(halves[1]) : [];
  if (!a || !b) return false;
  const all = [...a, ...b];
  const width = all.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  if (halves.length === 1) return width === 8;
  // With '::' we need something on at least one side that looks deliberate: '::1', 'fe80::1', '2001:db8::'.
  return width <= 7 && (all.length >= 2 || s === '::1' || (all.length === 1 && all[0].length >= 3));
}

/** base64url → JSON object with an `alg`, as every JWS/JWE header must have (RFC 7515 §4.1.1). */
export function jwtHeaderValid(part: string): boolean {
  try {
    const json = Buffer.from(part, 'base64url').toString('utf8');
    const header = JSON.parse(json) as unknown;
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** ASCII digits in `text`. */
export function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}
