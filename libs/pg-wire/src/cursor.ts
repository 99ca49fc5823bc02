import { PgProtocolError } from './errors';

/** Bytes of a C string looked at in JavaScript before handing the search to Buffer.indexOf. */
const SHORT_CSTRING = 64;

/**
 * Bounds-checked reader over one message body. Every overrun becomes a PgProtocolError (08P01)
 * so a hostile frame can never surface a RangeError from Buffer.
 */
export class Cursor {
  private pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    private readonly what: string,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(reason: string): never {
    throw new PgProtocolError(`malformed ${this.what} message: ${reason}`);
  }

  private need(n: number): void {
    if (this.buf.length - this.pos < n) this.fail('truncated');
  }

  uint8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** A count field: Postgres sends counts as int16 but never negative. */
  count16(): number {
    const n = this.int16();
    if (n < 0) this.fail(`negative count ${n}`);
    return n;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  cstring(): string {
    const buf = this.buf;
    const start = this.pos;
    // Most strings here are names, and most names are empty (the unnamed statement and portal of
    // every extended-protocol round trip) or short: found in a loop, without indexOf's native call.
    let end = start;
    const limit = Math.min(buf.length, start + SHORT_CSTRING);
    while (end < limit && buf[end] !== 0) end++;
    if (end === limit) end = buf.indexOf(0, end);
    if (end < 0) this.fail('unterminated string');
    this.pos = end + 1;
    return end === start ? '' : buf.toString('utf8', start, end);
  }

  /** Zero-copy view of the next n bytes. */
  bytes(n: number): Buffer {
    if (n < 0) this.fail(`negative length ${n}`);
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** int32 length then bytes; -1 means NULL (Bind parameters, DataRow cells, function results). */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    return this.bytes(n);
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** Trailing garbage means the peer and we disagree on the format: reject rather than guess. */
  end(): void {
    if (this.pos !== this.buf.length) this.fail(`${this.buf.length - this.pos} unexpected trailing bytes`);
  }
}

/**
 * Opens a typed frame (code + int32 length) for parsing, checking that the buffer is exactly
 * one message of the expected code.
 */
export function openTyped(buf: Buffer, code: number, what: string): Cursor {
  if (buf.length < 5) throw new PgProtocolError(`malformed ${what} message: shorter than its header`);
  if (buf[0] !== code) {
    throw new PgProtocolError(`expected ${what} message ('${String.fromCharCode(code)}'), got code 0x${buf[0].toString(16)}`);
  }
  if (buf.readInt32BE(1) + 1 !== buf.length) {
    throw new PgProtocolError(`malformed ${what} message: length field disagrees with frame size`);
  }
  return new Cursor(buf, 5, what);
}
