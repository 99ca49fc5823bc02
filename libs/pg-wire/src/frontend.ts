import { type DescribeTarget, FrontendCode } from './codes';
import { type Cursor, openTyped } from './cursor';
import { cstringSize, emptyMessage, valueSize, Writer } from './writer';

// Frontend messages of the simple and extended query protocols ("53.7 Message Formats").

export type WireValue = Buffer | string | null;

export interface Query {
  type: 'query';
  sql: string;
}
export interface Parse {
  type: 'parse';
  /** Prepared statement name; '' is the unnamed statement. */
  name: string;
  sql: string;
  /** Parameter type OIDs; 0 leaves a type unspecified. */
  paramTypes: number[];
}
export interface Bind {
  type: 'bind';
  portal: string;
  statement: string;
  /** Zero codes = all text, one = applies to all, else one per parameter. */
  paramFormats: number[];
  /** Raw parameter bytes; null is SQL NULL (length -1). Views into the frame when parsed. */
  params: (Buffer | null)[];
  resultFormats: number[];
}
export interface Describe {
  type: 'describe';
  target: DescribeTarget;
  name: string;
}
export interface Execute {
  type: 'execute';
  portal: string;
  /** 0 means no limit. */
  maxRows: number;
}
export interface Close {
  type: 'close';
  target: DescribeTarget;
  name: string;
}
export interface FunctionCall {
  type: 'functionCall';
  functionOid: number;
  argFormats: number[];
  args: (Buffer | null)[];
  resultFormat: number;
}

/** "53.7 Message Formats" Query ('Q'). */
export function parseQuery(bytes: Buffer): Query {
  const c = openTyped(bytes, FrontendCode.Query, 'Query');
  const sql = c.cstring();
  c.end();
  return { type: 'query', sql };
}

export function buildQuery(sql: string): Buffer {
  return new Writer(FrontendCode.Query, cstringSize(sql)).cstring(sql).done();
}

/** "53.7 Message Formats" Parse ('P'). */
export function parseParse(bytes: Buffer): Parse {
  const c = openTyped(bytes, FrontendCode.Parse, 'Parse');
  const name = c.cstring();
  const sql = c.cstring();
  const n = c.count16();
  const paramTypes: number[] = new Array(n);
  for (let i = 0; i < n; i++) paramTypes[i] = c.uint32();
  c.end();
  return { type: 'parse', name, sql, paramTypes };
}

export function buildParse(msg: Omit<Parse, 'type'>): Buffer {
  const size = cstringSize(msg.name) + cstringSize(msg.sql) + 2 + 4 * msg.paramTypes.length;
  const w = new Writer(FrontendCode.Parse, size).cstring(msg.name).cstring(msg.sql).count16(msg.paramTypes.length);
  for (const oid of msg.paramTypes) w.uint32(oid);
  return w.done();
}

function readInt16List(c: Cursor): number[] {
  const n = c.count16();
  const list: number[] = new Array(n);
  for (let i = 0; i < n; i++) list[i] = c.int16();
  return list;
}

