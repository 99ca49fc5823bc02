import { PgProtocolError, SqlState } from './errors';

/** Byte size of a NUL-terminated UTF-8 string. */
export function cstringSize(s: string): number {
  return Buffer.byteLength(s, 'utf8') + 1;
}

/** Byte size of an int32-length-prefixed value (NULL encodes as length -1 and no bytes). */
export function valueSize(v: Buffer | string | null): number {
  if (v === null) return 4;
  return 4 + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);
}

/**
 * Writes into one exact-size buffer whose size the caller computed first, so a builder
 * allocates once and never concatenates.
 */
export class Writer {
  readonly buf: Buffer;
  private pos: number;

  /**
   * Starts a typed message (code + int32 length + bodySize bytes), or with code null an
   * untyped startup-phase packet (int32 length + bodySize bytes).
   */
  constructor(code: number | null, bodySize: number) {
    if (code === null) {
      this.buf = Buffer.allocUnsafe(4 + bodySize);
      this.buf.writeInt32BE(4 + bodySize, 0);
      this.pos = 4;
    } else {
      this.buf = Buffer.allocUnsafe(5 + bodySize);
      this.buf[0] = code;
      this.buf.writeInt32BE(4 + bodySize, 1);
      this.pos = 5;
    }
  }

  uint8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }

  int16(v: number): this {
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  /** An int16 count; the protocol cannot carry more than 32767 parameters, columns or codes. */
  count16(n: number): this {
    if (n > 0x7fff) throw new PgProtocolError(`${n} items exceed the protocol limit of 32767`, SqlState.ProgramLimitExceeded);
    return this.int16(n);
  }

  int32(v: number): this {
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  uint32(v: number): this {
    this.pos = this.buf.writeUInt32BE(v, this.pos);
    return this;
  }

  cstring(s: string): this {
    // An embedded NUL would silently split the field and desynchronise the peer.
    if (s.includes('\0')) throw new PgProtocolError('string field contains a NUL byte');
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  bytes(b: Buffer | string): this {
    if (typeof b === 'string') this.pos += this.buf.write(b, this.pos, 'utf8');
    else this.pos += b.copy(this.buf, this.pos);
    return this;
  }

  value(v: Buffer | string | null): this {
    if (v === null) return this.int32(-1);
    this.int32(typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);
    return this.bytes(v);
  }

  done(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`pg-wire writer size mismatch: ${this.pos} != ${this.buf.length}`);
    return this.buf;
  }
}

/** A message with no body (Sync, Flush, ParseComplete…): 5 fresh bytes. */
export function emptyMessage(code: number): Buffer {
  return new Writer(code, 0).done();
}
