/**
 * Coalesces consecutive forwarded frames that sit side by side in memory into one Buffer view,
 * so a proxy writes one range per chunk instead of one per message. Frames from FrameReader that
 * came from the same chunk are adjacent subarrays of it, which is what this detects.
 */
export class ForwardRun {
  private base: ArrayBufferLike | null = null;
  private start = 0;
  private end = 0;
  private first: Buffer | null = null;

  /**
   * Adds bytes to the run. When they do not continue it, returns the finished run (caller writes
   * it) and starts a new one; otherwise returns null.
   */
  append(bytes: Buffer): Buffer | null {
    if (this.first !== null && bytes.buffer === this.base && bytes.byteOffset === this.end) {
      this.end += bytes.length;
      return null;
    }
    const done = this.take();
    this.first = bytes;
    this.base = bytes.buffer;
    this.start = bytes.byteOffset;
    this.end = bytes.byteOffset + bytes.length;
    return done;
  }

  /** Ends the run and returns it (null when empty); call before writing anything else. */
  take(): Buffer | null {
    const first = this.first;
    if (first === null) return null;
    this.first = null;
    this.base = null;
    const length = this.end - this.start;
    return length === first.length ? first : Buffer.from(first.buffer, this.start, length);
  }
}
