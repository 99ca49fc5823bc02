import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../corpus';
import { Fake } from '../corpus/fakes';
import { Detection } from '../detect';
import { prefilter } from '../prefilter';
import { DETECTABLE_ENTITIES, ENTITY_TYPES, type EntityType } from '../types';
import { Scanner } from './scanner';

// The byte scanner against the regex detectors it replaces on the hot path: for every cell it
// scans, the resolved spans must be Detection.find's, exactly (entity, start, end, order), with
// the prefilter's flags as the engine passes them. Cells it hands back (the engine then runs the
// detectors) are counted: non-ASCII, PEM and IPv6-shaped cells, and numbers with separators whose
// prefilter flag it cannot vouch for (generated here on purpose: 00 prefixes, ISO-date-like groups).

const strip = (s: string): string => s.replace(/«[A-Z_]+\|([\s\S]*?)»/g, '$1');

interface Cell {
  text: string;
  hint?: string;
}

function reference(det: Detection, c: Cell): string[] {
  const flags = prefilter(c.text) & det.relevantFlags;
  if (flags === 0) return [];
  return det.find(c.text, flags, { hint: c.hint }).map((s) => `${s.entity}:${s.start}:${s.end}`);
}

function scanned(sc: Scanner, c: Cell): string[] | null {
  const b = Buffer.from(`@1 ${c.text} 4111111111111111@`);
  // Inside a larger buffer, with bytes on both sides that would change the answer if read.
  const n = sc.scan(b, 3, b.length - 18, c.hint);
  if (n < 0) return null;
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(`${ENTITY_TYPES[sc.spans.entity[k]]}:${sc.spans.start[k]}:${sc.spans.end[k]}`);
  return out;
}

/** Compares every cell; returns how many were scanned, handed back, and had spans. */
function compare(cells: readonly Cell[], entities: readonly EntityType[] = DETECTABLE_ENTITIES): { scanned: number; handedBack: number; withSpans: number } {
  const det = new Detection(entities);
  const sc = new Scanner(det.enabled);
  const tally = { scanned: 0, handedBack: 0, withSpans: 0 };
  const diffs: string[] = [];
  for (const c of cells) {
    const got = scanned(sc, c);
    if (got === null) {
      tally.handedBack++;
      continue;
    }
    tally.scanned++;
    const want = reference(det, c);
    if (want.length) tally.withSpans++;
    if (got.join() !== want.join()) diffs.push(`${JSON.stringify(c.text)} (hint ${c.hint}): scanner ${got.join(' ')} | detectors ${want.join(' ')}`);
  }
  expect(diffs.slice(0, 20)).toEqual([]);
  return tally;
}

