import { performance } from 'node:perf_hooks';
import { columnsBytes, DEFAULT_SAMPLE_BYTES, SampleCollector } from '@airlock/audit';
import { createMasker, defaultPolicy, type Masker } from '@airlock/masking';
import { type Bind, DataRowCells, type ErrorResponse, type FieldDescription } from '@airlock/pg-wire';
import type { GuardrailDecisionRecord } from '../guardrails';
import { maskingSession } from '../masking';
import { ALLOW, type AllowVerdict, type PreparedStatementInfo, type RowPlan, type RowRange, type RowSource, type SessionHooks, type SessionHooksFactory, type SessionInfo } from '../postgres/hooks';
import type { Recorder } from '../postgres/recorder';
import { reviewSession, type ReviewTrailEvent } from '../reviews';
import { statementEvent } from './event-json';
import { isoTime } from './iso-time';
import { SessionTrail } from './session-trail';

// Statement events. One entry per client message that runs SQL (a simple Query, an Execute), kept
// in a FIFO in the order the client sent them; results arrive in the same order, so the head is
// the statement the server is answering. A simple Query with several statements yields one event
// per statement (per CommandComplete). Verdicts come from the guardrails (onDecision, which also
// reports blocked statements: a blocked statement never reaches later hooks), reviews from the
// review engine (onEvent), masked counts from the masking session at CommandComplete. Put the
// hook set after the masking hooks: the relay hands each DataRow hook the frame the previous
// hooks rewrote, so the sample is taken from masked rows.

/** SQLSTATE recorded for a statement still running when its session ended (connection_failure). */
export const ENDED_WHILE_RUNNING = '08006';
/** SQLSTATE recorded for a statement still held for review when its session ended (query_canceled). */
export const ENDED_WHILE_HELD = '57014';
/** A Bind parameter is recorded up to this many characters (then masked). */
const MAX_PARAM_CHARS = 4096;
const BINARY_VALUE = '[binary]';
/** UTF-8 size of BINARY_VALUE, what a binary cell costs the sample budget. */
const BINARY_VALUE_BYTES = 8;
/** The masked counts of a statement nothing was masked in (shared: events are serialised, never edited). */
const NO_MASKED: Record<string, number> = Object.freeze({}) as Record<string, number>;

export interface StatementRecorderOptions {
  /** Byte budget of each statement's masked result sample; 0 = no sample (default DEFAULT_SAMPLE_BYTES). */
  sampleBytes?: number;
}

type Verdict = 'ALLOW' | 'BLOCK' | 'REVIEW';

/** What the guardrails (and reviews) decided for a statement text. */
interface Verdicts {
  verdict: Verdict;
  rule: string | null;
  fingerprint: string | null;
  statementKind: string | null;
  statementKinds: readonly string[];
  reviewId: string | null;
  approver: string | null;
}

const UNCHECKED: Verdicts = { verdict: 'ALLOW', rule: null, fingerprint: null, statementKind: null, statementKinds: [], reviewId: null, approver: null };

interface Entry extends Verdicts {
  sql: string;
  params: (string | null)[] | undefined;
  /** running: sent upstream; held: waiting for review; final: answered by Airlock (blocked, rejected). */
  state: 'running' | 'held' | 'final';
  /** Portal of an Execute (continued by a later Execute of the same portal after PortalSuspended). */
  portal: string | null;
  /** Statements (CommandCompletes) expected: the statements of a simple Query, 1 for an Execute. */
  expected: number;
  done: number;
  /** The current statement's start: wall clock (ms since the epoch) and monotonic. */
  atMs: number;
  t0: number;
  rows: number;
  bytes: number;
  sample: SampleCollector | null;
  /** False once the sample's budget is spent: rows are then only counted. */
  sampling: boolean;
  errorCode: string | null;
}

interface Plan extends RowPlan {
  readonly entry: Entry;
}

interface Prepared extends Verdicts {
  sql: string;
}

const VERDICT: Record<GuardrailDecisionRecord['verdict'], Verdict> = { allow: 'ALLOW', block: 'BLOCK', review: 'REVIEW' };

/** The statement hooks of one session. */
class StatementTrail implements SessionHooks {
  private readonly queue: Entry[] = [];
  /** The guardrail decision for the message being checked, until the message runs (or is held). */
  private decision: GuardrailDecisionRecord | null = null;
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, { statement: string; params: (string | null)[]; fresh: boolean }>();
  /** The last Parse, for an error answering a Parse that no Execute followed. */
  private lastParse: Prepared | null = null;
  private readonly cells = new DataRowCells();
  /**
   * The column names of the last result shape and their UTF-8 size: the relay hands every result
   * of the same shape the same fields array, so a session running one query over and over names
   * its columns once, not per statement. Shared by the samples (never changed).
   */
  private lastFields: readonly FieldDescription[] | null = null;
  private lastColumns: string[] = [];
  private lastColumnBytes = 0;

