import { invalidLengthError } from './errors';

/**
 * Follows typed-message boundaries ("53.7 Message Formats") through a byte stream without
 * materialising frames: per chunk it reads only the 5-byte headers, so a proxy that inspects
 * nothing can forward whole chunks and still know where each message starts and ends (to switch
 * to framing, or to place a message of its own between two). No allocation per chunk or frame.
 *
 * Lengths are checked exactly as FrameReader checks them; a bad one throws PgProtocolError and
 * the stream is out of sync from then on.
 */
export class FrameWalker {
  /** Body bytes of the current frame not walked yet. */
  private need = 0;
  /** A header split across chunks. */
  private readonly header = Buffer.alloc(5);
  private headerFilled = 0;
  /** Frames seen whose code is one of the two counted codes (e.g. Query and Execute). */
  counted = 0;

  /**
   * @param maxMessageLength cap on a length field, as FrameReader's `maxMessageLength`
   * @param countA, countB message codes to count in `counted` (-1: none)
   */
  constructor(
    private readonly maxMessageLength: number,
    private readonly countA = -1,
    private readonly countB = -1,
  ) {}

  /** Between two frames (nothing of a frame walked but not finished). */
  get atBoundary(): boolean {
    return this.need === 0 && this.headerFilled === 0;
  }

  /**
   * Walks `chunk` from `start`. Returns where it stopped: `chunk.length`, or with `untilBoundary`
   * the first frame boundary at or after `start` (which is `start` itself when already at one).
   */
  walk(chunk: Buffer, start = 0, untilBoundary = false): number {
    const n = chunk.length;
    let pos = start;
    for (;;) {
      if (this.headerFilled > 0) {
        const k = Math.min(5 - this.headerFilled, n - pos);
        chunk.copy(this.header, this.headerFilled, pos, pos + k);
        this.headerFilled += k;
        pos += k;
        if (this.headerFilled < 5) return pos;
        this.headerFilled = 0;
        this.need = this.body(this.header[0], this.header.readInt32BE(1));
      }
      if (this.need > 0) {
        const k = Math.min(this.need, n - pos);
        this.need -= k;
        pos += k;
        if (this.need > 0) return pos;
      }
      if (untilBoundary || pos >= n) return pos;
      if (n - pos < 5) {
        this.headerFilled = chunk.copy(this.header, 0, pos);
        return n;
      }
      const total = this.body(chunk[pos], chunk.readInt32BE(pos + 1)) + 5;
      if (n - pos >= total) {
        pos += total;
        continue;
      }
      this.need = total - (n - pos);
      return n;
    }
  }

  private body(code: number, length: number): number {
    if (length < 4 || length > this.maxMessageLength) throw invalidLengthError(length, code, this.maxMessageLength);
    if (code === this.countA || code === this.countB) this.counted++;
    return length - 4;
  }
}