/** Cells built from PII, near-misses and noise, joined by punctuation that sits at token boundaries. */
function generated(seed: number, count: number): Cell[] {
  const f = new Fake(seed);
  const pii = [
    () => f.emailRaw(), () => strip(f.phone()), () => f.phoneRaw(), () => f.ssnRaw(), () => f.ssnRaw(' '), () => f.cardRaw(), () => f.cardDigits(),
    () => f.ibanRaw(), () => strip(f.ip()), () => f.awsKey(), () => f.awsSecretRaw(), () => strip(f.github()), () => strip(f.gitlab()), () => strip(f.slack()), () => f.jwtRaw(),
    () => `+1 (415) 555-${f.digits(4)}`, () => `user${f.int(1, 1e6)}@example.com`, () => '4111111111111111', () => `0${f.int(1, 9999)} ${f.digits(f.int(2, 9))}`,
  ];
  const near = [
    () => f.orderNumber(), () => f.uuid(), () => f.hex(f.pick([32, 40, 64])), () => f.timestamp(), () => f.epoch(), () => f.version(), () => f.truncatedCard(),
    () => f.digits(16), () => f.digits(f.int(7, 20)), () => '10.0.0.1-beta', () => `${f.int(0, 999)}.${f.int(0, 999)}.${f.int(0, 999)}.${f.int(0, 999)}`,
    () => `v${f.int(1, 9)}.${f.int(0, 9)}.${f.int(0, 9)}`, () => `${f.first().toLowerCase()}@${f.pick(['localhost', '2x.png', 'db-1', 'x.c0m', 'a-.com', 'b.co-'])}`,
    () => `${f.digits(3)}-${f.digits(2)}-${f.digits(4)}`, () => `${f.digits(3)} ${f.digits(3)} ${f.digits(4)}`, () => `(${f.digits(3)}) ${f.digits(3)}-${f.digits(4)}`,
    () => `00${f.digits(2)}-${f.digits(2)}-${f.digits(4)} ${f.digits(4)}`, () => `${f.pick(['DE', 'GB', 'FR', 'XX'])}${f.digits(2)} ${f.chars(4, 'ABC0123456789')} ${f.digits(4)} ${f.digits(4)} ${f.digits(f.int(1, 4))}`,
    () => `ghp_${f.chars(f.int(30, 40), 'abcXYZ0123456789_')}`, () => `xoxb-${f.chars(f.int(8, 14), 'ab1-')}`, () => `AKIA${f.chars(f.int(15, 17), 'ABCDEFGHIJ0123456789')}`,
    () => `eyJ${f.chars(f.int(1, 12), 'abcXYZ09_-')}.${f.chars(f.int(1, 6), 'abc')}`, () => f.chars(f.int(38, 42), 'abcXYZ0123456789+/'),
    () => `phone ${f.digits(f.int(9, 12))}`, () => `ssn: ${f.digits(9)}`, () => `version ${f.int(1, 9)}.${f.int(0, 9)}.${f.int(0, 9)}.${f.int(0, 9)}`, () => `Chrome/${f.int(1, 130)}.0.0.0`,
  ];
  const noise = [
    () => f.name(), () => f.street(), () => f.city(), () => 'lorem ipsum', () => f.chars(f.int(1, 12), '0123456789 -.()+/'), () => f.chars(f.int(1, 16), '0123456789 -.()+/@abcAZ_:#,;=eyJgxh'),
    () => f.chars(f.int(1, 8), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), () => '', () => 'aws secret access key', () => 'phone', () => 'SSN',
  ];
  const joins = [' ', ', ', '; ', '\n', '(', ')', '<', '>', '"', "'", '/', '-', '.', ':', '=', '+', '_', '@', '', '#', '|', '[', ']'];
  const cells: Cell[] = [];
  for (let i = 0; i < count; i++) {
    const parts = f.int(1, 5);
    let text = f.pick(joins);
    for (let p = 0; p < parts; p++) {
      const r = f.rand();
      text += (r < 0.4 ? f.pick(pii) : r < 0.75 ? f.pick(near) : f.pick(noise))() + f.pick(joins);
    }
    const hint = f.pick([undefined, undefined, 'notes', 'phone_number', 'ssn', 'app_version', 'aws_secret_access_key', 'email']);
    cells.push({ text, hint });
  }
  return cells;
}

