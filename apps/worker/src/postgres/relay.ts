import type { Duplex } from 'node:stream';
import {
  BackendCode,
  buildDescribe,
  buildParse,
  buildQuery,
  errorResponse,
  type FieldDescription,
  ForwardRun,
  type FrameReader,
  FrameWalker,
  FrontendCode,
  buildNoticeResponse,
  parseBind,
  parseClose,
  parseCommandComplete,
  parseDescribe,
  parseErrorResponse,
  parseExecute,
  parseParse,
  parseQuery,
  parseRowDescription,
  parseCopyResponse,
  buildRowDescription,
  PgProtocolError,
  protocolErrorResponse,
} from '@airlock/pg-wire';
import type { Logger } from '../logger';
import { type ByteInput, StreamInput } from './socket-input';
import type { BlockVerdict, CopyOutPlan, PreparedStatementInfo, RowPlan, RowRange, RowSource, SessionHooks, SessionStats } from './hooks';
import { type Decision, decide } from './verdicts';

// The relay of one session after login. Both directions are framed by a FrameReader; frames no
// hook needs are forwarded as the original bytes, coalesced per chunk (ForwardRun) and written
// between cork()/uncork(). Inspection and tracking switch on only when a hook asks for them.

interface TrackedStatement extends PreparedStatementInfo {
  /** Result columns: undefined = not described yet, null = returns no rows. */
  desc: readonly FieldDescription[] | null | undefined;
  /** Airlock asked upstream to describe it. */
  describing?: boolean;
}
interface TrackedPortal {
  statement: string;
  resultFormats: number[];
  desc: readonly FieldDescription[] | null | undefined;
}
/** A client request whose backend answer the row tracking must attribute. */
type Expect =
  | { k: 'describeS'; name: string; swallow: boolean }
  | { k: 'describeP'; name: string }
  | { k: 'execute'; portal: string; plan: RowPlanSet | null | undefined }
  | { k: 'sync' }
  | { k: 'query'; sql: string };

/** The plans of every row hook for one result: [hook, plan] pairs. */
type RowPlanSet = [SessionHooks, RowPlan][];
type CopyPlanSet = [SessionHooks, CopyOutPlan][];

export interface RelayOptions {
  client: Duplex;
  clientReader: FrameReader;
  upstream: Duplex;
  upstreamReader: FrameReader;
  /** Where the sockets' bytes come in; default: their 'data' events. */
  clientInput?: ByteInput;
  upstreamInput?: ByteInput;
  hooks: readonly SessionHooks[];
  stats: SessionStats;
  log: Logger;
  /** Random per session: the SQL injected upstream in a blocked statement's place. */
  blockMarker: string;
  /** Cap on one server message (the upstream FrameReader's cap). */
  maxServerMessageBytes?: number;
  /** Cap on one client message (the client FrameReader's cap). */
  maxClientMessageBytes?: number;
  onEnd(reason: string): void;
}

/**
 * Backend message codes inspectBackend() does anything with; the rest are forwarded as they came.
 * (DataRow, CommandComplete and a tracked RowDescription have paths of their own in pumpUpstream.)
 */
const INSPECTED_BACKEND = new Uint8Array(256);
for (const c of [
  BackendCode.NoData, BackendCode.ParameterDescription, BackendCode.EmptyQueryResponse,
  BackendCode.PortalSuspended, BackendCode.ErrorResponse, BackendCode.NoticeResponse, BackendCode.CopyOutResponse, BackendCode.CopyData, BackendCode.CopyDone,
]) INSPECTED_BACKEND[c] = 1;

/**
 * Bytes queued for one socket before its source is paused. write() says "stop" past 16 KiB (the
 * default high-water mark), which for a large result means a pause/resume per 64 KiB chunk;
 * a bounded allowance above it keeps streaming smooth and memory per session bounded.
 */
const PAUSE_AT = 1024 * 1024;
const Q = FrontendCode.Query;
const EXECUTE = FrontendCode.Execute;

/**
 * The last frame of one kind a session received and the value parsed from it. A session usually
 * runs the same statements over and over, so the same description or tag comes back: the same
 * bytes again give the same (read-only) value, compared in place, with no view made and nothing
 * parsed or allocated.
 */
class LastFrame<T> {
  private bytes: Buffer | null = null;
  private value!: T;

  constructor(private readonly parse: (frame: Buffer) => T) {}

  /** The value of the reader's current frame. */
  of(reader: FrameReader): T {
    if (this.bytes !== null && sameFrame(reader, this.bytes)) return this.value;
    const frame = reader.frameBytes();
    this.value = this.parse(frame);
    // Its own copy: the frame is a view of a read buffer that is reused.
    this.bytes = Buffer.from(frame);
    return this.value;
  }
}

