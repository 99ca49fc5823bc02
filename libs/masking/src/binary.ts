/**
 * Binary-format (format code 1) decoding for the two numeric types that can
 * hold a card number. Layouts from src/backend/utils/adt/{int8,numeric}.c
 * (int8send, numeric_send).
 */
export const INT8_OID = 20;
export const NUMERIC_OID = 1700;

/** Decimal digits of an integral value, or null when it is not an integer (or not decodable). */
export function decodeBinaryInteger(buf: Buffer, oid: number): string | null {
  if (oid === INT8_OID) {
    if (buf.length !== 8) return null;
    return buf.readBigInt64BE(0).toString();
  }
  if (oid !== NUMERIC_OID || buf.length < 8) return null;
  const ndigits = buf.readInt16BE(0);
  const weight = buf.readInt16BE(2);
  const sign = buf.readUInt16BE(4);
  if (sign !== 0 && sign !== 0x4000) return null; // NaN / ±Infinity
  if (buf.length !== 8 + 2 * ndigits || weight < 0 || weight > 10) return null;
  let out = '';
  for (let g = 0; g <= weight; g++) {
    const d = g < ndigits ? buf.readInt16BE(8 + 2 * g) : 0;
    out += g === 0 ? String(d) : String(d).padStart(4, '0');
  }
  // Non-zero base-10000 digits after the decimal point: not an integer.
  for (let g = weight + 1; g < ndigits; g++) if (buf.readInt16BE(8 + 2 * g) !== 0) return null;
  return (sign === 0x4000 ? '-' : '') + out;
}
