import { BackendCode } from './codes';
import { openTyped } from './cursor';
import { type PgProtocolError } from './errors';
import { cstringSize, Writer } from './writer';

// ErrorResponse ('E') and NoticeResponse ('N') share one body: (field code, cstring)* then a
// zero byte. Field codes: "53.8 Error and Notice Message Fields".

export interface NoticeFields {
  /** S: ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG (possibly localized). */
  severity?: string;
  /** V: never localized (PG ≥ 9.6). */
  severityNonLocalized?: string;
  /** C: SQLSTATE. */
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
  /** Field codes unknown to this version, kept so a proxy can re-emit them. */
  unknown?: [code: string, value: string][];
}

export interface ErrorResponse extends NoticeFields {
  type: 'errorResponse';
}
export interface NoticeResponse extends NoticeFields {
  type: 'noticeResponse';
}

type KnownField = Exclude<keyof NoticeFields, 'unknown'>;

/** Field code letter → property, in the order Postgres itself emits them. */
const FIELDS: readonly (readonly [number, KnownField])[] = [
  [0x53, 'severity'], // S
  [0x56, 'severityNonLocalized'], // V
  [0x43, 'code'], // C
  [0x4d, 'message'], // M
  [0x44, 'detail'], // D
  [0x48, 'hint'], // H
  [0x50, 'position'], // P
  [0x70, 'internalPosition'], // p
  [0x71, 'internalQuery'], // q
  [0x57, 'where'], // W
  [0x73, 'schema'], // s
  [0x74, 'table'], // t
  [0x63, 'column'], // c
  [0x64, 'dataType'], // d
  [0x6e, 'constraint'], // n
  [0x46, 'file'], // F
  [0x4c, 'line'], // L
  [0x52, 'routine'], // R
];
const BY_CODE = new Map<number, KnownField>(FIELDS.map(([c, k]) => [c, k]));

function parseFields<T extends 'errorResponse' | 'noticeResponse'>(bytes: Buffer, code: number, type: T): NoticeFields & { type: T } {
  const c = openTyped(bytes, code, type === 'errorResponse' ? 'ErrorResponse' : 'NoticeResponse');
  const out: NoticeFields & { type: T } = { type };
  for (let f = c.uint8(); f !== 0; f = c.uint8()) {
    const value = c.cstring();
    const key = BY_CODE.get(f);
    if (key !== undefined) out[key] = value;
    else (out.unknown ??= []).push([String.fromCharCode(f), value]);
  }
  c.end();
  return out;
}

function buildFields(code: number, fields: NoticeFields): Buffer {
  let size = 1;
  for (const [, key] of FIELDS) {
    const v = fields[key];
    if (v !== undefined) size += 1 + cstringSize(v);
  }
  for (const [, v] of fields.unknown ?? []) size += 1 + cstringSize(v);
  const w = new Writer(code, size);
  for (const [letter, key] of FIELDS) {
    const v = fields[key];
    if (v !== undefined) w.uint8(letter).cstring(v);
  }
  for (const [letter, v] of fields.unknown ?? []) w.uint8(letter.charCodeAt(0)).cstring(v);
  return w.uint8(0).done();
}

/** ErrorResponse ('E'). */
export const parseErrorResponse = (bytes: Buffer): ErrorResponse => parseFields(bytes, BackendCode.ErrorResponse, 'errorResponse');
export const buildErrorResponse = (fields: NoticeFields): Buffer => buildFields(BackendCode.ErrorResponse, fields);

/** NoticeResponse ('N'). */
export const parseNoticeResponse = (bytes: Buffer): NoticeResponse => parseFields(bytes, BackendCode.NoticeResponse, 'noticeResponse');
export const buildNoticeResponse = (fields: NoticeFields): Buffer => buildFields(BackendCode.NoticeResponse, fields);

export interface ErrorInput {
  severity: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** Convenience ErrorResponse with S, V, C, M (+ D, H): what clients show for a native error. */
export function errorResponse(e: ErrorInput): Buffer {
  return buildErrorResponse({
    severity: e.severity,
    severityNonLocalized: e.severity,
    code: e.code,
    message: e.message,
    detail: e.detail,
    hint: e.hint,
  });
}

/** FATAL ErrorResponse for a PgProtocolError, sent just before closing the connection. */
export function protocolErrorResponse(err: PgProtocolError): Buffer {
  return errorResponse({ severity: 'FATAL', code: err.sqlState, message: err.message });
}