/**
 * The reader's current frame equals `bytes`: byte by byte when short (a tag, a narrow
 * description), where Buffer.compare's argument checks cost more than the loop.
 */
function sameFrame(reader: FrameReader, bytes: Buffer): boolean {
  const n = bytes.length;
  if (reader.frameEnd - reader.frameStart !== n) return false;
  const buf = reader.frameBuf;
  const at = reader.frameStart;
  if (n > 64) return buf.compare(bytes, 0, n, at, reader.frameEnd) === 0;
  for (let i = 0; i < n; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

export class Relay {
  private readonly client: Duplex;
  private readonly upstream: Duplex;
  private readonly clientReader: FrameReader;
  private readonly upReader: FrameReader;
  private readonly clientInput: ByteInput;
  private readonly upInput: ByteInput;
  private readonly toUpstream = new ForwardRun();
  private readonly toClient = new ForwardRun();
  private readonly stats: SessionStats;
  private readonly log: Logger;

  private readonly queryHooks: SessionHooks['onQuery'][];
  private readonly parseHooks: SessionHooks['onParse'][];
  private readonly bindHooks: SessionHooks['onBind'][];
  private readonly functionCallHooks: SessionHooks['onFunctionCall'][];
  private readonly executeHooks: SessionHooks[];
  private readonly rowHooks: SessionHooks[];
  private readonly completeHooks: SessionHooks[];
  private readonly errorHooks: SessionHooks[];
  private readonly describeHooks: SessionHooks[];
  private readonly noticeHooks: SessionHooks[];
  private readonly copyHooks: SessionHooks[];
  private readonly flushHooks: SessionHooks[];
  /** The COPY TO STDOUT in progress, when a hook planned it. */
  private copyPlan: CopyPlanSet | null = null;
  /** Any client message needs parsing (a statement hook or row tracking). */
  private readonly inspectClient: boolean;
  /** Any server message needs parsing. */
  private readonly inspectServer: boolean;
  private readonly tracking: boolean;

  private readonly statements = new Map<string, TrackedStatement>();
  private readonly portals = new Map<string, TrackedPortal>();
  private readonly expect: Expect[] = [];
  private queryPlan: RowPlanSet | null = null;
  /** The DataRow being rewritten (pumpUpstream fills it per planned row). */
  private readonly row: RowRange = { buf: Buffer.alloc(0), start: 0, end: 0 };
  /** The fields of the last RowDescription (a repeated description is not parsed again). */
  private readonly rowDescs = new LastFrame((frame) => parseRowDescription(frame).fields);
  /** The tag of the last CommandComplete (a repeated tag is not decoded again). */
  private readonly tags = new LastFrame((frame) => parseCommandComplete(frame).tag);

  private readonly marker: Buffer;
  private readonly markerSql: string;
  private blocksInFlight = 0;
  /** Server bytes in pass-through: frame boundaries followed without framing. */
  private readonly upWalker: FrameWalker;
  /** Client bytes when no hook inspects them (fixed per session): counts Query and Execute. */
  private readonly clientWalker: FrameWalker | null;
  private readonly deferred: Buffer[] = [];
  private endAfterDeferred: string | null = null;
  private injectNext: Buffer | null = null;
  private skipUntilSync = false;
  private holding = false;
  private upstreamFull = false;
  private clientFull = false;
  private ended = false;
  /** Transaction status of the last ReadyForQuery. */
  txStatus = 0x49;

  constructor(private readonly opts: RelayOptions) {
    this.client = opts.client;
    this.upstream = opts.upstream;
    this.clientReader = opts.clientReader;
    this.upReader = opts.upstreamReader;
    this.clientInput = opts.clientInput ?? new StreamInput(opts.client);
    this.upInput = opts.upstreamInput ?? new StreamInput(opts.upstream);
    this.stats = opts.stats;
    this.log = opts.log;
    const hooks = opts.hooks;
    this.queryHooks = hooks.filter((h) => h.onQuery).map((h) => h.onQuery!.bind(h));
    this.parseHooks = hooks.filter((h) => h.onParse).map((h) => h.onParse!.bind(h));
    this.bindHooks = hooks.filter((h) => h.onBind).map((h) => h.onBind!.bind(h));
    this.functionCallHooks = hooks.filter((h) => h.onFunctionCall).map((h) => h.onFunctionCall!.bind(h));
    this.executeHooks = hooks.filter((h) => h.onExecute);
    this.rowHooks = hooks.filter((h) => h.onRowDescription);
    this.completeHooks = hooks.filter((h) => h.onCommandComplete);
    this.errorHooks = hooks.filter((h) => h.onError);
    this.tracking = this.rowHooks.length > 0;
    this.inspectClient = this.tracking || this.queryHooks.length + this.parseHooks.length + this.bindHooks.length + this.functionCallHooks.length + this.executeHooks.length > 0;
    this.describeHooks = this.tracking ? hooks.filter((h) => h.rewriteRowDescription) : [];
    this.noticeHooks = hooks.filter((h) => h.rewriteNotice);
    this.copyHooks = hooks.filter((h) => h.onCopyOut);
    this.flushHooks = hooks.filter((h) => h.onFlushed);
    this.inspectServer = this.tracking || this.completeHooks.length + this.errorHooks.length + this.noticeHooks.length + this.copyHooks.length > 0;
    this.markerSql = opts.blockMarker;
    this.upWalker = new FrameWalker(opts.maxServerMessageBytes ?? 1024 * 1024 * 1024 + 1024);
    this.clientWalker = this.inspectClient ? null : new FrameWalker(opts.maxClientMessageBytes ?? 64 * 1024 * 1024, Q, EXECUTE);
    this.marker = Buffer.from(opts.blockMarker);
  }

  start(): void {
    this.clientInput.attach(this.onClientData);
    this.upInput.attach(this.onUpstreamData);
    this.client.on('drain', this.onClientDrain);
    this.upstream.on('drain', this.onUpstreamDrain);
    // Frames the client pipelined behind its password, or the server behind ReadyForQuery.
    if (this.clientReader.buffered > 0) this.pumpClient();
    if (this.upReader.buffered > 0) this.pumpUpstream();
  }

  /**
   * Writes a message of Airlock's own to the client at a frame boundary (now, or as soon as the
   * frame being passed through ends); with `endReason`, then ends the session.
   */
  sendToClient(bytes: Buffer, endReason?: string): void {
    if (this.upWalker.atBoundary) {
      this.out(bytes);
      if (endReason !== undefined) {
        // What a pump collected so far goes out before the session ends.
        if (this.batching) this.flushBatch();
        this.opts.onEnd(endReason);
      }
      return;
    }
    this.deferred.push(bytes);
    if (endReason !== undefined) this.endAfterDeferred = endReason;
  }

  // ---- client → upstream ---------------------------------------------------------------------

  private readonly onClientData = (chunk: Buffer): void => {
    this.stats.bytesIn += chunk.length;
    const walker = this.clientWalker;
    if (walker !== null && this.clientReader.buffered === 0) {
      // Nothing inspects the client's messages: forward the chunk as it came, one write.
      try {
        walker.walk(chunk);
      } catch (err) {
        this.protocolError(err, 'client');
        return;
      }
      this.stats.statements += walker.counted;
      walker.counted = 0;
      const up = this.upstream;
      if (!this.clientInput.writeThrough(up, chunk) && !this.upstreamFull && up.writableLength >= PAUSE_AT) {
        this.upstreamFull = true;
        this.client.pause();
      }
      return;
    }
    this.clientReader.push(this.clientInput.keep(chunk));
    if (!this.holding) this.pumpClient();
    // While a statement is held, what the client sends next waits in the reader, up to a bound.
    // Reading goes on below it, so a client that disconnects or resets meanwhile is noticed.
    else if (this.clientReader.buffered >= PAUSE_AT) this.client.pause();
  };

  private pumpClient(): void {
    const up = this.upstream;
    const reader = this.clientReader;
    const run = this.toUpstream;
    let ok = true;
    up.cork();
    try {
      let f;
      while (!this.holding && (f = reader.next()) !== null) {
        const code = f.code;
        if (code === Q || code === EXECUTE) this.stats.statements++;
        if (this.skipUntilSync) {
          if (code === FrontendCode.Sync) {
            this.skipUntilSync = false;
            if (this.tracking) this.expect.push({ k: 'sync' });
          } else if (code !== FrontendCode.Terminate) {
            if (code === EXECUTE) this.stats.statements--;
            continue;
          }
        } else if (this.inspectClient && code !== FrontendCode.CopyData) {
          const decision = this.inspect(code, f.bytes);
          if (decision !== null && decision.action !== 'allow') {
            const done = run.take();
            if (done !== null) ok = up.write(done) && ok;
            if (decision.action === 'block') {
              ok = this.block(code, decision) && ok;
              continue;
            }
            this.hold(code, f.bytes, decision);
            break;
          }
        }
        const done = run.append(f.bytes);
        if (done !== null) ok = up.write(done) && ok;
        if (this.injectNext !== null) {
          const before = run.take();
          if (before !== null) ok = up.write(before) && ok;
          ok = up.write(this.injectNext) && ok;
          this.injectNext = null;
        }
      }
      const rest = run.take();
      if (rest !== null) ok = up.write(rest) && ok;
    } catch (err) {
      this.protocolError(err, 'client');
      return;
    } finally {
      up.uncork();
    }
    if (!ok && !this.upstreamFull && up.writableLength >= PAUSE_AT) {
      this.upstreamFull = true;
      this.client.pause();
    }
  }

  private readonly onUpstreamDrain = (): void => {
    if (!this.upstreamFull) return;
    this.upstreamFull = false;
    if (!this.holding) this.client.resume();
  };

  /** Parses what hooks or tracking need; returns a decision for statements, else null. */
  private inspect(code: number, bytes: Buffer): Decision | null {
    switch (code) {
      case FrontendCode.Query: {
        const sql = parseQuery(bytes).sql;
        const d = this.queryHooks.length ? decide(this.queryHooks as ((sql: string) => never)[], [sql]) : null;
        if (this.tracking && (d === null || d.action === 'allow')) this.expect.push({ k: 'query', sql });
        return d;
      }
      case FrontendCode.Parse: {
        const p = parseParse(bytes);
        const d = this.parseHooks.length ? decide(this.parseHooks as ((n: string, s: string, t: readonly number[]) => never)[], [p.name, p.sql, p.paramTypes]) : null;
        if (d === null || d.action === 'allow') this.statements.set(p.name, { name: p.name, sql: p.sql, paramTypes: p.paramTypes, desc: undefined });
        return d;
      }
      case FrontendCode.Bind: {
        const b = parseBind(bytes);
        const stmt = this.statements.get(b.statement);
        const d = this.bindHooks.length ? decide(this.bindHooks as ((bind: typeof b, s: PreparedStatementInfo | undefined) => never)[], [b, stmt]) : null;
        if (d === null || d.action === 'allow') {
          this.portals.set(b.portal, { statement: b.statement, resultFormats: b.resultFormats, desc: undefined });
          if (this.tracking && stmt !== undefined && stmt.desc === undefined && !stmt.describing) {
            // The client never described this statement: ask upstream ourselves, and swallow the
            // answer, so its rows are attributed to the right columns (not "the last ones seen").
            this.injectNext = buildDescribe('S', b.statement);
            this.expect.push({ k: 'describeS', name: b.statement, swallow: true });
            stmt.describing = true;
          }
        }
        return d;
      }
      case FrontendCode.Execute: {
        if (this.executeHooks.length || this.tracking) {
          const e = parseExecute(bytes);
          for (const h of this.executeHooks) h.onExecute!(e.portal, e.maxRows);
          if (this.tracking) this.expect.push({ k: 'execute', portal: e.portal, plan: undefined });
        }
        return null;
      }
      case FrontendCode.FunctionCall: {
        if (this.functionCallHooks.length === 0) return null;
        // FunctionCall body: Int32 function OID first (protocol-message-formats, "FunctionCall (F)").
        if (bytes.length < 9) throw new PgProtocolError('malformed FunctionCall: no function OID');
        const oid = bytes.readUInt32BE(5);
        const d = decide(this.functionCallHooks as ((oid: number) => never)[], [oid]);
        if (this.tracking && d.action === 'allow') this.expect.push({ k: 'query', sql: '' });
        return d;
      }
      case FrontendCode.Describe: {
        if (this.tracking) {
          const d = parseDescribe(bytes);
          this.expect.push(d.target === 'S' ? { k: 'describeS', name: d.name, swallow: false } : { k: 'describeP', name: d.name });
        }
        return null;
      }
      case FrontendCode.Close: {
        if (this.tracking) {
          const c = parseClose(bytes);
          if (c.target === 'S') this.statements.delete(c.name);
          else this.portals.delete(c.name);
        }
        return null;
      }
      case FrontendCode.Sync:
        if (this.tracking) this.expect.push({ k: 'sync' });
        return null;
      default:
        return null;
    }
  }

  /**
   * Answers a blocked statement with Postgres's own semantics by sending upstream, in its
   * place, a statement that fails to parse, and rewriting that error into ours on the way back.
   * The server then aborts an open transaction and skips the rest of an extended batch until
   * Sync exactly as it would for a real error, and the answer lands in order among pipelined ones.
   */
  private block(code: number, verdict: BlockVerdict): boolean {
    this.pendingBlocks.push(verdict);
    this.blocksInFlight++;
    // A FunctionCall is answered like a simple Query (ErrorResponse, ReadyForQuery), outside any batch.
    if (code === FrontendCode.Query || code === FrontendCode.FunctionCall) {
      if (this.tracking) this.expect.push({ k: 'query', sql: '' });
      return this.upstream.write(buildQuery(this.markerSql));
    }
    // Extended protocol: Postgres ignores everything after an error until Sync; so do we.
    this.skipUntilSync = code !== FrontendCode.Sync;
    if (code === FrontendCode.Execute) this.stats.statements--;
    return this.upstream.write(buildParse({ name: '', sql: this.markerSql, paramTypes: [] }));
  }
  private readonly pendingBlocks: BlockVerdict[] = [];

  private hold(code: number, frame: Buffer, decision: Decision & { action: 'hold' }): void {
    this.holding = true;
    // The frame is a view of a socket chunk; keep our own copy while we wait.
    const bytes = Buffer.from(frame);
    if (decision.notice) this.sendToClient(buildNoticeResponse({ severity: 'NOTICE', severityNonLocalized: 'NOTICE', code: '00000', message: decision.notice }));
    decision.decision
      .then(
        (v) => v,
        (): BlockVerdict => ({ action: 'block', message: 'airlock: the review failed; the statement was not run' }),
      )
      .then((v) => {
        if (this.ended) return;
        this.holding = false;
        this.upstream.cork();
        if (v.action === 'allow') {
          if (this.tracking) this.trackAllowed(code, bytes);
          this.upstream.write(bytes);
        } else {
          this.block(code, v);
        }
        this.upstream.uncork();
        this.pumpClient();
        if (!this.holding && !this.upstreamFull) this.client.resume();
      })
      .catch((err: Error) => this.fail(`hold: ${err.message}`));
  }

  /** Tracking for a statement allowed after a hold (inspect() skipped it while undecided). */
  private trackAllowed(code: number, bytes: Buffer): void {
    if (code === FrontendCode.Query) this.expect.push({ k: 'query', sql: parseQuery(bytes).sql });
    else if (code === FrontendCode.FunctionCall) this.expect.push({ k: 'query', sql: '' });
    else if (code === FrontendCode.Parse) {
      const p = parseParse(bytes);
      this.statements.set(p.name, { name: p.name, sql: p.sql, paramTypes: p.paramTypes, desc: undefined });
    } else if (code === FrontendCode.Bind) {
      const b = parseBind(bytes);
      this.portals.set(b.portal, { statement: b.statement, resultFormats: b.resultFormats, desc: undefined });
    }
  }

  // ---- upstream → client ---------------------------------------------------------------------

  private readonly onUpstreamData = (chunk: Buffer): void => {
    if (this.walking()) {
      this.walk(chunk);
      return;
    }
    if (!this.upWalker.atBoundary) {
      // Leaving pass-through mid-frame: finish that frame raw, frame the rest.
      const k = this.walk(chunk, true);
      if (k === chunk.length || k < 0) return;
      chunk = chunk.subarray(k);
    }
    this.upReader.push(chunk);
    this.pumpUpstream();
    // The reader has copied any frame the chunk ends inside of, and hooks keep no view of it: the
    // read buffer may be read into again unless a queued write to the client still refers to it.
    if (this.client.writableLength > 0) {
      this.upInput.pin();
      return;
    }
    this.upInput.release();
    for (const h of this.flushHooks) h.onFlushed!();
  };

  /**
   * Pass-through mode for the server's bytes: nothing inspects them and no blocked statement's
   * error is due, so whole chunks are forwarded and only frame lengths are walked (no per-frame
   * object, no view). Keeps the position of frame boundaries, to switch back to framing and to
   * place Airlock's own messages between frames.
   */
  private walking(): boolean {
    return !this.inspectServer && this.blocksInFlight === 0 && this.upReader.buffered === 0 && this.deferred.length === 0;
  }

  /**
   * Walks frame headers through `chunk` and forwards it. With `untilBoundary`, stops at the first
   * frame boundary and forwards only up to it. Returns the bytes consumed, -1 on a protocol error.
   */
  private walk(chunk: Buffer, untilBoundary = false): number {
    let pos: number;
    try {
      pos = this.upWalker.walk(chunk, 0, untilBoundary);
    } catch (err) {
      this.protocolError(err, 'upstream');
      return -1;
    }
    const view = pos === chunk.length ? chunk : chunk.subarray(0, pos);
    this.stats.bytesOut += view.length;
    const client = this.client;
    if (!this.upInput.writeThrough(client, view) && !this.clientFull && client.writableLength >= PAUSE_AT) {
      this.clientFull = true;
      this.upstream.pause();
    }
    if (this.deferred.length && this.upWalker.atBoundary) this.flushDeferred();
    return pos;
  }

  private flushDeferred(): void {
    const list = this.deferred.splice(0);
    for (const b of list) this.out(b);
    if (this.endAfterDeferred !== null) this.opts.onEnd(this.endAfterDeferred);
  }

  private pumpUpstream(): void {
    const client = this.client;
    const reader = this.upReader;
    const run = this.toClient;
    // Everything this pump sends (runs of untouched frames, rewritten rows, Airlock's own
    // messages) goes out as one write: a masked result is not a socket write per row.
    this.batching = true;
    try {
      let code: number;
      while ((code = reader.nextCode()) >= 0) {
        // undefined: the frame goes out as it came (as a range of the chunk: no view is made).
        let out: Buffer | null | undefined;
        if (code === BackendCode.ReadyForQuery) {
          this.txStatus = reader.frameBuf[reader.frameStart + 5];
          if (this.tracking) this.onReady();
        } else if (code === BackendCode.ErrorResponse && this.blocksInFlight > 0 && reader.frameBytes().includes(this.marker)) {
          out = this.blockedError();
        } else if (this.inspectServer) {
          // A row no hook planned, and a message nothing inspects, pass without a view.
          if (code === BackendCode.DataRow) {
            const plan = this.rowPlan();
            if (plan !== null) {
              // Planned rows go through the hooks as ranges: no view in, none out.
              const row = this.row;
              row.buf = reader.frameBuf;
              row.start = reader.frameStart;
              row.end = reader.frameEnd;
              this.rewriteRow(plan, row);
              if (row.buf !== reader.frameBuf || row.start !== reader.frameStart) {
                const done = run.appendRange(row.buf, row.start, row.end);
                if (done !== null) this.out(done);
                continue;
              }
            }
          } else if (code === BackendCode.CommandComplete) {
            // Read from the frame's range: no view, and the tag of a repeated command is not decoded again.
            this.onCommandComplete();
          } else if (code === BackendCode.RowDescription && this.tracking) {
            out = this.onRowDescription();
          } else if (INSPECTED_BACKEND[code] === 1) {
            const bytes = reader.frameBytes();
            out = this.inspectBackend(code, bytes);
            if (out === bytes) out = undefined;
          }
        }
        if (out === null) continue;
        // Replacements too: rows a hook rewrote side by side in memory (DataRowWriter) go out as one range.
        const done = out === undefined ? run.appendRange(reader.frameBuf, reader.frameStart, reader.frameEnd) : run.append(out);
        if (done !== null) this.out(done);
      }
      const rest = run.take();
      if (rest !== null) this.out(rest);
    } catch (err) {
      this.flushBatch();
      this.protocolError(err, 'upstream');
      return;
    }
    const ok = this.flushBatch();
    if (!ok && !this.clientFull && client.writableLength >= PAUSE_AT) {
      this.clientFull = true;
      this.upstream.pause();
    }
  }

  /** While pumping upstream frames, out() collects into `batch` instead of writing. */
  private batching = false;
  private readonly batch: Buffer[] = [];
  private batchBytes = 0;

  /** Ends batching and writes what was collected as one buffer; returns write()'s answer. */
  private flushBatch(): boolean {
    this.batching = false;
    const list = this.batch;
    if (list.length === 0) return true;
    const data = list.length === 1 ? list[0] : Buffer.concat(list, this.batchBytes);
    list.length = 0;
    this.batchBytes = 0;
    return this.client.write(data);
  }

  private out(bytes: Buffer): boolean {
    this.stats.bytesOut += bytes.length;
    if (this.batching) {
      this.batch.push(bytes);
      this.batchBytes += bytes.length;
      return true;
    }
    return this.client.write(bytes);
  }

  private readonly onClientDrain = (): void => {
    if (!this.clientFull) return;
    this.clientFull = false;
    this.upstream.resume();
  };

  private blockedError(): Buffer {
    this.blocksInFlight--;
    const v = this.pendingBlocks.shift() ?? { action: 'block', message: 'airlock: statement blocked' };
    const message = v.message.startsWith('airlock:') ? v.message : `airlock: ${v.message}`;
    return errorResponse({ severity: 'ERROR', code: v.code ?? '42501', message, detail: v.detail, hint: v.hint });
  }

  /** A planned DataRow through each hook: `row` ends as the frame the last hook left. */
  private rewriteRow(plan: RowPlanSet, row: RowRange): void {
    for (const [hook, p] of plan) {
      if (hook.onDataRowRange) hook.onDataRowRange(row, p);
      else if (hook.onDataRow) {
        const replaced = hook.onDataRow(row.buf.subarray(row.start, row.end), p);
        if (replaced === null) continue;
        row.buf = replaced;
        row.start = 0;
        row.end = replaced.length;
      }
    }
  }

  private inspectBackend(code: number, bytes: Buffer): Buffer | null {
    switch (code) {
      case BackendCode.NoData:
      case BackendCode.ParameterDescription:
        return this.tracking ? this.onNoDataOrParams(code, bytes) : bytes;
      case BackendCode.EmptyQueryResponse:
      case BackendCode.PortalSuspended:
        if (this.tracking) this.onResultEnd();
        return bytes;
      case BackendCode.ErrorResponse:
        if (this.errorHooks.length) {
          const e = parseErrorResponse(bytes);
          for (const h of this.errorHooks) h.onError!(e);
        }
        if (this.tracking) this.onBackendError();
        this.copyPlan = null;
        return this.noticeHooks.length ? this.rewriteNotice(bytes) : bytes;
      case BackendCode.NoticeResponse:
        return this.noticeHooks.length ? this.rewriteNotice(bytes) : bytes;
      case BackendCode.CopyOutResponse:
        if (this.copyHooks.length) this.copyPlan = this.copyPlansFor(bytes);
        return bytes;
      case BackendCode.CopyData: {
        const plan = this.copyPlan;
        if (plan === null) return bytes;
        let frame = bytes;
        for (const [hook, p] of plan) {
          const replaced = hook.onCopyData ? hook.onCopyData(frame, p) : null;
          if (replaced !== null) frame = replaced;
        }
        return frame;
      }
      case BackendCode.CopyDone:
        this.copyPlan = null;
        return bytes;
      default:
        return bytes;
    }
  }

  private rewriteNotice(bytes: Buffer): Buffer {
    let frame = bytes;
    for (const h of this.noticeHooks) frame = h.rewriteNotice!(frame) ?? frame;
    return frame;
  }

  /** CopyOutResponse ("53.7 Message Formats"): overall format (Int8), then Int16 count and per-column Int16 formats. */
  private copyPlansFor(bytes: Buffer): CopyPlanSet | null {
    const r = parseCopyResponse(bytes, 'copyOutResponse');
    const head = this.expect[0];
    const portal = head?.k === 'execute' ? this.portals.get(head.portal) : undefined;
    const source: RowSource =
      head?.k === 'execute' ? { kind: 'portal', name: head.portal, sql: portal ? (this.statements.get(portal.statement)?.sql ?? null) : null } : { kind: 'query', name: '', sql: head?.k === 'query' ? head.sql : null };
    let set: CopyPlanSet | null = null;
    for (const h of this.copyHooks) {
      const p = h.onCopyOut!(r.overallFormat, r.columnFormats, source);
      if (p !== null) (set ??= []).push([h, p]);
    }
    return set;
  }

  /** The RowDescription the client gets: the hooks' replacement fields, else the frame as is. */
  private describeOut(bytes: Buffer, fields: readonly FieldDescription[], source: RowSource): Buffer {
    let out: readonly FieldDescription[] | null = null;
    for (const h of this.describeHooks) out = h.rewriteRowDescription!(out ?? fields, source) ?? out;
    return out === null ? bytes : buildRowDescription(out);
  }

  private plansFor(fields: readonly FieldDescription[], source: RowSource): RowPlanSet | null {
    let set: RowPlanSet | null = null;
    for (const h of this.rowHooks) {
      const p = h.onRowDescription!(fields, source);
      if (p !== null) (set ??= []).push([h, p]);
    }
    return set;
  }

  /** The current CommandComplete: its tag to the hooks, and the end of a result to the tracking. */
  private onCommandComplete(): void {
    if (this.completeHooks.length) {
      const tag = this.tags.of(this.upReader);
      for (const h of this.completeHooks) h.onCommandComplete!(tag);
    }
    if (this.tracking) this.onResultEnd();
  }

  /** The current RowDescription (tracking): undefined to pass it as it came, null to swallow it, else its replacement. */
  private onRowDescription(): Buffer | null | undefined {
    const head = this.expect[0];
    const fields = this.rowDescs.of(this.upReader);
    const rewrite = this.describeHooks.length > 0;
    // Where the description comes from, for the hooks (made only when a hook will read it).
    let source: RowSource | null = null;
    if (head?.k === 'describeS') {
      this.expect.shift();
      const s = this.statements.get(head.name);
      if (s) s.desc = fields;
      if (head.swallow) return null;
      if (rewrite) source = { kind: 'statement', name: head.name, sql: s?.sql ?? null };
    } else if (head?.k === 'describeP') {
      this.expect.shift();
      const p = this.portals.get(head.name);
      if (p) p.desc = fields;
      if (rewrite) source = { kind: 'portal', name: head.name, sql: p ? (this.statements.get(p.statement)?.sql ?? null) : null };
    } else {
      source = { kind: 'query', name: '', sql: head?.k === 'query' ? head.sql : null };
      if (head?.k === 'query') this.queryPlan = this.plansFor(fields, source);
    }
    if (!rewrite || source === null) return undefined;
    const bytes = this.upReader.frameBytes();
    const out = this.describeOut(bytes, fields, source);
    return out === bytes ? undefined : out;
  }

  private onNoDataOrParams(code: number, bytes: Buffer): Buffer | null {
    const head = this.expect[0];
    if (head?.k === 'describeS') {
      if (code === BackendCode.NoData) {
        this.expect.shift();
        const s = this.statements.get(head.name);
        if (s) s.desc = null;
      }
      return head.swallow ? null : bytes;
    }
    if (head?.k === 'describeP' && code === BackendCode.NoData) {
      this.expect.shift();
      const p = this.portals.get(head.name);
      if (p) p.desc = null;
    }
    return bytes;
  }

  /** The hooks' plans for a DataRow now, or null when no hook looks at its rows. */
  private rowPlan(): RowPlanSet | null {
    return this.tracking ? this.currentPlan() : null;
  }

  private currentPlan(): RowPlanSet | null {
    const head = this.expect[0];
    if (head?.k !== 'execute') return this.queryPlan;
    if (head.plan !== undefined) return head.plan;
    const portal = this.portals.get(head.portal);
    let fields: readonly FieldDescription[] | null | undefined = portal?.desc;
    if (fields === undefined && portal) {
      const stmt = this.statements.get(portal.statement);
      // A statement's description reports text format; the Bind decides the real formats.
      const rf = portal.resultFormats;
      const desc = stmt?.desc;
      // All text (the usual case, e.g. libpq's one code 0): the description as it is, no copy per Execute.
      fields = desc == null || rf.every((f) => f === 0) ? desc : desc.map((f, i) => ({ ...f, format: rf.length === 1 ? rf[0] : (rf[i] ?? 0) }));
    }
    const sql = portal ? (this.statements.get(portal.statement)?.sql ?? null) : null;
    // Unknown columns must not pass unplanned: hooks get an empty description and decide.
    head.plan = this.plansFor(fields ?? [], { kind: 'portal', name: head.portal, sql });
    return head.plan;
  }

  private onResultEnd(): void {
    const head = this.expect[0];
    if (head?.k === 'execute') this.expect.shift();
    else this.queryPlan = null;
  }

  private onBackendError(): void {
    this.queryPlan = null;
    // Extended protocol: the server skips to Sync, so drop what it will not answer.
    while (this.expect.length && this.expect[0].k !== 'sync' && this.expect[0].k !== 'query') this.expect.shift();
  }

  private onReady(): void {
    this.queryPlan = null;
    while (this.expect.length) {
      const e = this.expect.shift()!;
      if (e.k === 'sync' || e.k === 'query') break;
    }
  }

  // ---- failure ------------------------------------------------------------------------------

  private protocolError(err: unknown, side: 'client' | 'upstream'): void {
    if (err instanceof PgProtocolError) {
      this.log.info({ side, err: err.message }, 'postgres: protocol violation, closing session');
      const msg = side === 'client' ? err : new PgProtocolError(`upstream protocol violation: ${err.message.replace(/^airlock: /, '')}`);
      this.client.end(protocolErrorResponse(msg));
      this.opts.onEnd(`protocol violation (${side})`);
      return;
    }
    this.fail((err as Error).message ?? String(err));
  }

  private fail(why: string): void {
    this.log.error({ err: why }, 'postgres: relay failure, closing session');
    this.client.end(errorResponse({ severity: 'FATAL', code: 'XX000', message: 'airlock: internal error in the gateway; the session was closed' }));
    this.opts.onEnd(`internal error: ${why}`);
  }

  stop(): void {
    this.ended = true;
    this.clientInput.attach(null);
    this.upInput.attach(null);
  }
}
