import { type Frame, FrameReader } from '@airlock/pg-wire';
import type { ByteInput } from './socket-input';

/** The peer went away mid-handshake: routine (probes, impatient clients), not an error. */
export class PeerClosedError extends Error {
  constructor() {
    super('peer closed the connection');
  }
}

/**
 * Awaitable frames from a socket, for the handshake phases only (client startup and upstream
 * login). The relay takes over the same FrameReader afterwards, so bytes a peer pipelined past
 * the handshake are not lost.
 */
export class FrameSource {
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(
    readonly input: ByteInput,
    readonly reader: FrameReader,
  ) {
    const socket = input.socket;
    input.attach(this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private readonly onData = (chunk: Buffer) => {
    this.reader.push(this.input.keep(chunk));
    this.notify();
  };
  private readonly onEnd = () => {
    this.failure ??= new PeerClosedError();
    this.notify();
  };
  private readonly onError = (err: Error) => {
    this.failure ??= err;
    this.notify();
  };

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Next complete frame; throws PgProtocolError on bad framing or Error when the peer goes away. */
  async next(): Promise<Frame> {
    for (;;) {
      const f = this.reader.next();
      if (f !== null) return f;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** One raw byte (the answer to SSLRequest). */
  async byte(): Promise<number> {
    for (;;) {
      const b = this.reader.takeByte();
      if (b >= 0) return b;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Stops listening (the socket keeps its 'error' handler from the owner). */
  detach(): void {
    const socket = this.input.socket;
    this.input.attach(null);
    socket.off('end', this.onEnd);
    socket.off('close', this.onEnd);
    socket.off('error', this.onError);
  }
}

export function newReader(startup: boolean, maxMessageLength: number): FrameReader {
  return new FrameReader({ startup, maxMessageLength });
}
