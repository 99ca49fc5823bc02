import { BackendCode, FrontendCode } from './codes';
import { openTyped } from './cursor';
import { cstringSize, emptyMessage, Writer } from './writer';

// COPY sub-protocol messages ("53.2.6 COPY Operations", formats in "53.7 Message Formats").
// CopyData 'd' and CopyDone 'c' have the same code in both directions.

export interface CopyData {
  type: 'copyData';
  /** View into the frame. */
  data: Buffer;
}
export interface CopyFail {
  type: 'copyFail';
  message: string;
}
export type CopyResponseKind = 'copyInResponse' | 'copyOutResponse' | 'copyBothResponse';
export interface CopyResponse {
  type: CopyResponseKind;
  /** 0 = textual, 1 = binary. */
  overallFormat: number;
  columnFormats: number[];
}

const COPY_CODES: Record<CopyResponseKind, number> = {
  copyInResponse: BackendCode.CopyInResponse,
  copyOutResponse: BackendCode.CopyOutResponse,
  copyBothResponse: BackendCode.CopyBothResponse,
};

/** CopyData ('d'), either direction. */
export function parseCopyData(bytes: Buffer): CopyData {
  return { type: 'copyData', data: openTyped(bytes, FrontendCode.CopyData, 'CopyData').rest() };
}

export function buildCopyData(data: Buffer | string): Buffer {
  const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  return new Writer(FrontendCode.CopyData, len).bytes(data).done();
}

/** CopyDone ('c'), either direction. */
export const buildCopyDone = (): Buffer => emptyMessage(FrontendCode.CopyDone);

/** CopyFail ('f'), frontend only. */
export function parseCopyFail(bytes: Buffer): CopyFail {
  const c = openTyped(bytes, FrontendCode.CopyFail, 'CopyFail');
  const message = c.cstring();
  c.end();
  return { type: 'copyFail', message };
}

export function buildCopyFail(message: string): Buffer {
  return new Writer(FrontendCode.CopyFail, cstringSize(message)).cstring(message).done();
}

/** CopyInResponse ('G'), CopyOutResponse ('H') or CopyBothResponse ('W'). */
export function parseCopyResponse(bytes: Buffer, kind: CopyResponseKind): CopyResponse {
  const c = openTyped(bytes, COPY_CODES[kind], kind);
  const overallFormat = c.uint8();
  const n = c.count16();
  const columnFormats: number[] = new Array(n);
  for (let i = 0; i < n; i++) columnFormats[i] = c.int16();
  c.end();
  return { type: kind, overallFormat, columnFormats };
}

export function buildCopyResponse(kind: CopyResponseKind, overallFormat: number, columnFormats: readonly number[]): Buffer {
  const w = new Writer(COPY_CODES[kind], 1 + 2 + 2 * columnFormats.length).uint8(overallFormat).count16(columnFormats.length);
  for (const f of columnFormats) w.int16(f);
  return w.done();
}
