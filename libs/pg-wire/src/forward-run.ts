/**
 * Coalesces consecutive forwarded frames that sit side by side in memory into one Buffer view,
 * so a proxy writes one range per chunk instead of one per message. Frames from FrameReader that
 * came from the same chunk are adjacent ranges of it, which is what this detects.
 */
export class ForwardRun {
  private base: ArrayBufferLike | null = null;
  /** The run: base[start, end), as offsets into the ArrayBuffer. */
  private start = 0;
  private end = 0;
  /** A Buffer that is exactly the run, when there is one (a run of one appended Buffer). */
  private whole: Buffer | null = null;
  /**
   * The Buffer last appended and where it sits in memory: reading a typed array's `buffer` is a call
   * into V8's runtime, and consecutive frames come from the same chunk or slab object.
   */
  private last: Buffer | null = null;
  private lastBase: ArrayBufferLike | null = null;
  private lastOffset = 0;

  /**
   * Adds bytes to the run. When they do not continue it, returns the finished run (caller writes
   * it) and starts a new one; otherwise returns null.
   */
  append(bytes: Buffer): Buffer | null {
    const done = this.appendRange(bytes, 0, bytes.length);
    if (this.start === this.lastOffset && this.end === this.lastOffset + bytes.length) this.whole = bytes;
    return done;
  }

  /** append(buf.subarray(from, to)) without making the view. */
  appendRange(buf: Buffer, from: number, to: number): Buffer | null {
    if (buf !== this.last) {
      this.last = buf;
      this.lastBase = buf.buffer;
      this.lastOffset = buf.byteOffset;
    }
    const at = this.lastOffset + from;
    if (this.base !== null && this.lastBase === this.base && at === this.end) {
      this.end += to - from;
      this.whole = null;
      return null;
    }
    const done = this.take();
    this.base = this.lastBase;
    this.start = at;
    this.end = at + (to - from);
    return done;
  }

  /** Ends the run and returns it (null when empty); call before writing anything else. */
  take(): Buffer | null {
    const base = this.base;
    if (base === null) return null;
    this.base = null;
    const whole = this.whole;
    this.whole = null;
    return whole ?? Buffer.from(base, this.start, this.end - this.start);
  }
}
