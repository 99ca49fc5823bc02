import type { Masker, ResultPlan } from '@airlock/masking';

// COPY … TO STDOUT ("53.2.6 COPY Operations"): no RowDescription, one CopyData per row (what
// Postgres sends; a row split across messages is handled by masking each piece on its own, which
// can only over-mask). Text and CSV rows are split into fields, each field masked like a cell of
// a text column, and re-joined; the protocol does not say which of the two it is, the statement does.

export interface CopyFormat {
  csv: boolean;
  delimiter: number;
  quote: number;
  escape: number;
  /** The NULL marker as the row spells it. */
  null: string;
  /** Column names when the statement names them (`COPY t (a, b)`), for rules and detector context. */
  columns: string[] | null;
  /** `schema.table` when the statement copies a table. */
  table: { schema?: string; table: string } | null;
}

const ch = (s: string | undefined, dflt: string) => (s && s.length === 1 ? s : dflt).charCodeAt(0);

/** Reads the options of a COPY … TO STDOUT statement; what it cannot read keeps Postgres's defaults. */
export function copyFormat(sql: string | null): CopyFormat {
  const text = sql ?? '';
  const lower = text.toLowerCase();
  const at = lower.lastIndexOf('stdout');
  const opts = at >= 0 ? text.slice(at + 6) : '';
  const opt = (name: string) => new RegExp(`\\b${name}\\s+(?:as\\s+)?E?'((?:[^']|'')*)'`, 'i').exec(opts)?.[1]?.replace(/''/g, "'");
  const csv = /\bcsv\b/i.test(opts);
  const quote = ch(opt('quote'), '"');
  const target = /^\s*copy\s+((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)\s*(?:\(([^)]*)\))?\s+to\s+stdout/i.exec(text);
  let columns: string[] | null = null;
  let table: CopyFormat['table'] = null;
  if (target) {
    const parts = target[1].split('.').map(ident);
    table = parts.length === 2 ? { schema: parts[0], table: parts[1] } : { table: parts[0] };
    if (target[2]) columns = target[2].split(',').map(ident);
  }
  return {
    csv,
    delimiter: ch(opt('delimiter'), csv ? ',' : '\t'),
    quote,
    escape: ch(opt('escape'), String.fromCharCode(quote)),
    null: opt('null') ?? (csv ? '' : '\\N'),
    columns,
    table,
  };
}

function ident(s: string): string {
  const t = s.trim();
  return t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t.toLowerCase();
}

const NL = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

/**
 * Masks one row; returns the new row, or null when nothing changed. `planFor(n)` gives the plan for
 * an n-field row (the field count is only known from the data when the statement named no columns).
 */
export function maskCopyRow(row: Buffer, fmt: CopyFormat, masker: Masker, planFor: (fields: number) => ResultPlan): Buffer | null {
  let end = row.length;
  if (end > 0 && row[end - 1] === NL) end--;
  if (end > 0 && row[end - 1] === CR) end--;
  const fields = fmt.csv ? splitCsv(row, end, fmt) : splitText(row, end, fmt.delimiter);
  const plan = planFor(fields.length);
  if (!plan.active) return null;
  let out: (string | null)[] | null = null;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.raw === fmt.null && !f.quoted) continue;
    const value = fmt.csv ? Buffer.from(f.value, 'utf8') : row.subarray(f.start, f.end);
    const r = masker.maskCell(plan, i, value);
    if (!r.changed) continue;
    out ??= fields.map((x) => x.raw);
    if (r.value === null) out[i] = fmt.null;
    else out[i] = encode(typeof r.value === 'string' ? r.value : r.value.toString('utf8'), fmt, f.quoted);
  }
  if (out === null) return null;
  const joined = out.join(String.fromCharCode(fmt.delimiter)) + row.subarray(end).toString('latin1');
  return Buffer.from(joined, 'utf8');
}

interface Field {
  /** The field as it appears in the row. */
  raw: string;
  /** CSV: the unquoted value; text: same as raw (escapes are left as they are: masking replaces whole tokens). */
  value: string;
  quoted: boolean;
  /** Byte range in the row (text format only; CSV values are re-encoded). */
  start: number;
  end: number;
}

function splitText(row: Buffer, end: number, delim: number): Field[] {
  const out: Field[] = [];
  let start = 0;
  for (let i = 0; i <= end; i++) {
    if (i === end || row[i] === delim) {
      const raw = row.toString('utf8', start, i);
      out.push({ raw, value: raw, quoted: false, start, end: i });
      start = i + 1;
    } else if (row[i] === BACKSLASH) i++;
  }
  return out;
}

function splitCsv(row: Buffer, end: number, fmt: CopyFormat): Field[] {
  const out: Field[] = [];
  const s = row.toString('utf8', 0, end);
  const d = String.fromCharCode(fmt.delimiter);
  const q = String.fromCharCode(fmt.quote);
  const e = String.fromCharCode(fmt.escape);
  let i = 0;
  for (;;) {
    const start = i;
    if (s[i] === q) {
      let value = '';
      i++;
      while (i < s.length) {
        if (s[i] === e && s[i + 1] === q) {
          value += q;
          i += 2;
        } else if (s[i] === q) {
          i++;
          break;
        } else value += s[i++];
      }
      out.push({ raw: s.slice(start, i), value, quoted: true, start: -1, end: -1 });
    } else {
      while (i < s.length && s[i] !== d) i++;
      const raw = s.slice(start, i);
      out.push({ raw, value: raw, quoted: false, start: -1, end: -1 });
    }
    if (i >= s.length) break;
    i++; // the delimiter
  }
  return out;
}

function encode(v: string, fmt: CopyFormat, quoted: boolean): string {
  const d = String.fromCharCode(fmt.delimiter);
  if (fmt.csv) {
    const q = String.fromCharCode(fmt.quote);
    const e = String.fromCharCode(fmt.escape);
    if (!quoted && !v.includes(d) && !v.includes(q) && !/[\r\n]/.test(v) && v !== fmt.null) return v;
    return q + v.split(q).join(e + q) + q;
  }
  let t = v.replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  if (d !== '\t') t = t.split(d).join('\\' + d);
  return t;
}
