import { DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_STARTUP_LENGTH, STARTUP_HEADER_SIZE, TYPED_HEADER_SIZE } from './codes';
import { invalidLengthError, PgProtocolError } from './errors';

/** Code reported for untyped startup-phase packets, which carry no code byte. */
export const STARTUP_FRAME = 0;

const EMPTY = Buffer.alloc(0);

/** One complete message as it appeared on the wire ("53.7 Message Formats"). */
export interface Frame {
  /** Message code byte, or STARTUP_FRAME (0) for an untyped startup-phase packet. */
  readonly code: number;
  /** The int32 length field (counts itself, not the code byte). */
  readonly length: number;
  /** The whole message, header included: a zero-copy view of the pushed chunk when possible. */
  readonly bytes: Buffer;
}

export interface FrameReaderOptions {
  /** Cap on a typed message's length field; default 64 MiB. */
  maxMessageLength?: number;
  /** Cap on a startup-phase packet's length field; default 10000 like the postmaster. */
  maxStartupLength?: number;
  /**
   * Start in the untyped startup phase (client side of a proxy). The reader switches itself to
   * typed frames after a StartupMessage (protocol major 3); SSLRequest, GSSENCRequest and
   * CancelRequest keep it in the startup phase, as the protocol says another packet follows.
   */
  startup?: boolean;
}

/**
 * Incremental decoder of message frames ("53.2 Message Flow"). Push chunks as they arrive, then
 * call `next()` until it returns null. Frames inside one chunk are subarrays (no copy); a frame
 * split across chunks is copied once into an exact-size buffer, allocated only after its length
 * passed the cap. No closures or intermediate arrays on the hot path.
 *
 * After `next()` throws, the stream is out of sync: answer with `protocolErrorResponse(err)` and
 * close the connection; the reader is not meant to be used again.
 */
export class FrameReader {
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Header bytes of a frame whose header itself was split across chunks. */
  private readonly header = Buffer.alloc(TYPED_HEADER_SIZE);
  private headerFilled = 0;
  /** Exact-size buffer of a frame split across chunks, and how much of it is filled. */
  private pending: Buffer | null = null;
  private pendingFilled = 0;
  private startupPhase: boolean;
  /** The frame nextCode() returned: frameBuf[frameStart, frameEnd), header included. */
  frameBuf: Buffer = EMPTY;
  frameStart = 0;
  frameEnd = 0;
  /** frameBytes() of the current frame, once made. */
  private view: Buffer | null = null;
  private readonly maxMessageLength: number;
  private readonly maxStartupLength: number;

  constructor(options: FrameReaderOptions = {}) {
    this.maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.maxStartupLength = options.maxStartupLength ?? DEFAULT_MAX_STARTUP_LENGTH;
    this.startupPhase = options.startup ?? false;
  }

  /** True while the next frame is expected to be an untyped startup-phase packet. */
  get inStartupPhase(): boolean {
    return this.startupPhase;
  }

  /** Forces the phase, e.g. back to startup on a fresh TLS stream after SSLRequest. */
  setStartupPhase(on: boolean): void {
    this.startupPhase = on;
  }

  /**
   * Bytes received but not yet returned as frames. After SSLRequest this must be 0 before the
   * TLS handshake: buffered plaintext would otherwise be trusted as if encrypted (CVE-2021-23214).
   */
  get buffered(): number {
    return this.chunk.length - this.pos + this.headerFilled + this.pendingFilled;
  }

  push(chunk: Buffer): void {
    if (this.pos < this.chunk.length) {
      // Caller pushed before draining: keep the unread tail in front (rare, costs one copy).
      this.chunk = Buffer.concat([this.chunk.subarray(this.pos), chunk]);
    } else {
      this.chunk = chunk;
    }
    this.pos = 0;
  }

  /**
   * Takes one raw byte outside framing: the server's 'S'/'N'/'G' answer to SSLRequest or
   * GSSENCRequest. Returns -1 when no byte is available.
   */
  takeByte(): number {
    if (this.headerFilled > 0 || this.pending !== null) throw new Error('pg-wire: takeByte() inside a frame');
    return this.pos < this.chunk.length ? this.chunk[this.pos++] : -1;
  }

