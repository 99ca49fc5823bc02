/**
 * Mask styles.
 * - redact: `[EMAIL]`, `[CARD]`…; whole-cell FULL rules and fail-closed cells give `[MASKED]`.
 * - partial: keeps the last 4 letters/digits, replaces every other letter/digit by `*`
 *   and keeps separators (spaces, dashes, dots, '@', parentheses) so the shape stays
 *   recognisable: `**** **** **** 4242`, `***-**-6789`. Values with fewer than 8
 *   letters/digits are starred entirely (4 of 6 would reveal most of it). Multi-line
 *   secrets (PEM) and values over 256 characters collapse to `[ENTITY]` instead.
 * - hash: `tok_` + first 16 hex of HMAC-SHA256(hashKey, normalized value). Values are
 *   normalized per entity first (email lower-cased, card/SSN/phone digits only, IBAN
 *   without spaces, upper-cased) so `4242 4242…` and `4242-4242…` join equally.
 * - null: the cell becomes SQL NULL (inside JSON: the leaf becomes JSON null; in free
 *   text, where there is no NULL, it falls back to redact).
 */
import { createHmac } from 'node:crypto';
import { type CountKey, type EntityType, type MaskStyle } from './types';

const LABELS = new Map<CountKey, string>();

/** `[EMAIL]`, `[MASKED]`: one string per entity, not one per masked value. */
export function label(entity: CountKey): string {
  let l = LABELS.get(entity);
  if (l === undefined) {
    l = entity === 'FULL' || entity === 'ERROR' ? '[MASKED]' : `[${entity}]`;
    LABELS.set(entity, l);
  }
  return l;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

export function partial(value: string, entity: CountKey): string {
  if (value.length > 256 || value.includes('\n')) return label(entity);
  let alnum = 0;
  for (let i = 0; i < value.length; i++) if (isAlnum(value.charCodeAt(i))) alnum++;
  let keep = alnum >= 8 ? 4 : 0;
  const out = new Array<string>(value.length);
  for (let i = value.length - 1; i >= 0; i--) {
    const ch = value[i];
    if (!isAlnum(value.charCodeAt(i))) out[i] = ch;
    else if (keep > 0) {
      out[i] = ch;
      keep--;
    } else out[i] = '*';
  }
  return out.join('');
}

export function normalize(value: string, entity: CountKey): string {
  switch (entity) {
    case 'EMAIL':
      return value.toLowerCase();
    case 'CARD':
    case 'SSN':
      return value.replace(/\D/g, '');
    case 'PHONE':
      return (value.trimStart().startsWith('+') ? '+' : '') + value.replace(/\D/g, '');
    case 'IBAN':
      return value.replace(/\s/g, '').toUpperCase();
    default:
      return value;
  }
}

/** HMAC tokens, cached: the same customer email shows up in many rows of one result. */
export class Hasher {
  private readonly key: Buffer;
  private cache = new Map<string, string>();

  constructor(key: Buffer | string) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (this.key.length === 0) throw new Error('masking: hashKey must not be empty');
  }

  token(value: string, entity: CountKey): string {
    const norm = normalize(value, entity);
    let t = this.cache.get(norm);
    if (t === undefined) {
      t = 'tok_' + createHmac('sha256', this.key).update(norm, 'utf8').digest('hex').slice(0, 16);
      if (this.cache.size >= 4096) this.cache = new Map();
      this.cache.set(norm, t);
    }
    return t;
  }
}

/** Replacement text for a value; `null` style is handled by the caller (it changes the cell, not the text). */
export function render(value: string, entity: EntityType | 'FULL' | 'ERROR', style: MaskStyle, hasher: Hasher): string {
  switch (style) {
    case 'partial':
      return partial(value, entity);
    case 'hash':
      return hasher.token(value, entity);
    default:
      return label(entity);
  }
}
