import net from 'node:net';
import type { Duplex, Writable } from 'node:stream';

// Where a socket's bytes come in. A Readable stream allocates a new 64 KiB backing store for
// every read, wraps it in a Buffer and passes it through push()/'data' and a nextTick; for a proxy
// that forwards most chunks as they are, that is most of its own CPU per message and, for a large
// result, a gigabyte of garbage per gigabyte relayed. A plain TCP socket can instead read into a
// buffer of ours (net's `onread`): the relay forwards the bytes and, when the write went straight
// to the kernel, hands the same buffer back for the next read.

/** Bytes read per system call. */
const READ_SIZE = 64 * 1024;
/** A kept read smaller than this is copied out (so the 64 KiB read buffer is not pinned by it). */
const COPY_BELOW = 16 * 1024;
/** Read buffers flushed by a queued write and kept for the next reads (1 MiB: the relay's pause point). */
const SPARE_BUFFERS = 16;

export interface ByteInput {
  /**
   * Where chunks go from now on; null stops delivery. Chunks that arrive while nothing is
   * attached are held, in order, for the next sink.
   */
  attach(sink: ((chunk: Buffer) => void) | null): void;
  /**
   * Called by the sink during its callback when it kept no reference to the chunk (e.g. a socket
   * write that completed synchronously): the next read may reuse the memory, unless pinned.
   */
  release(): void;
  /** Called by the sink during its callback when something still refers to the chunk (a queued write). */
  pin(): void;
  /** The chunk as memory the sink may keep (a copy, or the read buffer itself given away). */
  keep(chunk: Buffer): Buffer;
  /** Stops listening for good (the socket is handed to TLS). */
  close(): void;
  /**
   * Writes (a view of) the chunk being delivered to `to` and accounts for it: released when the
   * write went straight through, else pinned until it has been flushed. Returns write()'s answer.
   */
  writeThrough(to: Writable, view: Buffer): boolean;
  readonly socket: Duplex;
}

/** A socket read through 'data' events (TLS, or any Duplex): every chunk is the sink's to keep. */
export class StreamInput implements ByteInput {
  private sink: ((chunk: Buffer) => void) | null = null;
  private readonly held: Buffer[] = [];

  constructor(readonly socket: Duplex) {
    socket.on('data', this.onData);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.sink === null) this.held.push(chunk);
    else this.sink(chunk);
  };

  attach(sink: ((chunk: Buffer) => void) | null): void {
    this.sink = sink;
    while (this.sink !== null && this.held.length > 0) this.sink(this.held.shift()!);
  }

  release(): void {}

  pin(): void {}

  close(): void {
    this.sink = null;
    this.socket.off('data', this.onData);
  }

  writeThrough(to: Writable, view: Buffer): boolean {
    return to.write(view);
  }

  keep(chunk: Buffer): Buffer {
    return chunk;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);
const UNKNOWN = 0;
const FREE = 1;
const PINNED = 2;

/**
 * A plain TCP socket read through `onread` into a reused buffer. The chunk a sink receives is a
 * view of that buffer, valid during the callback. The sink says what became of it: release()
 * (kept nothing), pin() (something still refers to it), keep() (memory of its own: a copy when
 * small, else the buffer itself, pinned). The buffer is reused only when released and never
 * pinned during that read; saying nothing is safe too: the next read gets a new buffer.
 */
export class ReusableInput implements ByteInput {
  private buf: Buffer = EMPTY;
  private state = UNKNOWN;
  /** Buffers whose queued write has been flushed: free for reads again (instead of garbage). */
  private readonly spare: Buffer[] = [];
  /** Memory given away by keep(): never recycled. */
  private readonly given = new WeakSet<ArrayBufferLike>();
  private sink: ((chunk: Buffer) => void) | null = null;
  private readonly held: Buffer[] = [];
  socket!: net.Socket;

  /** The `onread` option for net.connect / new net.Socket. */
  readonly onread = {
    buffer: (): Buffer => {
      if (this.state !== FREE) this.buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
      this.state = UNKNOWN;
      return this.buf;
    },
    callback: (n: number, buf: Uint8Array): boolean => {
      const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
      this.state = UNKNOWN;
      if (this.sink === null) this.held.push(this.keep(chunk));
      else this.sink(chunk);
      return true;
    },
  };

  attach(sink: ((chunk: Buffer) => void) | null): void {
    this.sink = sink;
    while (this.sink !== null && this.held.length > 0) this.sink(this.held.shift()!);
  }

  release(): void {
    if (this.state === UNKNOWN) this.state = FREE;
  }

  pin(): void {
    this.state = PINNED;
  }

  close(): void {
    this.sink = null;
  }

  keep(chunk: Buffer): Buffer {
    if (chunk.buffer !== this.buf.buffer) return chunk;
    if (chunk.length < COPY_BELOW) {
      this.release();
      return Buffer.from(chunk);
    }
    this.pin();
    this.given.add(chunk.buffer);
    return chunk;
  }

  writeThrough(to: Writable, view: Buffer): boolean {
    if (to.writableLength > 0) {
      // Queued behind earlier writes: this read buffer comes back once the write is flushed.
      this.pin();
      const buf = this.buf;
      return to.write(view, () => this.recycle(buf));
    }
    const ok = to.write(view);
    if (to.writableLength === 0) this.release();
    else this.pin();
    return ok;
  }

  private recycle(buf: Buffer): void {
    if (buf !== this.buf && this.spare.length < SPARE_BUFFERS && !this.given.has(buf.buffer)) this.spare.push(buf);
  }
}

/** Opens a plain TCP connection read through a ReusableInput. */
export function connectReusable(options: net.TcpNetConnectOpts): { socket: net.Socket; input: ReusableInput } {
  const input = new ReusableInput();
  const socket = net.connect({ ...options, onread: input.onread });
  input.socket = socket;
  return { socket, input };
}


/**
 * Moves a connection the server just accepted (created with `pauseOnConnect`, so it has read
 * nothing) to a socket read through a ReusableInput. net.Server has no `onread` option; this wraps
 * the accepted handle in a new net.Socket the way net.Server itself does (`handle` option), and
 * retires the original object without closing the handle. Returns null, leaving the accepted socket
 * as it is, when the handle is not what this expects (another runtime, a future Node).
 */
export function adoptReusable(accepted: net.Socket): { socket: net.Socket; input: ReusableInput } | null {
  const internal = accepted as unknown as { _handle: unknown; readableFlowing: boolean | null };
  const handle = internal._handle;
  if (handle === null || typeof handle !== 'object' || typeof (handle as { readStart?: unknown }).readStart !== 'function' || internal.readableFlowing === true) {
    return null;
  }
  const input = new ReusableInput();
  let socket: net.Socket;
  try {
    socket = new net.Socket({ handle, onread: input.onread, readable: true, writable: true } as net.SocketConstructorOpts);
  } catch {
    return null;
  }
  input.socket = socket;
  // The original object no longer owns the handle: destroying it releases the server's count of
  // it without closing the connection (the new socket closes it).
  internal._handle = null;
  accepted.destroy();
  socket.resume();
  return { socket, input };
}
