import net from 'node:net';
import { buildPasswordMessage, buildStartupMessage, type Frame, FrameReader } from '@airlock/pg-wire';

/** A bare protocol client for tests that need exact message sequences. */
export class RawClient {
  private readonly reader = new FrameReader();
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (let f = this.reader.next(); f !== null; f = this.reader.next()) this.frames.push({ ...f, bytes: Buffer.from(f.bytes) });
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise((resolve, reject) => (socket.once('connect', resolve), socket.once('error', reject)));
    return new RawClient(socket);
  }

  /** Connects and logs in; returns after the first ReadyForQuery. */
  static async login(port: number, database: string, token: string): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.send(buildStartupMessage({ user: 'agent', database }));
    await c.until('R');
    c.send(buildPasswordMessage(token));
    await c.until('Z');
    return c;
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Frames received up to and including the first with `code` (a letter); consumes them. */
  async until(code: string, timeoutMs = 10_000): Promise<Frame[]> {
    const want = code.charCodeAt(0);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.code === want);
      if (i >= 0) return this.frames.splice(0, i + 1);
      if (this.closed) throw new Error(`closed before '${code}' (got ${this.frames.map((f) => String.fromCharCode(f.code)).join('')})`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for '${code}'`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 50);
      });
    }
  }

  static codes(frames: Frame[]): string {
    return frames.map((f) => String.fromCharCode(f.code)).join('');
  }

  close(): void {
    this.socket.destroy();
  }
}
