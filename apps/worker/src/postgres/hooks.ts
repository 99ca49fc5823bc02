import type { SnapshotConnection } from '@airlock/contracts';
import type { Subject } from '@airlock/identity';
import type { Bind, ErrorResponse, FieldDescription } from '@airlock/pg-wire';

// The per-session extension points of the Postgres proxy. Guardrails, masking, human review and
// recording plug in here. The relay checks once, when a session starts, which callbacks exist:
// a session whose hooks define none of the per-message callbacks relays frames without parsing,
// allocating or awaiting anything for them.

/** Who is connected to what; fixed for the life of a session. */
export interface SessionInfo {
  sessionId: string;
  workerId: string;
  subject: Subject;
  connection: SnapshotConnection;
  profile: string;
  /** The Postgres user the client claimed (informational: the token decides). */
  clientUser: string;
  applicationName: string | null;
  clientAddress: string | null;
  tls: boolean;
  startedAt: Date;
  /** When the grant or the token expires; the session is closed then. */
  expiresAt: Date | undefined;
}

/** Counters the relay keeps for every session (plain integer increments on the hot path). */
export interface SessionStats {
  /** Bytes received from the client. */
  bytesIn: number;
  /** Bytes sent to the client. */
  bytesOut: number;
  /** Simple Query messages plus extended-protocol Execute messages. */
  statements: number;
}

export type AllowVerdict = { action: 'allow' };
export type BlockVerdict = {
  action: 'block';
  /** Shown to the client; prefixed with "airlock: " when it is not already. */
  message: string;
  /** SQLSTATE; 42501 (insufficient_privilege) by default. */
  code?: string;
  detail?: string;
  hint?: string;
};
export type HoldVerdict = {
  action: 'hold';
  /** Sent to the client as a NoticeResponse while it waits (e.g. "waiting for approval…"). */
  notice?: string;
  /** Settles with the final decision; a rejection counts as a block. */
  decision: Promise<AllowVerdict | BlockVerdict>;
};
/**
 * What to do with one statement. `block` answers a native ErrorResponse in the statement's place,
 * with Postgres's own error semantics (the rest of an extended-protocol batch is skipped until
 * Sync; an open transaction becomes aborted). `hold` stops reading from the client, forwards
 * nothing, keeps the connection open and resumes with the decision. Returning a Promise is the
 * same as `hold` without a notice.
 */
export type StatementVerdict = AllowVerdict | BlockVerdict | HoldVerdict;
export type MaybeAsyncVerdict = StatementVerdict | Promise<StatementVerdict>;

export const ALLOW: AllowVerdict = Object.freeze({ action: 'allow' }) as AllowVerdict;

/** What a RowDescription describes, so a hook can tell statements apart. */
export interface RowSource {
  kind: 'query' | 'statement' | 'portal';
  /** Prepared statement or portal name ('' = unnamed); '' for simple queries. */
  name: string;
  /** The SQL text when known. */
  sql: string | null;
}

/**
 * A hook's compiled decision for one result shape, made once per RowDescription and handed
 * back with every DataRow of that result. Opaque to the relay.
 */
export interface RowPlan {
  readonly fields: readonly FieldDescription[];
}

/**
 * A DataRow frame as a range of the buffer it sits in (the relay's read chunk, or a hook's
 * replacement): buf[start, end), header included. The relay fills one per row and reuses it.
 */
export interface RowRange {
  buf: Buffer;
  start: number;
  end: number;
}

/** A hook's decision for one COPY TO STDOUT, handed back with each of its CopyData frames. Opaque to the relay. */
export interface CopyOutPlan {
  readonly binary: boolean;
}

/** A prepared statement as the relay tracks it. */
export interface PreparedStatementInfo {
  name: string;
  sql: string;
  paramTypes: readonly number[];
}

/**
 * One hook set per session (a factory makes it when the session starts, after authorization).
 * Every callback is optional; define only what you need: each defined per-message callback puts
 * that message type on the inspected (slower) path.
 */
export interface SessionHooks {
  /** After authorization and upstream login, before the client sees ReadyForQuery. */
  onStart?(info: SessionInfo): void | Promise<void>;
  /** A simple-protocol Query ('Q'); may hold several statements. */
  onQuery?(sql: string): MaybeAsyncVerdict;
  /** An extended-protocol Parse ('P'). */
  onParse?(name: string, sql: string, paramTypes: readonly number[]): MaybeAsyncVerdict;
  /** An extended-protocol Bind ('B'); `statement` is undefined when it was prepared before tracking. */
  onBind?(bind: Bind, statement: PreparedStatementInfo | undefined): MaybeAsyncVerdict;
  /** A FunctionCall ('F'): calls a function by OID, outside SQL (answered like a simple Query). */
  onFunctionCall?(functionOid: number): MaybeAsyncVerdict;
  /** An extended-protocol Execute ('E'), after its Bind was allowed. */
  onExecute?(portal: string, maxRows: number): void;
  /**
   * A result's columns. Return a plan to see its DataRows in onDataRow, or null to let them pass
   * untouched. With a plan, `fields[i].format` is the real format of column i (binary or text).
   */
  onRowDescription?(fields: readonly FieldDescription[], source: RowSource): RowPlan | null;
  /**
   * One DataRow frame of a planned result; return a replacement frame, or null to keep it. The
   * frame is a view of a read buffer that is reused: keep no reference to it past the call.
   */
  onDataRow?(frame: Buffer, plan: RowPlan): Buffer | null;
  /**
   * onDataRow without a view of the frame (the relay prefers it when defined): the row is
   * `row.buf[row.start, row.end)`; a hook that replaces it points `row` at the replacement, which
   * must stay unchanged until the relay has sent it (the next read from upstream).
   */
  onDataRowRange?(row: RowRange, plan: RowPlan): void;
  /**
   * The columns the client is told about, for every RowDescription it receives (results and
   * Describe answers; needs onRowDescription). Return replacement fields (e.g. a column retyped to
   * text because its values are replaced by text), or null to keep the frame.
   */
  rewriteRowDescription?(fields: readonly FieldDescription[], source: RowSource): FieldDescription[] | null;
  /** A NoticeResponse or ErrorResponse frame from upstream; return a replacement frame, or null to keep it. */
  rewriteNotice?(frame: Buffer): Buffer | null;
  /** A CopyOutResponse ('H'); return a plan to see its CopyData frames in onCopyData, or null. */
  onCopyOut?(overallFormat: number, columnFormats: readonly number[], source: RowSource): CopyOutPlan | null;
  /** One CopyData frame of a planned COPY TO STDOUT; return a replacement frame, or null to keep it. */
  onCopyData?(frame: Buffer, plan: CopyOutPlan): Buffer | null;
  /**
   * Everything the relay has sent to the client so far is in the kernel (no write is queued): the
   * memory behind replacements a hook handed back (a slab of rewritten rows) may be written again.
   */
  onFlushed?(): void;
  /** CommandComplete ('C') tag, e.g. "SELECT 3". */
  onCommandComplete?(tag: string): void;
  /** An ErrorResponse from upstream (Airlock's own blocks are not reported here). */
  onError?(error: ErrorResponse): void;
  /**
   * A CancelRequest for this session arrived (it is forwarded upstream too). A hook holding a
   * statement may give up on it: nothing runs upstream while a statement is held.
   */
  onCancel?(): void;
  /** Once, when the session ends for any reason; stats are final. */
  onEnd?(reason: string, stats: Readonly<SessionStats>): void;
}

/** Makes the hooks of one session; a listener is given a list of these. */
export type SessionHooksFactory = (info: SessionInfo) => SessionHooks;