  constructor(
    private readonly trail: SessionTrail,
    private readonly info: SessionInfo,
    private readonly sampleBytes: number,
  ) {
    trail.onBeforeEnd(() => this.endAll());
  }

  // ---- from the guardrails and the review engine --------------------------------------------

  decided(rec: GuardrailDecisionRecord): void {
    this.settleStaleHold();
    // An allowed message's verdicts are read when it runs (takeDecision), not here.
    if (rec.verdict === 'block') {
      this.push(this.entry(rec.sql, undefined, verdictsOf(rec), 'final', null, 0, '42501'));
      this.flushHead();
    } else if (rec.verdict === 'review') {
      this.push(this.entry(rec.sql, undefined, verdictsOf(rec), 'held', rec.source === 'parse' ? rec.statementName : null, 0, null));
      this.decision = rec;
    } else {
      this.decision = rec;
    }
  }

  reviewed(ev: ReviewTrailEvent): void {
    this.trail.emit({ kind: 'review', at: ev.at.toISOString(), reviewId: ev.reviewId, status: ev.status, approver: ev.approver, reason: ev.reason });
    const held = this.heldTail();
    if (!held) return;
    held.reviewId = ev.reviewId;
    if (ev.approver) held.approver = ev.approver;
    if (ev.status === 'APPROVED' || ev.status === 'REQUESTED') return;
    // Rejected, expired or withdrawn: Airlock answers the client with an error; nothing ran.
    held.state = 'final';
    held.errorCode = ev.status === 'REJECTED' ? '42501' : '57014';
    this.flushHead();
  }

  // ---- client messages (called only when every earlier hook allowed) ------------------------

  onQuery(sql: string): AllowVerdict {
    const held = this.heldTail();
    if (held) {
      this.running(held);
    } else if (sql.trim() !== '') {
      const v = this.takeDecision('query', sql);
      this.push(this.entry(sql, undefined, v, 'running', null, Math.max(1, v.statementKinds.length), null));
    }
    return ALLOW;
  }

  onParse(name: string, sql: string): AllowVerdict {
    const held = this.heldTail();
    let v: Verdicts;
    if (held) {
      this.queue.pop();
      const last = reviewSession(this.info)?.lastReview;
      v = { verdict: held.verdict, rule: held.rule, fingerprint: held.fingerprint, statementKind: held.statementKind, statementKinds: held.statementKinds, reviewId: held.reviewId ?? last?.id ?? null, approver: held.approver ?? last?.approver ?? null };
      this.decision = null;
    } else {
      v = this.takeDecision('parse', sql);
    }
    const p: Prepared = { ...v, sql };
    this.statements.set(name, p);
    this.lastParse = p;
    return ALLOW;
  }

  onBind(bind: Bind, statement: PreparedStatementInfo | undefined): AllowVerdict {
    const name = bind.statement;
    if (!this.statements.has(name) && statement) this.statements.set(name, { ...UNCHECKED, sql: statement.sql });
    this.portals.set(bind.portal, { statement: name, params: maskParams(bind), fresh: true });
    return ALLOW;
  }

  onExecute(portal: string): void {
    const p = this.portals.get(portal);
    const tail = this.queue[this.queue.length - 1];
    // An Execute of a portal that was suspended (row limit) continues the same statement.
    if (p && !p.fresh && tail?.portal === portal && tail.state === 'running' && tail.done === 0) return;
    if (p) p.fresh = false;
    const st = p ? this.statements.get(p.statement) : undefined;
    this.lastParse = null;
    this.push(this.entry(st?.sql ?? '', p?.params, st ?? UNCHECKED, 'running', portal, 1, null));
  }

  // ---- server messages -----------------------------------------------------------------------

  onRowDescription(fields: readonly FieldDescription[], _source: RowSource): RowPlan | null {
    const entry = this.queue[0];
    if (!entry || entry.state !== 'running') return null;
    if (this.sampleBytes > 0) {
      if (fields !== this.lastFields) {
        this.lastFields = fields;
        this.lastColumns = fields.map((f) => f.name);
        this.lastColumnBytes = columnsBytes(this.lastColumns);
      }
      entry.sample = new SampleCollector(this.lastColumns, this.sampleBytes, this.lastColumnBytes);
      entry.sampling = true;
    }
    const plan: Plan = { fields, entry };
    return plan;
  }

