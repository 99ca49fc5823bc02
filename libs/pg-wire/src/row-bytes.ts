// Byte writers shared by rewriteDataRow and DataRowWriter (not exported from the package).

/** Below this, runs are copied and ASCII strings written byte by byte. */
export const SHORT = 48;

export function putInt32(out: Buffer, pos: number, v: number): number {
  out[pos] = v >>> 24;
  out[pos + 1] = v >>> 16;
  out[pos + 2] = v >>> 8;
  out[pos + 3] = v;
  return pos + 4;
}

export function copyRun(src: Buffer, from: number, to: number, out: Buffer, pos: number): number {
  if (to - from > SHORT) return pos + src.copy(out, pos, from, to);
  for (let k = from; k < to; k++) out[pos++] = src[k];
  return pos;
}

export function utf8Length(s: string): number {
  if (s.length > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

export function putUtf8(out: Buffer, pos: number, s: string): number {
  if (s.length <= SHORT) {
    let k = 0;
    for (; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) break;
      out[pos + k] = c;
    }
    if (k === s.length) return k;
  }
  return out.write(s, pos, 'utf8');
}
