import { BackendCode } from './codes';
import { openTyped } from './cursor';
import { emptyMessage, cstringSize, valueSize, Writer } from './writer';

// Backend messages of query execution ("53.2.2 Simple Query", "53.2.3 Extended Query",
// "53.2.5 Function Call", "53.2.7 Asynchronous Operations"; formats in "53.7 Message Formats").

export interface FieldDescription {
  name: string;
  /** 0 when the column is not a plain table column (expressions). */
  tableOid: number;
  columnAttr: number;
  typeOid: number;
  typeSize: number;
  typeModifier: number;
  format: number;
}
export interface RowDescription {
  type: 'rowDescription';
  fields: FieldDescription[];
}
export interface ParameterDescription {
  type: 'parameterDescription';
  typeOids: number[];
}
export interface CommandComplete {
  type: 'commandComplete';
  /** e.g. "SELECT 3", "INSERT 0 1". */
  tag: string;
}
export interface NotificationResponse {
  type: 'notificationResponse';
  processId: number;
  channel: string;
  payload: string;
}
export interface FunctionCallResponse {
  type: 'functionCallResponse';
  result: Buffer | null;
}

/** RowDescription ('T'). */
export function parseRowDescription(bytes: Buffer): RowDescription {
  const c = openTyped(bytes, BackendCode.RowDescription, 'RowDescription');
  const n = c.count16();
  const fields: FieldDescription[] = new Array(n);
  for (let i = 0; i < n; i++) {
    fields[i] = {
      name: c.cstring(),
      tableOid: c.uint32(),
      columnAttr: c.int16(),
      typeOid: c.uint32(),
      typeSize: c.int16(),
      typeModifier: c.int32(),
      format: c.int16(),
    };
  }
  c.end();
  return { type: 'rowDescription', fields };
}

export function buildRowDescription(fields: readonly FieldDescription[]): Buffer {
  let size = 2;
  for (const f of fields) size += cstringSize(f.name) + 18;
  const w = new Writer(BackendCode.RowDescription, size).count16(fields.length);
  for (const f of fields) {
    w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
  }
  return w.done();
}

/** ParameterDescription ('t'). */
export function parseParameterDescription(bytes: Buffer): ParameterDescription {
  const c = openTyped(bytes, BackendCode.ParameterDescription, 'ParameterDescription');
  const n = c.count16();
  const typeOids: number[] = new Array(n);
  for (let i = 0; i < n; i++) typeOids[i] = c.uint32();
  c.end();
  return { type: 'parameterDescription', typeOids };
}

export function buildParameterDescription(typeOids: readonly number[]): Buffer {
  const w = new Writer(BackendCode.ParameterDescription, 2 + 4 * typeOids.length).count16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  return w.done();
}

/** CommandComplete ('C'). */
export function parseCommandComplete(bytes: Buffer): CommandComplete {
  const c = openTyped(bytes, BackendCode.CommandComplete, 'CommandComplete');
  const tag = c.cstring();
  c.end();
  return { type: 'commandComplete', tag };
}

export function buildCommandComplete(tag: string): Buffer {
  return new Writer(BackendCode.CommandComplete, cstringSize(tag)).cstring(tag).done();
}

/** NotificationResponse ('A'). */
export function parseNotificationResponse(bytes: Buffer): NotificationResponse {
  const c = openTyped(bytes, BackendCode.NotificationResponse, 'NotificationResponse');
  const processId = c.int32();
  const channel = c.cstring();
  const payload = c.cstring();
  c.end();
  return { type: 'notificationResponse', processId, channel, payload };
}

export function buildNotificationResponse(processId: number, channel: string, payload: string): Buffer {
  return new Writer(BackendCode.NotificationResponse, 4 + cstringSize(channel) + cstringSize(payload))
    .int32(processId)
    .cstring(channel)
    .cstring(payload)
    .done();
}

/** FunctionCallResponse ('V'). */
export function parseFunctionCallResponse(bytes: Buffer): FunctionCallResponse {
  const c = openTyped(bytes, BackendCode.FunctionCallResponse, 'FunctionCallResponse');
  const result = c.nullableBytes();
  c.end();
  return { type: 'functionCallResponse', result };
}

export function buildFunctionCallResponse(result: Buffer | string | null): Buffer {
  return new Writer(BackendCode.FunctionCallResponse, valueSize(result)).value(result).done();
}

/** ParseComplete ('1'). */
export const buildParseComplete = (): Buffer => emptyMessage(BackendCode.ParseComplete);
/** BindComplete ('2'). */
export const buildBindComplete = (): Buffer => emptyMessage(BackendCode.BindComplete);
/** CloseComplete ('3'). */
export const buildCloseComplete = (): Buffer => emptyMessage(BackendCode.CloseComplete);
/** NoData ('n'). */
export const buildNoData = (): Buffer => emptyMessage(BackendCode.NoData);
/** PortalSuspended ('s'). */
export const buildPortalSuspended = (): Buffer => emptyMessage(BackendCode.PortalSuspended);
/** EmptyQueryResponse ('I'). */
export const buildEmptyQueryResponse = (): Buffer => emptyMessage(BackendCode.EmptyQueryResponse);