  onDataRow(frame: Buffer, plan: RowPlan): null {
    this.countRow(frame, 0, frame.length, plan);
    return null;
  }

  onDataRowRange(row: RowRange, plan: RowPlan): void {
    this.countRow(row.buf, row.start, row.end, plan);
  }

  /** Counts the DataRow frame buf[from, to) and samples it while the statement's budget lasts. */
  private countRow(buf: Buffer, from: number, to: number, plan: RowPlan): void {
    const { entry, fields } = plan as Plan;
    entry.rows++;
    entry.bytes += to - from;
    if (!entry.sampling) return;
    // A text cell's wire length is its UTF-8 size: the budget is checked before anything is decoded.
    const cells = this.cells.scan(buf, from, to);
    const n = cells.count;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const len = cells.lengths[i];
      size += len < 0 ? 4 : fields[i]?.format === 1 ? BINARY_VALUE_BYTES : len;
    }
    const sample = entry.sample!;
    if (!sample.fits(size)) {
      entry.sampling = false;
      return;
    }
    const values = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const len = cells.lengths[i];
      values[i] = len < 0 ? null : fields[i]?.format === 1 ? BINARY_VALUE : buf.toString('utf8', cells.offsets[i], cells.offsets[i] + len);
    }
    sample.take(values);
  }

  onCommandComplete(tag: string): void {
    const entry = this.queue[0];
    if (!entry || entry.state !== 'running') return;
    if (entry.rows === 0) entry.rows = taggedRows(tag);
    this.complete(entry, null);
  }

  onError(error: ErrorResponse): void {
    const entry = this.queue[0];
    if (entry && entry.state === 'running') {
      // The rest of a simple Query (or of an extended batch) does not run.
      entry.expected = entry.done + 1;
      this.complete(entry, error.code ?? 'XX000');
      return;
    }
    const parsed = this.lastParse;
    if (parsed) {
      // A Parse (or Bind) that failed with no Execute behind it.
      this.lastParse = null;
      this.emit(this.entry(parsed.sql, undefined, parsed, 'final', null, 0, error.code ?? 'XX000'));
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private entry(sql: string, params: (string | null)[] | undefined, v: Verdicts, state: Entry['state'], portal: string | null, expected: number, errorCode: string | null): Entry {
    return {
      sql, params, state, portal, expected, done: 0, atMs: Date.now(), t0: performance.now(), rows: 0, bytes: 0, sample: null, sampling: false, errorCode,
      verdict: v.verdict, rule: v.rule, fingerprint: v.fingerprint, statementKind: v.statementKind, statementKinds: v.statementKinds, reviewId: v.reviewId, approver: v.approver,
    };
  }

  private push(e: Entry): void {
    this.queue.push(e);
  }

  /** The decision the guardrails just made for this text, or "unchecked" without guardrails. */
  private takeDecision(source: GuardrailDecisionRecord['source'], sql: string): Verdicts {
    const d = this.decision;
    this.decision = null;
    return d !== null && d.source === source && d.sql === sql ? verdictsOf(d) : UNCHECKED;
  }

  private heldTail(): Entry | undefined {
    const tail = this.queue[this.queue.length - 1];
    return tail?.state === 'held' ? tail : undefined;
  }

  /** A held statement was let through (approved, or a scoped approval). */
  private running(e: Entry): void {
    const last = reviewSession(this.info)?.lastReview;
    e.reviewId ??= last?.id ?? null;
    e.approver ??= last?.approver ?? null;
    e.state = 'running';
    e.expected = Math.max(1, e.statementKinds.length);
    e.atMs = Date.now();
    e.t0 = performance.now();
    this.decision = null;
  }

  /**
   * A new decision while the last one is still held means the hold ended without the review
   * engine (e.g. a worker without review hooks refused it at once).
   */
  private settleStaleHold(): void {
    const held = this.heldTail();
    if (!held) return;
    held.state = 'final';
    held.errorCode ??= '42501';
    this.flushHead();
  }

  /** One statement of the head entry is done. */
  private complete(entry: Entry, errorCode: string | null): void {
    entry.errorCode = errorCode;
    this.emit(entry);
    entry.done++;
    if (entry.done >= entry.expected) {
      this.queue.shift();
      this.flushHead();
      return;
    }
    entry.rows = 0;
    entry.bytes = 0;
    entry.sample = null;
    entry.sampling = false;
    entry.atMs = Date.now();
    entry.t0 = performance.now();
  }

  /** Statements Airlock answered itself are recorded when they reach the head (in order). */
  private flushHead(): void {
    while (this.queue.length > 0 && this.queue[0].state === 'final') this.emit(this.queue.shift()!);
  }

  private emit(e: Entry): void {
    const running = e.state === 'running';
    const masked = running ? maskingSession(this.info)?.lastStatement?.counts : undefined;
    const event = statementEvent({
      at: isoTime(e.atMs),
      sql: e.sql,
      params: e.params,
      fingerprint: e.fingerprint,
      statementKind: e.statementKinds[e.done] ?? e.statementKind,
      verdict: e.verdict,
      rule: e.rule,
      reviewId: e.reviewId,
      approver: e.approver,
      durationMs: running ? Math.round((performance.now() - e.t0) * 1000) / 1000 : 0,
      rows: e.rows,
      bytes: e.bytes,
      errorCode: e.errorCode,
      masked: (masked as Record<string, number> | undefined) ?? NO_MASKED,
      sample: e.sample?.result() ?? null,
    });
    this.trail.record(event);
  }

  /** The session ends: whatever is still queued is recorded, in order. */
  private endAll(): void {
    for (const e of this.queue.splice(0)) {
      if (e.state === 'running') {
        if (e.done > 0) continue;
        e.errorCode = ENDED_WHILE_RUNNING;
      } else if (e.state === 'held') {
        e.errorCode ??= ENDED_WHILE_HELD;
      }
      this.emit(e);
    }
  }
}

function verdictsOf(rec: GuardrailDecisionRecord): Verdicts {
  return {
    verdict: VERDICT[rec.verdict],
    rule: rec.rule,
    fingerprint: rec.fingerprint,
    statementKind: rec.statementKind,
    statementKinds: rec.statementKinds,
    reviewId: null,
    approver: null,
  };
}

/**
 * The free-text masker of recorded parameters: maskText()'s default policy, one instance kept
 * here so a parameter costs no fresh counts object (maskText takes and drops them on every call).
 */
let paramMasker: Masker | undefined;

/** Bind parameters as recorded: text values masked (free-text detectors), binary ones elided. */
function maskParams(bind: Bind): (string | null)[] {
  const masker = (paramMasker ??= createMasker(defaultPolicy()));
  const formats = bind.paramFormats;
  return bind.params.map((p, i) => {
    if (p === null) return null;
    const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : (formats[i] ?? 0);
    if (format === 1) return BINARY_VALUE;
    const end = Math.min(p.length, MAX_PARAM_CHARS * 4);
    let text = p.toString('utf8', 0, end).slice(0, MAX_PARAM_CHARS);
    // Postgres' jsonb cannot hold U+0000: a NUL in a parameter would make the event unstorable
    // and park the session's later events behind it. Recorded as U+FFFD instead.
    if (text.includes('\0')) text = text.replaceAll('\0', '\uFFFD');
    // Most parameters (ids, numbers, short words) hold nothing to mask: the prefilter says so from
    // the bytes, without encoding the text again for maskText.
    return masker.mayMask(p, 0, end) ? masker.maskText(text).text : text;
  });
}

/** Rows affected by a command without a result set: "INSERT 0 5", "UPDATE 3", "COPY 10"… */
function taggedRows(tag: string): number {
  const i = tag.lastIndexOf(' ');
  if (i < 0) return 0;
  const n = Number(tag.slice(i + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** The statement recording of one recorder: the hook set, and the callbacks the guardrails and the review engine call. */
export interface StatementRecording {
  /** The per-session hook set; place it after the masking hooks. */
  hooks: SessionHooksFactory;
  /** Pass as the guardrails' `onDecision`. */
  onDecision(info: SessionInfo, record: GuardrailDecisionRecord): void;
  /** Pass as the review engine's `onEvent`. */
  onReviewEvent(info: SessionInfo, event: ReviewTrailEvent): void;
}

/** Statement (and review) events on each session's trail of `recorder`. */
export function statementRecording(recorder: Recorder, opts: StatementRecorderOptions = {}): StatementRecording {
  const sessions = new WeakMap<SessionInfo, StatementTrail>();
  const sampleBytes = opts.sampleBytes ?? DEFAULT_SAMPLE_BYTES;
  return {
    hooks: (info) => {
      const s = new StatementTrail(SessionTrail.of(recorder, info), info, sampleBytes);
      sessions.set(info, s);
      return s;
    },
    onDecision: (info, record) => sessions.get(info)?.decided(record),
    onReviewEvent: (info, event) => sessions.get(info)?.reviewed(event),
  };
}