describe('byte scanner vs the regex detectors', () => {
  it('finds exactly their spans on the labelled corpus', () => {
    const t = compare(buildCorpus().map((c) => ({ text: c.text, hint: c.column })));
    expect(t.scanned).toBeGreaterThan(340);
    expect(t.withSpans).toBeGreaterThan(200);
  });

  it('finds exactly their spans on 60,000 generated cells of PII, near-misses and noise', () => {
    const t = compare(generated(1, 60_000));
    expect(t.withSpans).toBeGreaterThan(20_000);
    expect(t.scanned).toBeGreaterThan(50_000);
  });

  it('finds exactly their spans with only some detectors on', () => {
    const cells = generated(2, 10_000);
    for (const on of [['EMAIL'], ['CARD', 'PHONE'], ['SSN', 'IP', 'IBAN'], ['GITHUB_TOKEN', 'AWS_ACCESS_KEY', 'JWT', 'EMAIL'], ['AWS_SECRET_KEY', 'SLACK_TOKEN']] as EntityType[][]) compare(cells, on);
  });

  it('finds exactly their spans on random bytes over the detectors own alphabet', () => {
    const f = new Fake(3);
    const cells: Cell[] = [];
    for (let i = 0; i < 60_000; i++) cells.push({ text: f.chars(f.int(1, 40), '0000111223456789 -.()+/@aeghxAKSIB_=,'), hint: f.pick([undefined, 'phone', 'ssn']) });
    expect(compare(cells).scanned).toBeGreaterThan(50_000);
  });

  it('finds exactly their spans on 40,000 random digit groups and separators (phone, card, SSN, IP and date shapes)', () => {
    const f = new Fake(4);
    const cells: Cell[] = [];
    for (let i = 0; i < 40_000; i++) {
      let text = f.pick(['', '', '+', '00', '(0', '1 ', 'tel ', 'ssn ', 'x', '.', '-', '/', 'v']);
      for (let g = f.int(1, 6); g > 0; g--) text += f.digits(f.int(1, 6)) + (g > 1 ? f.pick([' ', '-', '.', ') ', '/', '', '  ', ' (']) : '');
      cells.push({ text: text + f.pick(['', '', ' ', '.', '-', 'x', '.5', ' 2024']), hint: f.pick([undefined, undefined, 'phone', 'ssn', 'version']) });
    }
    const t = compare(cells);
    expect(t.scanned).toBeGreaterThan(30_000);
    expect(t.withSpans).toBeGreaterThan(1_500);
  });

  it('finds exactly their spans where the walk skips matchers: digits after [\\w.+/-], 0/00/1 starts, 3-digit groups, cells of 12–14 and 38–42 bytes', () => {
    const f = new Fake(5);
    const cells: Cell[] = [];
    const b64 = 'abcxyzABCXYZ0123456789+/';
    for (let i = 0; i < 30_000; i++) {
      const r = f.rand();
      let text: string;
      if (r < 0.5) {
        // A phone, SSN or card shape behind every kind of lookbehind character.
        text = f.pick(['', ' ', 'a', '_', '.', '+', '/', '-', '(', ':', '=', '1', 'x ']);
        text += f.pick(['+', '00', '0', '1', '1 ', '(', '(0', '']);
        for (let g = f.int(1, 5); g > 0; g--) text += f.digits(f.pick([1, 2, 3, 3, 3, 4, 4, 9, 10, 13, 16])) + (g > 1 ? f.pick([' ', '-', '.', ') ', '-', ' ', '']) : '');
      } else if (r < 0.8) {
        // A base64 run of 38–42 in a cell of about 40 bytes, or prose words of that length.
        const run = f.chars(f.int(36, 42), b64);
        text = f.pick(['', ' ', 'k=', 'aws secret ', 'x']) + (f.rand() < 0.5 ? run : f.chars(f.int(30, 44), 'abcdefgh ')) + f.pick(['', '', '=', ' ', '/']);
      } else {
        // Dashes near a PEM header, and the card matcher's 13-byte floor.
        text = f.pick(['-', '--', '----', '-----', '-----BEGI', '-----BEGIN ', '0-0', '555-0001']) + f.pick(['', ' ', '-']) + f.digits(f.int(8, 14)) + f.pick(['', '-', ' ']) + f.digits(f.int(0, 4));
      }
      cells.push({ text, hint: f.pick([undefined, undefined, 'phone', 'ssn', 'aws_secret_access_key']) });
    }
    const t = compare(cells);
    expect(t.scanned).toBeGreaterThan(20_000);
    expect(t.withSpans).toBeGreaterThan(1_000);
  });

  it('finds exactly their spans on international numbers holding NANP, SSN, card, IPv4 and national shapes (where no matcher is tried), and what follows them', () => {
    const f = new Fake(8);
    const cells: Cell[] = [];
    const b64 = 'abcxyzABCXYZ0123456789+/';
    const group = (): string =>
      f.pick(['(415)', '(415) ', '(0', '(', ')', '415', '555', '0123', f.digits(f.int(1, 5)), '1', `${f.int(100, 899)}-${f.int(10, 99)}-${f.int(1000, 9999)}`, `${f.digits(9)}`,
        '4111111111111', '4111 1111 1111 1', '192.168.10.200', `(0${f.digits(f.int(1, 3))}) ${f.digits(f.int(2, 6))}`, `0${f.digits(f.int(1, 4))}-${f.digits(f.int(2, 8))}`, f.digits(f.int(10, 11))]);
    const sep = (): string => f.pick([' ', ' ', '-', '.', '', '  ', ' (', ') ', '/']);
    for (let i = 0; i < 30_000; i++) {
      let text = f.pick(['', '', ' ', 'x ', '(', "'", '%', 'a.', '4111 1111 1111 ', '5555555555554444 ', 'tel: ', '_', '00']);
      text += f.pick(['+', '+', '+', '00', '+0']) + f.pick(['1', '44', '1 ', '49 ', '7', '0']) + f.pick([' ', '', '-', '.', ' (']);
      if (f.rand() < 0.5) {
        // A NANP number, then maybe groups the INTL match takes and the NANP one does not. Before it,
        // groups that bring the INTL match's 23-character cap inside the NANP match, a ')' it may
        // close on there ("+1234)56 1 (415" and its NANP match "1 (415) 555-0123").
        text += f.pick(['', '', `${f.digits(f.int(1, 5))})${f.digits(f.int(1, 3))} ${f.pick(['1 ', '', '1-'])}`, `${f.digits(f.int(1, 8))} ${f.pick(['1 ', ''])}`]);
        text += `${f.pick(['(', ''])}${f.int(100, 999)}${f.pick([') ', ')', ' ', '-', '.'])}${f.int(100, 999)}${f.pick(['-', ' ', '.'])}${f.digits(4)}`;
        for (let g = f.pick([0, 0, 1, 2]); g > 0; g--) text += sep() + f.digits(f.int(1, 4));
      } else {
        for (let g = f.int(1, 6); g > 0; g--) text += group() + (g > 1 ? sep() : '');
      }
      // A separator, a base64 run (an AWS secret key when it is 40 long), an email's '@', a trailing number…
      const k = f.int(1, 3);
      text += f.pick(['', '', ' ', '+', '/', '+' + f.chars(f.int(30, 40), b64), '/' + f.chars(f.int(30, 40), b64), ` ${f.digits(k)}+${f.chars(39 - k, b64)}`, `+${f.chars(39, b64)}`,
        `${f.digits(k)}/${f.chars(39 - k, b64)}`, '@example.com', '.com', ' 2024', '-12', '.5', 'x', ')', '(', ' (415) 555-0123', '1234', '=', ':', '_']);
      cells.push({ text, hint: f.pick([undefined, 'phone', 'aws_secret_access_key', 'notes', 'ssn']) });
    }
    const t = compare(cells);
    expect(t.scanned).toBeGreaterThan(15_000);
    expect(t.withSpans).toBeGreaterThan(5_000);
  });

  it('finds exactly their spans on NANP numbers (where no matcher is tried) and what is around them: cards and secrets that go on, INTL prefixes', () => {
    const f = new Fake(9);
    const cells: Cell[] = [];
    const b64 = 'abcxyzABCXYZ0123456789+/';
    for (let i = 0; i < 20_000; i++) {
      // A card's first group as the line number ("(415) 555-4111 1111 1111 1111"), or any four digits.
      const line = f.pick(['4111', '5555', '3782', f.digits(4)]);
      let text = f.pick(['', '', ' ', 'tel ', '1 ', '1-', '1.', '1', '+1 ', '+44 12 34 ', '+44 20 ', '0044 ', '4111 1111 1111 1', '4111 1111 1111 ', '12 ', 'x', '(', '.']);
      const area = f.pick(['415', '212', '020', '911', f.digits(3)]);
      text += f.rand() < 0.5 ? `(${area})${f.pick([' ', '', '  ', '-'])}` : `${area}${f.pick(['-', ' ', '.', '', '--'])}`;
      text += `${f.pick(['555', '411', '055', f.digits(3)])}${f.pick(['-', ' ', '.', ''])}${line}`;
      const k = f.int(1, 3);
      text += f.pick(['', '', ',', ';', ' ', '.', '-12', ' 1111 1111 1111', ' 1111 1111 111', '1111 1111 1111', ` ${f.digits(4)} ${f.digits(4)} ${f.digits(4)}`, ' 4567',
        '@example.com', `+${f.chars(39, b64)}`, `/${f.chars(39 - k, b64)}`, ` ${f.digits(k)}+${f.chars(39 - k, b64)}`, ')', ' (415) 555-0123', ':', '_', 'x']);
      cells.push({ text, hint: f.pick([undefined, 'phone', 'aws_secret_access_key', 'card']) });
    }
    const t = compare(cells);
    expect(t.scanned).toBeGreaterThan(15_000);
    expect(t.withSpans).toBeGreaterThan(6_000);
  });

  it('finds exactly their spans on Slack webhooks glued to words, repeated and cut short', () => {
    const f = new Fake(6);
    const cells: Cell[] = [];
    const hook = (): string =>
      `${f.pick(['https', 'http', 'htps', 'httpss', 'HTTPS'])}://hooks.slack.com/${f.pick(['services', 'workflows', 'triggers', 'other'])}/${f.chars(f.int(6, 30), 'abcXYZ019_/-')}`;
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let p = f.int(1, 3); p > 0; p--) text += f.pick(['', '', ' ', 'x', 'h', 'hh', 'shttp', 'abc', '1', '_', '/', ':']) + (f.rand() < 0.8 ? hook() : f.pick(['http', 'https', 'http:', 'https:/']));
      cells.push({ text });
    }
    const t = compare(cells);
    expect(t.scanned).toBeGreaterThan(19_000);
    expect(t.withSpans).toBeGreaterThan(6_000);
  });

  it('finds exactly their spans on emails with every kind of domain (empty and dashed labels, trailing dots and dashes, TLD lengths)', () => {
    const f = new Fake(7);
    const cells: Cell[] = [];
    const label = (): string => f.pick(['', '-', 'a', 'ab', 'a-b', '-a', 'a-', 'x1', '9', 'example', 'EXAMPLE', 'c0m', f.chars(f.int(1, 30), 'abcz-.'), f.chars(f.int(20, 28), 'abcxyz')]);
    for (let i = 0; i < 30_000; i++) {
      let domain = label();
      for (let n = f.int(0, 4); n > 0; n--) domain += f.pick(['.', '.', '..', '-', '.-']) + label();
      domain += f.pick(['', '', '.', '-', '.-', '..', '-.', '.png', '.jpeg', '.com', '.co']);
      const local = f.pick(['', '.', 'u', 'user1', "o'neil", 'a.b', '.a', f.chars(f.int(1, 70), "ab._%+'-")]);
      cells.push({ text: `${f.pick(['', ' ', 'x@', '<', ':'])}${local}@${domain}${f.pick(['', ' ', '>', '@b.co', '_', ','])}` });
    }
    const t = compare(cells);
    expect(t.scanned).toBeGreaterThan(29_000);
    expect(t.withSpans).toBeGreaterThan(5_000);
  });

  it('hands back non-ASCII, PEM and IPv6-shaped cells', () => {
    const sc = new Scanner(new Set(DETECTABLE_ENTITIES));
    for (const text of ['müller@example.de', 'fe80::1', 'x -----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----']) {
      const b = Buffer.from(text);
      expect(sc.scan(b, 0, b.length, undefined), text).toBe(-1);
    }
  });
});
