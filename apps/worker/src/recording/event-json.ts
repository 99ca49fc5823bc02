import type { SessionEvent } from '@airlock/contracts';

// The JSON line of a recorded event. A busy worker records thousands of statement events a
// second; those are written here by hand, in the key order StatementTrail builds them, and every
// other event goes through JSON.stringify. The hand path gives the same text JSON.stringify gives
// for the same object (event-json.spec.ts checks it on generated events), so the spool, the queue
// and the stored audit line do not depend on which path wrote a line.

export type StatementEvent = Extract<SessionEvent, { kind: 'statement' }>;

/**
 * A statement event built by `statementEvent`. Only these take the hand path, whose key order is
 * theirs; a copy (`{ ...event, extra }`) is a plain object again and goes to JSON.stringify.
 */
class BuiltStatement {
  readonly kind = 'statement' as const;
  sessionId = '';
  seq = 0;
  at: string;
  sql: string;
  params: (string | null)[] | undefined;
  fingerprint: string | null;
  statementKind: string | null;
  verdict: StatementEvent['verdict'];
  rule: string | null;
  reviewId: string | null;
  approver: string | null;
  durationMs: number;
  rows: number;
  bytes: number;
  errorCode: string | null;
  /** Entity type → count; a plain object of integers. */
  masked: Record<string, number>;
  sample: { columns: string[]; rows: (string | null)[][] } | null;

  constructor(f: StatementFields) {
    this.at = f.at;
    this.sql = f.sql;
    this.params = f.params;
    this.fingerprint = f.fingerprint;
    this.statementKind = f.statementKind;
    this.verdict = f.verdict;
    this.rule = f.rule;
    this.reviewId = f.reviewId;
    this.approver = f.approver;
    this.durationMs = f.durationMs;
    this.rows = f.rows;
    this.bytes = f.bytes;
    this.errorCode = f.errorCode;
    this.masked = f.masked;
    this.sample = f.sample;
  }
}

/** What StatementTrail knows about a finished statement; sessionId and seq are set by the trail. */
export type StatementFields = Omit<BuiltStatement, 'kind' | 'sessionId' | 'seq'>;

/** A statement event whose JSON the hand writer produces. */
export function statementEvent(f: StatementFields): StatementEvent {
  return new BuiltStatement(f);
}

/** The event as one line of JSON, without the newline. */
export function eventJson(event: SessionEvent): string {
  return event instanceof BuiltStatement ? statementJson(event) : JSON.stringify(event);
}

/** Characters JSON.stringify escapes: quote, backslash, C0 controls and surrogates (it escapes lone ones; pairs go the slow way, same text). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

function nullable(s: string | null): string {
  return s === null ? 'null' : str(s);
}

function num(n: number): string {
  return Number.isFinite(n) ? '' + n : 'null';
}

/**
 * A duration in ms rounded to µs, as JSON.stringify writes it, without the double-to-shortest
 * conversion (a few hundred ns a call): when n is exactly k/1000 for an integer k, its shortest
 * round-trip form is k's decimal with the point three places in and trailing zeros dropped.
 */
export function millis(n: number): string {
  const k = Math.round(n * 1000);
  if (k < 0 || k > 1e15 || k / 1000 !== n) return num(n);
  const whole = Math.floor(k / 1000);
  let frac = k - whole * 1000;
  if (frac === 0) return '' + whole;
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  const f = '' + frac;
  return whole + '.' + (f.length < digits ? '00'.slice(0, digits - f.length) + f : f);
}

function strings(a: readonly (string | null)[]): string {
  let out = '[';
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (i > 0) out += ',';
    out += typeof v === 'string' ? str(v) : 'null';
  }
  return out + ']';
}

function counts(m: Record<string, number>): string {
  let out = '';
  for (const k in m) out += (out === '' ? '{' : ',') + str(k) + ':' + num(m[k]!);
  return out === '' ? '{}' : out + '}';
}

function statementJson(e: BuiltStatement): string {
  let out = '{"kind":"statement","sessionId":' + str(e.sessionId) + ',"seq":' + num(e.seq) + ',"at":' + str(e.at) + ',"sql":' + str(e.sql);
  // JSON.stringify leaves out a property whose value is undefined.
  if (e.params !== undefined) out += ',"params":' + strings(e.params);
  out +=
    ',"fingerprint":' + nullable(e.fingerprint) + ',"statementKind":' + nullable(e.statementKind) + ',"verdict":' + str(e.verdict) + ',"rule":' + nullable(e.rule) +
    ',"reviewId":' + nullable(e.reviewId ?? null) + ',"approver":' + nullable(e.approver ?? null) +
    ',"durationMs":' + millis(e.durationMs) + ',"rows":' + num(e.rows) + ',"bytes":' + num(e.bytes) + ',"errorCode":' + nullable(e.errorCode) + ',"masked":' + counts(e.masked) + ',"sample":';
  const s = e.sample;
  if (s === null || s === undefined) return out + 'null}';
  out += '{"columns":' + strings(s.columns) + ',"rows":[';
  for (let i = 0; i < s.rows.length; i++) out += (i > 0 ? ',' : '') + strings(s.rows[i]!);
  return out + ']}}';
}
