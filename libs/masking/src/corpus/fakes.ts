/**
 * Deterministic fake data for the corpus. Generators of entities return the
 * value wrapped in a marker `«ENTITY|value»` so the expected span is exact;
 * look-alike generators return plain text.
 */
import { type EntityType } from '../types';

export const mark = (entity: EntityType, value: string): string => `«${entity}|${value}»`;

export class Fake {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  rand(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }

  first(): string {
    return this.pick(FIRST);
  }
  last(): string {
    return this.pick(LAST);
  }
  name(): string {
    return `${this.first()} ${this.last()}`;
  }
  street(): string {
    return `${this.int(1, 9999)} ${this.pick(STREETS)}`;
  }
  city(): string {
    return this.pick(CITIES);
  }

  emailRaw(): string {
    const f = this.first().toLowerCase();
    const l = this.last().toLowerCase().replace(/'/g, '');
    const local = this.pick([`${f}.${l}`, `${f}${this.int(1, 99)}`, `${f[0]}${l}`, `${f}_${l}`, `${f}+billing`, `${l}.${f}`]);
    return `${local}@${this.pick(DOMAINS)}`;
  }
  email(): string {
    return mark('EMAIL', this.emailRaw());
  }

  phoneRaw(): string {
    const a = `${this.int(2, 9)}${this.digits(2)}`;
    const x = `${this.int(2, 9)}${this.digits(2)}`;
    const l = this.digits(4);
    return this.pick([
      `(${a}) ${x}-${l}`,
      `${a}-${x}-${l}`,
      `${a}.${x}.${l}`,
      `+1 ${a} ${x} ${l}`,
      `+1-${a}-${x}-${l}`,
      `1-${a}-${x}-${l}`,
      `+1${a}${x}${l}`,
      `+44 20 ${this.int(7, 8)}${this.digits(3)} ${this.digits(4)}`,
      `020 ${this.int(7, 8)}${this.digits(3)} ${this.digits(4)}`,
      `+44 7700 ${this.digits(6)}`,
      `07700 ${this.digits(6)}`,
      `+49 30 ${this.int(1, 9)}${this.digits(7)}`,
      `030 ${this.int(1, 9)}${this.digits(7)}`,
      `+49 151 ${this.int(1, 9)}${this.digits(7)}`,
      `0151 ${this.int(1, 9)}${this.digits(7)}`,
      `+33 1 ${this.digits(2)} ${this.digits(2)} ${this.digits(2)} ${this.digits(2)}`,
      `0${this.int(1, 7)} ${this.digits(2)} ${this.digits(2)} ${this.digits(2)} ${this.digits(2)}`,
      `+33 6 ${this.digits(2)} ${this.digits(2)} ${this.digits(2)} ${this.digits(2)}`,
      `+31 20 ${this.int(1, 9)}${this.digits(6)}`,
      `+61 2 ${this.int(1, 9)}${this.digits(3)} ${this.digits(4)}`,
    ]);
  }
  phone(): string {
    return mark('PHONE', this.phoneRaw());
  }

  ssnRaw(sep = '-'): string {
    let area = this.int(1, 899);
    if (area === 666) area = 667;
    return `${String(area).padStart(3, '0')}${sep}${String(this.int(1, 99)).padStart(2, '0')}${sep}${String(this.int(1, 9999)).padStart(4, '0')}`;
  }
  ssn(): string {
    return mark('SSN', this.ssnRaw(this.rand() < 0.85 ? '-' : ' '));
  }

  cardDigits(): string {
    const [prefix, len] = this.pick(ISSUERS);
    const body = prefix + this.digits(len - prefix.length - 1);
    return body + luhnDigit(body);
  }
  cardRaw(): string {
    const d = this.cardDigits();
    const style = this.int(0, 2);
    if (style === 0) return d;
    const sep = style === 1 ? ' ' : '-';
    if (d.length === 15) return [d.slice(0, 4), d.slice(4, 10), d.slice(10)].join(sep);
    if (d.length === 16) return d.match(/.{4}/g)!.join(sep);
    return d;
  }
  card(): string {
    return mark('CARD', this.cardRaw());
  }

  ibanRaw(): string {
    const [cc, bban] = this.pick(IBAN_FORMATS);
    const b = bban.replace(/9/g, () => String(this.int(0, 9))).replace(/A/g, () => this.chars(1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'));
    const iban = cc + ibanCheck(cc, b) + b;
    return this.rand() < 0.5 ? iban : iban.match(/.{1,4}/g)!.join(' ');
  }
  iban(): string {
    return mark('IBAN', this.ibanRaw());
  }

  ipv4Raw(): string {
    return this.pick([`10.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`, `192.168.${this.int(0, 255)}.${this.int(1, 254)}`, `${this.int(11, 223)}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`, `172.${this.int(16, 31)}.${this.int(0, 255)}.${this.int(1, 254)}`]);
  }
  ipv6Raw(): string {
    const h = (): string => this.int(0, 0xffff).toString(16);
    return this.pick([
      `2001:db8:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}`,
      `2001:db8::${h()}:${h()}`,
      `fe80::${h()}:${h()}:${h()}:${h()}`,
      `2a00:1450:4001:${h()}::${h()}`,
      `::ffff:192.0.2.${this.int(1, 254)}`,
    ]);
  }
  ip(): string {
    return mark('IP', this.rand() < 0.7 ? this.ipv4Raw() : this.ipv6Raw());
  }

  awsKey(): string {
    return mark('AWS_ACCESS_KEY', this.pick(['AKIA', 'ASIA']) + this.chars(16, UPPER_NUM));
  }
  awsSecretRaw(): string {
    return this.chars(40, B64);
  }
  github(): string {
    return mark('GITHUB_TOKEN', this.rand() < 0.7 ? `${this.pick(['ghp', 'gho', 'ghu', 'ghs', 'ghr'])}_${this.chars(36, ALNUM)}` : `github_pat_${this.chars(22, ALNUM)}_${this.chars(59, ALNUM)}`);
  }
  gitlab(): string {
    return mark('GITLAB_TOKEN', `glpat-${this.chars(20, ALNUM + '_-')}`);
  }
  slack(): string {
    return mark(
      'SLACK_TOKEN',
      this.pick([
        `xoxb-${this.digits(12)}-${this.digits(13)}-${this.chars(24, ALNUM)}`,
        `xoxp-${this.digits(12)}-${this.digits(12)}-${this.digits(13)}-${this.chars(32, 'abcdef0123456789')}`,
        `xapp-1-A${this.chars(10, UPPER_NUM)}-${this.digits(13)}-${this.chars(64, 'abcdef0123456789')}`,
        `https://hooks.slack.com/services/T${this.chars(8, UPPER_NUM)}/B${this.chars(8, UPPER_NUM)}/${this.chars(24, ALNUM)}`,
      ]),
    );
  }
  jwtRaw(): string {
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = enc(this.pick([{ alg: 'HS256', typ: 'JWT' }, { alg: 'RS256', kid: this.chars(8, ALNUM) }, { typ: 'JWT', alg: 'ES256' }]));
    const payload = enc({ sub: this.emailRaw(), iat: 1700000000 + this.int(0, 1e7), scope: 'read write' });
    return `${header}.${payload}.${this.chars(43, ALNUM + '-_')}`;
  }
  jwt(): string {
    return mark('JWT', this.jwtRaw());
  }
  pem(): string {
    const label = this.pick(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
    const lines = Array.from({ length: this.int(3, 8) }, () => this.chars(64, B64)).join('\n');
    return mark('PRIVATE_KEY', `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----`);
  }

  /* ---- look-alikes (plain text: must stay unmasked) ---- */
  orderNumber(): string {
    for (;;) {
      const d = this.pick(['4', '5', '3', '6', '1', '9']) + this.digits(15);
      if (luhnDigit(d.slice(0, 15)) !== d[15]) return d;
    }
  }
  uuid(): string {
    const h = (n: number): string => this.chars(n, '0123456789abcdef');
    return `${h(8)}-${h(4)}-4${h(3)}-${this.pick(['8', '9', 'a', 'b'])}${h(3)}-${h(12)}`;
  }
  hex(n: number): string {
    return this.chars(n, '0123456789abcdef');
  }
  timestamp(): string {
    const d = `2024-${String(this.int(1, 12)).padStart(2, '0')}-${String(this.int(1, 28)).padStart(2, '0')}`;
    const t = `${String(this.int(0, 23)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}`;
    return this.pick([`${d}T${t}Z`, `${d} ${t}.${this.digits(6)}+00`, `${d} ${t}`, `${d}T${t}+02:00`]);
  }
  epoch(): string {
    return this.rand() < 0.5 ? String(this.int(1500000000, 1800000000)) : String(this.int(1500000000, 1800000000)) + this.digits(3);
  }
  truncatedCard(): string {
    const l4 = this.digits(4);
    return this.pick([`**** **** **** ${l4}`, `XXXX-XXXX-XXXX-${l4}`, `ending in ${l4}`, `•••• ${l4}`, `card ${l4}`]);
  }
  version(): string {
    return this.pick([`v${this.int(1, 9)}.${this.int(0, 20)}.${this.int(0, 30)}.${this.int(0, 99)}`, `${this.int(1, 20)}.${this.int(0, 9)}.${this.int(0, 9)}.${this.int(1, 9)}-beta`, `version ${this.int(1, 9)}.${this.int(0, 9)}.${this.int(0, 9)}.${this.int(0, 999)}`, `1.3.6.1.4.1.${this.int(100, 60000)}`, `OID 2.5.4.${this.int(1, 40)}`]);
  }
}

export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function ibanCheck(cc: string, bban: string): string {
  const s = (bban + cc + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of s) rem = (rem * 10 + Number(ch)) % 97;
  return String(98 - rem).padStart(2, '0');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = ALNUM + '+/';
const ISSUERS: ReadonlyArray<[string, number]> = [
  ['4', 16], ['4', 16], ['4', 13], ['51', 16], ['55', 16], ['2221', 16], ['2720', 16], ['34', 15], ['37', 15], ['6011', 16],
  ['65', 16], ['644', 16], ['649', 19], ['3528', 16], ['3589', 16], ['36', 14], ['38', 16], ['300', 14], ['305', 14], ['62', 16], ['62', 19],
];
const IBAN_FORMATS: ReadonlyArray<[string, string]> = [
  ['DE', '999999999999999999'], ['GB', 'AAAA99999999999999'], ['FR', '9999999999AAAAAAAAAAA99'], ['NL', 'AAAA9999999999'],
  ['ES', '99999999999999999999'], ['IT', 'A9999999999AAAAAAAAAAAA'], ['BE', '999999999999'], ['CH', '99999AAAAAAAAAAAA'],
  ['AT', '9999999999999999'], ['PL', '999999999999999999999999'], ['SE', '99999999999999999999'], ['NO', '99999999999'],
  ['IE', 'AAAA99999999999999'], ['PT', '999999999999999999999'], ['DK', '99999999999999'], ['FI', '99999999999999'],
];
const FIRST = ['Jane', 'Omar', 'Li', 'Sofia', 'Mateo', 'Priya', 'Kwame', 'Anna', 'Lukas', 'Chloé', 'Hiroshi', 'Fatima', 'Noah', 'Ingrid', 'Diego', 'Aisha', 'Tom', 'Mei', 'Olga', 'Ravi'];
const LAST = ['Doe', 'Haddad', 'Wei', 'Rossi', 'García', 'Patel', 'Mensah', 'Nowak', 'Müller', 'Dubois', 'Tanaka', 'Khan', 'Smith', 'Larsen', 'Silva', 'Okafor', "O'Brien", 'Chen', 'Ivanova', 'Iyer'];
const DOMAINS = ['example.com', 'mail.example.org', 'corp.example.co.uk', 'example.de', 'shop.example.fr', 'example.io', 'students.example.edu', 'example.net'];
const STREETS = ['Market Street', 'Baker Street', 'Hauptstraße', 'Rue de Rivoli', 'Elm Avenue', 'Calle Mayor', 'Queen’s Road', 'Oak Lane'];
const CITIES = ['San Francisco, CA 94103', 'London NW1 6XE', '10115 Berlin', '75001 Paris', 'Austin, TX 78701', 'Madrid 28013', 'Toronto, ON M5V 2T6'];
