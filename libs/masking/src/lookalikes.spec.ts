import { describe, expect, it } from 'vitest';
import { Fake } from './corpus/fakes';
import { maskText } from './index';

const f = new Fake(42);
const gen = (n: number, g: () => string): string[] => Array.from({ length: n }, g);

/** Every look-alike the issue lists, plus the usual suspects: none may be touched. */
const LOOKALIKES: Record<string, string[]> = {
  'order numbers failing Luhn': gen(30, () => f.orderNumber()),
  UUIDs: [...gen(20, () => f.uuid()), '00000000-0000-0000-0000-000000000000'],
  'hex hashes (sha1, sha256, md5)': [...gen(10, () => f.hex(40)), ...gen(10, () => f.hex(64)), ...gen(10, () => f.hex(32))],
  timestamps: gen(20, () => f.timestamp()),
  'epochs (10/13 digits)': [...gen(20, () => f.epoch()), '1700000000', '1700000000000'],
  'truncated cards': ['**** **** **** 4242', '4242', 'XXXX-XXXX-XXXX-1111', 'ending in 0004', '•••• 4242'],
  'version strings and OIDs': ['10.0.0.1-beta', 'v1.2.3.4', '1.3.6.1.4.1', '1.3.6.1.4.1.311.21.20', 'version 2.0.0.1', 'Chrome/120.0.0.0', ...gen(10, () => f.version())],
  'invalid SSNs': ['000-12-3456', '666-12-3456', '900-12-3456', '999-99-9999', '123-00-4567', '123-45-0000'],
  'public keys and certificates': ['-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
  'email-ish': ['user@localhost', 'icon@2x.png', '@mention', 'a@b', 'git@host'],
  'numbers and dates': ['$1,234.56', '12/31/2024', '2024-12-31', '94103-1234', '10:30:45', 'ISBN 978-3-16-148410-0', 'MAC 00:1a:2b:3c:4d:5e'],
  'unlabelled 40-char base64 and 9 bare digits': ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'id 123456789'],
  'invalid IBAN and JWT-ish': ['DE00370400440532013000', 'eyJub3QiOiJqc29uIn0.eyJ4IjoxfQ.c2ln'],
};

describe('look-alikes stay unmasked', () => {
  for (const [name, values] of Object.entries(LOOKALIKES)) {
    it(name, () => {
      for (const v of values) {
        const res = maskText(v);
        expect(res.spans, v).toEqual([]);
        expect(res.text).toBe(v);
      }
    });
  }
});