function readValues(c: Cursor): (Buffer | null)[] {
  const n = c.count16();
  const values: (Buffer | null)[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = c.nullableBytes();
  return values;
}

function valuesSize(values: readonly WireValue[]): number {
  let size = 2;
  for (const v of values) size += valueSize(v);
  return size;
}

function writeInt16List(w: Writer, list: readonly number[]): void {
  w.count16(list.length);
  for (const v of list) w.int16(v);
}

/** "53.7 Message Formats" Bind ('B'). */
export function parseBind(bytes: Buffer): Bind {
  const c = openTyped(bytes, FrontendCode.Bind, 'Bind');
  const portal = c.cstring();
  const statement = c.cstring();
  const paramFormats = readInt16List(c);
  const params = readValues(c);
  const resultFormats = readInt16List(c);
  c.end();
  return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
}

export interface BindInput {
  portal?: string;
  statement?: string;
  paramFormats?: readonly number[];
  params?: readonly WireValue[];
  resultFormats?: readonly number[];
}

export function buildBind(msg: BindInput): Buffer {
  const portal = msg.portal ?? '';
  const statement = msg.statement ?? '';
  const paramFormats = msg.paramFormats ?? [];
  const params = msg.params ?? [];
  const resultFormats = msg.resultFormats ?? [];
  const size = cstringSize(portal) + cstringSize(statement) + 2 + 2 * paramFormats.length + valuesSize(params) + 2 + 2 * resultFormats.length;
  const w = new Writer(FrontendCode.Bind, size).cstring(portal).cstring(statement);
  writeInt16List(w, paramFormats);
  w.count16(params.length);
  for (const v of params) w.value(v);
  writeInt16List(w, resultFormats);
  return w.done();
}

function parseTarget(c: Cursor): DescribeTarget {
  const t = c.uint8();
  if (t !== 0x53 && t !== 0x50) c.fail(`target must be 'S' or 'P', got 0x${t.toString(16)}`);
  return t === 0x53 ? 'S' : 'P';
}

/** "53.7 Message Formats" Describe ('D'). */
export function parseDescribe(bytes: Buffer): Describe {
  const c = openTyped(bytes, FrontendCode.Describe, 'Describe');
  const target = parseTarget(c);
  const name = c.cstring();
  c.end();
  return { type: 'describe', target, name };
}

export function buildDescribe(target: DescribeTarget, name = ''): Buffer {
  return new Writer(FrontendCode.Describe, 1 + cstringSize(name)).uint8(target.charCodeAt(0)).cstring(name).done();
}

/** "53.7 Message Formats" Execute ('E'). */
export function parseExecute(bytes: Buffer): Execute {
  const c = openTyped(bytes, FrontendCode.Execute, 'Execute');
  const portal = c.cstring();
  const maxRows = c.int32();
  c.end();
  return { type: 'execute', portal, maxRows };
}

export function buildExecute(portal = '', maxRows = 0): Buffer {
  return new Writer(FrontendCode.Execute, cstringSize(portal) + 4).cstring(portal).int32(maxRows).done();
}

/** "53.7 Message Formats" Close ('C'). */
export function parseClose(bytes: Buffer): Close {
  const c = openTyped(bytes, FrontendCode.Close, 'Close');
  const target = parseTarget(c);
  const name = c.cstring();
  c.end();
  return { type: 'close', target, name };
}

export function buildClose(target: DescribeTarget, name = ''): Buffer {
  return new Writer(FrontendCode.Close, 1 + cstringSize(name)).uint8(target.charCodeAt(0)).cstring(name).done();
}

/** "53.7 Message Formats" FunctionCall ('F'), the legacy fast-path interface. */
export function parseFunctionCall(bytes: Buffer): FunctionCall {
  const c = openTyped(bytes, FrontendCode.FunctionCall, 'FunctionCall');
  const functionOid = c.uint32();
  const argFormats = readInt16List(c);
  const args = readValues(c);
  const resultFormat = c.int16();
  c.end();
  return { type: 'functionCall', functionOid, argFormats, args, resultFormat };
}

export function buildFunctionCall(msg: { functionOid: number; argFormats?: readonly number[]; args: readonly WireValue[]; resultFormat?: number }): Buffer {
  const argFormats = msg.argFormats ?? [];
  const size = 4 + 2 + 2 * argFormats.length + valuesSize(msg.args) + 2;
  const w = new Writer(FrontendCode.FunctionCall, size).uint32(msg.functionOid);
  writeInt16List(w, argFormats);
  w.count16(msg.args.length);
  for (const v of msg.args) w.value(v);
  return w.int16(msg.resultFormat ?? 0).done();
}

/** "53.7 Message Formats" Sync ('S'). */
export const buildSync = (): Buffer => emptyMessage(FrontendCode.Sync);
/** "53.7 Message Formats" Flush ('H'). */
export const buildFlush = (): Buffer => emptyMessage(FrontendCode.Flush);
/** "53.7 Message Formats" Terminate ('X'). */
export const buildTerminate = (): Buffer => emptyMessage(FrontendCode.Terminate);

/** Checks a body-less message (Sync, Flush, Terminate, CopyDone, ParseComplete…). */
export function parseEmpty(bytes: Buffer, code: number, what: string): void {
  openTyped(bytes, code, what).end();
}
