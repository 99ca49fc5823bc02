import {
  BackendCode,
  CANCEL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  MAX_CANCEL_KEY_LENGTH,
  MIN_CANCEL_KEY_LENGTH,
  PROTOCOL_3_0,
  SSL_REQUEST_CODE,
} from './codes';
import { Cursor, openTyped } from './cursor';
import { PgProtocolError, SqlState } from './errors';
import { cstringSize, Writer } from './writer';

export interface StartupMessage {
  type: 'startup';
  /** Protocol major is always 3 here; minor 0 is 3.0, 2 is PG 18's 3.2. */
  majorVersion: 3;
  minorVersion: number;
  /** user, database, options, application_name, _pq_.* protocol options… in wire order. */
  parameters: Record<string, string>;
}
export interface SSLRequest {
  type: 'sslRequest';
}
export interface GSSENCRequest {
  type: 'gssencRequest';
}
export interface CancelRequest {
  type: 'cancelRequest';
  processId: number;
  /** 4 bytes in protocol 3.0, up to 256 in 3.2 (PG 18). */
  secretKey: Buffer;
}
export type StartupPacket = StartupMessage | SSLRequest | GSSENCRequest | CancelRequest;

/**
 * Decodes an untyped startup-phase packet ("53.7 Message Formats": StartupMessage, SSLRequest,
 * GSSENCRequest, CancelRequest). Protocol majors other than 3 raise 0A000 so the proxy can reply
 * with a native error before closing.
 */
export function parseStartupPacket(bytes: Buffer): StartupPacket {
  if (bytes.length < 8 || bytes.readInt32BE(0) !== bytes.length) {
    throw new PgProtocolError('malformed startup packet: length field disagrees with packet size');
  }
  const code = bytes.readInt32BE(4);
  const c = new Cursor(bytes, 8, 'startup');
  switch (code) {
    case SSL_REQUEST_CODE:
      c.end();
      return { type: 'sslRequest' };
    case GSSENC_REQUEST_CODE:
      c.end();
      return { type: 'gssencRequest' };
    case CANCEL_REQUEST_CODE:
      return parseCancelBody(c);
  }
  const major = code >>> 16;
  if (major !== PROTOCOL_3_0 >>> 16) {
    throw new PgProtocolError(`unsupported frontend protocol ${major}.${code & 0xffff}: server supports 3.0`, SqlState.FeatureNotSupported);
  }
  return { type: 'startup', majorVersion: 3, minorVersion: code & 0xffff, parameters: parseStartupParameters(c) };
}

function parseStartupParameters(c: Cursor): Record<string, string> {
  // A null prototype keeps a hostile "__proto__" key from touching Object.prototype.
  const parameters: Record<string, string> = Object.create(null);
  for (;;) {
    const name = c.cstring();
    if (name === '') break;
    parameters[name] = c.cstring();
  }
  c.end();
  if (parameters.user === undefined) throw new PgProtocolError('no PostgreSQL user name specified in startup packet', SqlState.InvalidAuthorizationSpecification);
  return parameters;
}

function parseCancelBody(c: Cursor): CancelRequest {
  const processId = c.int32();
  const secretKey = c.rest();
  if (secretKey.length < MIN_CANCEL_KEY_LENGTH || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    c.fail(`cancel key of ${secretKey.length} bytes (allowed ${MIN_CANCEL_KEY_LENGTH}..${MAX_CANCEL_KEY_LENGTH})`);
  }
  return { type: 'cancelRequest', processId, secretKey };
}

/** "53.7 Message Formats" StartupMessage; minorVersion defaults to 0 (protocol 3.0). */
export function buildStartupMessage(parameters: Record<string, string>, minorVersion = 0): Buffer {
  let size = 4 + 1;
  for (const key in parameters) size += cstringSize(key) + cstringSize(parameters[key]);
  const w = new Writer(null, size).int32(PROTOCOL_3_0 | minorVersion);
  for (const key in parameters) w.cstring(key).cstring(parameters[key]);
  return w.uint8(0).done();
}

/** "53.7 Message Formats" SSLRequest. */
export function buildSSLRequest(): Buffer {
  return new Writer(null, 4).int32(SSL_REQUEST_CODE).done();
}

/** "53.7 Message Formats" GSSENCRequest. */
export function buildGSSENCRequest(): Buffer {
  return new Writer(null, 4).int32(GSSENC_REQUEST_CODE).done();
}

/** "53.7 Message Formats" CancelRequest; a number key is written as the 3.0 int32 form. */
export function buildCancelRequest(processId: number, secretKey: Buffer | number): Buffer {
  const key = typeof secretKey === 'number' ? int32Bytes(secretKey) : secretKey;
  if (key.length < MIN_CANCEL_KEY_LENGTH || key.length > MAX_CANCEL_KEY_LENGTH) {
    throw new PgProtocolError(`cancel key of ${key.length} bytes (allowed ${MIN_CANCEL_KEY_LENGTH}..${MAX_CANCEL_KEY_LENGTH})`);
  }
  return new Writer(null, 8 + key.length).int32(CANCEL_REQUEST_CODE).int32(processId).bytes(key).done();
}

function int32Bytes(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v | 0, 0);
  return b;
}

export interface NegotiateProtocolVersion {
  type: 'negotiateProtocolVersion';
  /** Newest minor version of the client's major that the server supports. */
  newestMinorVersion: number;
  /** Protocol options (`_pq_.*`) from the startup packet the server did not recognise. */
  unrecognizedOptions: string[];
}

/** "53.7 Message Formats" NegotiateProtocolVersion ('v'). */
export function buildNegotiateProtocolVersion(newestMinorVersion: number, unrecognizedOptions: readonly string[] = []): Buffer {
  let size = 8;
  for (const o of unrecognizedOptions) size += cstringSize(o);
  const w = new Writer(BackendCode.NegotiateProtocolVersion, size).int32(newestMinorVersion).int32(unrecognizedOptions.length);
  for (const o of unrecognizedOptions) w.cstring(o);
  return w.done();
}

/** "53.7 Message Formats" NegotiateProtocolVersion ('v'). */
export function parseNegotiateProtocolVersion(bytes: Buffer): NegotiateProtocolVersion {
  const c = openTyped(bytes, BackendCode.NegotiateProtocolVersion, 'NegotiateProtocolVersion');
  const newestMinorVersion = c.int32();
  const n = c.int32();
  if (n < 0 || n > c.remaining) c.fail(`bad option count ${n}`);
  const unrecognizedOptions: string[] = [];
  for (let i = 0; i < n; i++) unrecognizedOptions.push(c.cstring());
  c.end();
  return { type: 'negotiateProtocolVersion', newestMinorVersion, unrecognizedOptions };
}

/**
 * Protocol options the startup packet asked for (`_pq_.` prefix), which a 3.0-only peer must
 * list back in NegotiateProtocolVersion ("53.2.1 Start-up").
 */
export function protocolOptions(msg: StartupMessage): string[] {
  return Object.keys(msg.parameters).filter((k) => k.startsWith('_pq_.'));
}
