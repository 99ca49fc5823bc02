/**
 * A literal-stripping key for the classification cache, so `SELECT … WHERE aid = 42` and
 * `… = 97` share one parse. It is deliberately conservative: whenever the text holds anything
 * whose lexing it does not fully own (comments, dollar quotes, backslashes, E''/U&''/B''/X''
 * strings, parameters), it returns null and the caller classifies from scratch.
 *
 * Every character outside a replaced literal is kept verbatim, whitespace included, and string
 * and number literals get different placeholders, so two texts with one key lex to the same token
 * stream up to literal values — which the parser never looks at. Classifications that did depend
 * on a literal (set_config('role', …)) are marked `literalSensitive` and never stored under a key.
 */
const STRING = '\u0001s';
const NUMBER = '\u0001n';

export function shapeKey(sql: string): string | null {
  if (sql.length > 4096) return null;
  let out = '';
  let last = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 0x27 /* ' */) {
      if (isIdentChar(sql.charCodeAt(i - 1))) return null; // E'…', U&'…', B'…', X'…', N'…'
      const end = stringEnd(sql, i);
      if (end < 0) return null;
      out += sql.slice(last, i) + STRING;
      i = last = end;
    } else if (c === 0x22 /* " */) {
      const end = quotedIdentEnd(sql, i);
      if (end < 0) return null;
      i = end;
    } else if (isDigit(c) && !isIdentChar(sql.charCodeAt(i - 1)) && sql.charCodeAt(i - 1) !== 0x2e) {
      const end = numberEnd(sql, i);
      if (end < 0) return null;
      out += sql.slice(last, i) + NUMBER;
      i = last = end;
    } else if (c === 0x24 /* $ */ || c === 0x5c /* \ */ || c === 0x01) {
      return null;
    } else if ((c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) || (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a)) {
      return null; // comments may hide quotes
    } else if (isIdentChar(c)) {
      while (i < n && isIdentChar(sql.charCodeAt(i))) i++; // skip identifiers whole: digits in t1 stay
    } else {
      i++;
    }
  }
  return out + sql.slice(last);
}

function stringEnd(sql: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = sql.indexOf("'", i);
    if (q < 0) return -1;
    if (sql.charCodeAt(q + 1) === 0x27) {
      i = q + 2;
      continue;
    }
    // Backslashes inside would mean something under standard_conforming_strings=off.
    if (sql.slice(start, q).includes('\\')) return -1;
    return q + 1;
  }
}

function quotedIdentEnd(sql: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = sql.indexOf('"', i);
    if (q < 0) return -1;
    if (sql.charCodeAt(q + 1) === 0x22) {
      i = q + 2;
      continue;
    }
    return q + 1;
  }
}

/** Plain decimal literals only; anything else (0x1F, 1_000, 1e, 12abc) gives up. */
function numberEnd(sql: string, start: number): number {
  const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(sql.slice(start, start + 64));
  if (!m) return -1;
  const end = start + m[0].length;
  const next = sql.charCodeAt(end);
  if (isIdentChar(next) || next === 0x2e || next === 0x24) return -1;
  return end;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c > 0x7f;
}
