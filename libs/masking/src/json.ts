/**
 * Masks inside a JSON document without re-serializing it: a token walk rewrites
 * only the string and number tokens that hold something, so clean parts keep
 * their exact bytes (re-stringifying a parsed document would round numbers past
 * 2^53, reorder nothing but still change `1.0` to `1` and drop duplicate keys).
 *
 * - String values and keys are scanned; the enclosing key is the detector's hint
 *   (`{"ssn": "123456789"}`, `{"aws_secret_access_key": "…"}`).
 * - Integer number tokens of 13–19 digits are checked for cards only (Luhn +
 *   issuer) and become a JSON string when masked; other numbers are never touched
 *   (phone numbers and SSNs stored as JSON numbers are indistinguishable from ids).
 * - A masked value whose style is `null` becomes JSON null; a key cannot be null,
 *   so keys use the label. Two keys masked to the same text get `~2`, `~3` suffixes
 *   so no member is lost.
 */
import { prefilter } from './prefilter';
import { type EntityType, type Span } from './types';
import { isCard } from './validators';

export interface JsonHooks {
  /** Spans in a decoded string; `hint` is the key the value sits under. */
  find(text: string, flags: number, hint: string | undefined): Span[];
  /** Replacement text for a span, or null for JSON null. */
  render(value: string, entity: EntityType, isKey: boolean): string | null;
}

export interface JsonResult {
  text: string;
  spans: Span[];
}

/** Returns undefined when the text is not valid JSON (the caller falls back to text masking). */
export function maskJson(text: string, hooks: JsonHooks): JsonResult | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  const spans: Span[] = [];
  const stack: Array<{ object: boolean; expectKey: boolean; keys: Set<string> | null; key?: string }> = [];
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      const isKey = top !== undefined && top.object && top.expectKey;
      const raw = text.slice(i, end);
      const decoded = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      let out: string | null | undefined;
      const flags = prefilter(decoded);
      const found = flags ? hooks.find(decoded, flags, isKey ? undefined : top?.key) : [];
      if (found.length) {
        out = rewrite(decoded, found, hooks, isKey);
        const map = raw.includes('\\') ? offsetMap(raw) : null;
        for (const s of found) spans.push({ entity: s.entity, start: i + (map ? map[s.start] : s.start + 1), end: i + (map ? map[s.end] : s.end + 1) });
      }
      if (isKey) {
        let key = out ?? decoded;
        if (top.keys || out !== undefined) {
          top.keys ??= new Set();
          for (let k = 2; top.keys.has(key); k++) key = `${out ?? decoded}~${k}`;
          top.keys.add(key);
          if (key !== decoded) out = key;
        }
        top.key = decoded;
      }
      if (out !== undefined) {
        parts.push(text.slice(copied, i), out === null ? 'null' : JSON.stringify(out));
        copied = end;
      }
      i = end;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < n && /[0-9.eE+-]/.test(text[end])) end++;
      const num = text.slice(i, end);
      if (num.length >= 13 && num.length <= 19 && /^\d+$/.test(num) && isCard(num)) {
        const r = hooks.render(num, 'CARD', false);
        parts.push(text.slice(copied, i), r === null ? 'null' : JSON.stringify(r));
        copied = end;
        spans.push({ entity: 'CARD', start: i, end });
      }
      i = end;
    } else {
      // A container inherits the key it sits under: {"phones": ["4155550132"]} keeps "phones" as context.
      if (c === 0x7b || c === 0x5b) stack.push({ object: c === 0x7b, expectKey: true, keys: null, key: stack[stack.length - 1]?.key });
      else if (c === 0x7d || c === 0x5d) stack.pop();
      else if (c === 0x3a) stack[stack.length - 1].expectKey = false;
      else if (c === 0x2c && stack.length) stack[stack.length - 1].expectKey = true;
      i++;
    }
  }
  if (copied === 0) return { text, spans };
  parts.push(text.slice(copied));
  return { text: parts.join(''), spans };
}

function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    let bs = 0;
    for (let k = q - 1; text.charCodeAt(k) === 0x5c; k--) bs++;
    if (bs % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Decoded index → raw index (relative to the opening quote) for a string token with escapes. */
function offsetMap(raw: string): number[] {
  const map: number[] = [];
  let r = 1;
  while (r < raw.length - 1) {
    map.push(r);
    r += raw[r] !== '\\' ? 1 : raw[r + 1] === 'u' ? 6 : 2;
  }
  map.push(r);
  return map;
}

function rewrite(decoded: string, spans: Span[], hooks: JsonHooks, isKey: boolean): string | null {
  let out = '';
  let last = 0;
  for (const s of spans) {
    const r = hooks.render(decoded.slice(s.start, s.end), s.entity, isKey);
    if (r === null) return null;
    out += decoded.slice(last, s.start) + r;
    last = s.end;
  }
  return out + decoded.slice(last);
}
