// A batch of JSON lines kept as UTF-8 bytes. Each event's line is encoded into one slab when it is
// recorded: the line is a short-lived string, and no batch-long string is built. A batch string
// lived a whole flush interval, long enough to be promoted, and its thousands of pieces were
// flattened and encoded again at every flush.

/** Lines appended as UTF-8 into a slab that grows as needed and is reused after every take(). */
export class BatchBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly capacity = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos;
  }

  /** Appends `text` and a newline. */
  line(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const max = text.length * 3 + 1;
    if (this.pos + max > this.buf.length) this.grow(max);
    this.pos += this.buf.write(text, this.pos, 'utf8');
    this.buf[this.pos++] = 0x0a;
  }

  /**
   * The bytes written since the last take(), in a Buffer of their own (a copy: the slab is written
   * again at once). A slab a large batch made grow is dropped for one of the usual size.
   */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.takeInto(out);
    return out;
  }

  /** Copies the bytes written since the last take() to the start of `target` (at least `length` bytes) and starts over. */
  takeInto(target: Uint8Array): void {
    if (target.length < this.pos) throw new RangeError(`airlock: a batch of ${this.pos} bytes does not fit in ${target.length}`);
    this.buf.copy(target, 0, 0, this.pos);
    this.pos = 0;
    if (this.buf.length > 4 * this.capacity) this.buf = Buffer.allocUnsafeSlow(this.capacity);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