  /**
   * Like next(), without a Frame object or a view: returns the next complete frame's code (0 for a
   * startup-phase packet) and sets frameBuf/frameStart/frameEnd to its bytes, or returns -1 when
   * more bytes are needed. frameBytes() makes a view of it only for a caller that needs one.
   */
  nextCode(): number {
    this.view = null;
    if (this.pending === null && this.headerFilled === 0 && !this.startupPhase) {
      const chunk = this.chunk;
      const pos = this.pos;
      if (chunk.length - pos >= TYPED_HEADER_SIZE) {
        const code = chunk[pos];
        const total = this.checkLength(chunk.readInt32BE(pos + 1), code);
        if (chunk.length - pos >= total) {
          this.pos = pos + total;
          this.frameBuf = chunk;
          this.frameStart = pos;
          this.frameEnd = pos + total;
          return code;
        }
      }
    }
    // A split frame, a split header or the startup phase: the general path.
    const f = this.next();
    if (f === null) return -1;
    this.frameBuf = f.bytes;
    this.frameStart = 0;
    this.frameEnd = f.bytes.length;
    this.view = f.bytes;
    return f.code;
  }

  /** The frame nextCode() returned, as a Buffer (a view, made once per frame). */
  frameBytes(): Buffer {
    return (this.view ??= this.frameBuf.subarray(this.frameStart, this.frameEnd));
  }

  /** Returns the next complete frame, or null when more bytes are needed. */
  next(): Frame | null {
    if (this.pending !== null) return this.continuePending();
    const headerSize = this.startupPhase ? 4 : TYPED_HEADER_SIZE;
    const chunk = this.chunk;
    const pos = this.pos;
    const avail = chunk.length - pos;
    if (this.headerFilled === 0 && avail >= headerSize) {
      const typed = !this.startupPhase;
      const length = typed ? chunk.readInt32BE(pos + 1) : chunk.readInt32BE(pos);
      const total = this.checkLength(length, typed ? chunk[pos] : STARTUP_FRAME);
      if (avail >= total) {
        this.pos = pos + total;
        return this.emit(typed ? chunk[pos] : STARTUP_FRAME, length, chunk.subarray(pos, pos + total));
      }
      this.pending = Buffer.allocUnsafe(total);
      this.pendingFilled = chunk.copy(this.pending, 0, pos);
      this.pos = chunk.length;
      return null;
    }
    return this.continueHeader(headerSize);
  }

  private continueHeader(headerSize: number): Frame | null {
    const n = Math.min(headerSize - this.headerFilled, this.chunk.length - this.pos);
    if (n <= 0) return null;
    this.chunk.copy(this.header, this.headerFilled, this.pos, this.pos + n);
    this.headerFilled += n;
    this.pos += n;
    if (this.headerFilled < headerSize) return null;
    const typed = !this.startupPhase;
    const length = this.header.readInt32BE(typed ? 1 : 0);
    const total = this.checkLength(length, typed ? this.header[0] : STARTUP_FRAME);
    this.pending = Buffer.allocUnsafe(total);
    this.pendingFilled = this.header.copy(this.pending, 0, 0, headerSize);
    this.headerFilled = 0;
    return this.continuePending();
  }

  private continuePending(): Frame | null {
    const pending = this.pending as Buffer;
    const n = Math.min(pending.length - this.pendingFilled, this.chunk.length - this.pos);
    this.chunk.copy(pending, this.pendingFilled, this.pos, this.pos + n);
    this.pendingFilled += n;
    this.pos += n;
    if (this.pendingFilled < pending.length) return null;
    this.pending = null;
    this.pendingFilled = 0;
    const typed = pending.length > 0 && !this.startupPhase;
    return this.emit(typed ? pending[0] : STARTUP_FRAME, pending.readInt32BE(typed ? 1 : 0), pending);
  }

  /** Validates a length field before anything of that size is allocated; returns frame size. */
  private checkLength(length: number, code: number): number {
    if (this.startupPhase) {
      if (length < STARTUP_HEADER_SIZE || length > this.maxStartupLength) {
        throw new PgProtocolError(`invalid startup packet length ${length} (allowed ${STARTUP_HEADER_SIZE}..${this.maxStartupLength})`);
      }
      return length;
    }
    if (length < 4 || length > this.maxMessageLength) throw invalidLengthError(length, code, this.maxMessageLength);
    return length + 1;
  }

  private emit(code: number, length: number, bytes: Buffer): Frame {
    // A StartupMessage (major version 3) ends the untyped phase; anything else keeps it.
    if (this.startupPhase && bytes.readUInt16BE(4) === 3) this.startupPhase = false;
    return { code, length, bytes };
  }
}
