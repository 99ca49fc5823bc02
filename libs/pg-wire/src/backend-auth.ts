import { AuthCode, BackendCode, MAX_CANCEL_KEY_LENGTH, MIN_CANCEL_KEY_LENGTH, type TransactionStatus } from './codes';
import { openTyped } from './cursor';
import { cstringSize, Writer } from './writer';

// Backend messages of the start-up phase ("53.2.1 Start-up", formats in "53.7 Message Formats").

export type Authentication =
  | { type: 'authenticationOk' }
  | { type: 'authenticationKerberosV5' }
  | { type: 'authenticationCleartextPassword' }
  | { type: 'authenticationMD5Password'; salt: Buffer }
  | { type: 'authenticationGSS' }
  | { type: 'authenticationGSSContinue'; data: Buffer }
  | { type: 'authenticationSSPI' }
  | { type: 'authenticationSASL'; mechanisms: string[] }
  | { type: 'authenticationSASLContinue'; data: Buffer }
  | { type: 'authenticationSASLFinal'; data: Buffer };

export interface ParameterStatus {
  type: 'parameterStatus';
  name: string;
  value: string;
}
export interface BackendKeyData {
  type: 'backendKeyData';
  processId: number;
  /** 4 bytes in protocol 3.0, up to 256 in 3.2. */
  secretKey: Buffer;
}
export interface ReadyForQuery {
  type: 'readyForQuery';
  status: TransactionStatus;
}

/** Authentication* ('R'): the int32 subtype selects the variant. */
export function parseAuthentication(bytes: Buffer): Authentication {
  const c = openTyped(bytes, BackendCode.Authentication, 'Authentication');
  const code = c.int32();
  let msg: Authentication;
  switch (code) {
    case AuthCode.Ok: msg = { type: 'authenticationOk' }; break;
    case AuthCode.KerberosV5: msg = { type: 'authenticationKerberosV5' }; break;
    case AuthCode.CleartextPassword: msg = { type: 'authenticationCleartextPassword' }; break;
    case AuthCode.MD5Password: msg = { type: 'authenticationMD5Password', salt: c.bytes(4) }; break;
    case AuthCode.GSS: msg = { type: 'authenticationGSS' }; break;
    case AuthCode.GSSContinue: msg = { type: 'authenticationGSSContinue', data: c.rest() }; break;
    case AuthCode.SSPI: msg = { type: 'authenticationSSPI' }; break;
    case AuthCode.SASL: {
      const mechanisms: string[] = [];
      for (let m = c.cstring(); m !== ''; m = c.cstring()) mechanisms.push(m);
      msg = { type: 'authenticationSASL', mechanisms };
      break;
    }
    case AuthCode.SASLContinue: msg = { type: 'authenticationSASLContinue', data: c.rest() }; break;
    case AuthCode.SASLFinal: msg = { type: 'authenticationSASLFinal', data: c.rest() }; break;
    default: msg = c.fail(`unknown authentication request ${code}`);
  }
  c.end();
  return msg;
}

function authWith(code: AuthCode, extra: number): Writer {
  return new Writer(BackendCode.Authentication, 4 + extra).int32(code);
}

export const buildAuthenticationOk = (): Buffer => authWith(AuthCode.Ok, 0).done();
export const buildAuthenticationCleartextPassword = (): Buffer => authWith(AuthCode.CleartextPassword, 0).done();

export function buildAuthenticationMD5Password(salt: Buffer): Buffer {
  if (salt.length !== 4) throw new RangeError('pg-wire: MD5 salt must be 4 bytes');
  return authWith(AuthCode.MD5Password, 4).bytes(salt).done();
}

export function buildAuthenticationSASL(mechanisms: readonly string[]): Buffer {
  let size = 1;
  for (const m of mechanisms) size += cstringSize(m);
  const w = authWith(AuthCode.SASL, size);
  for (const m of mechanisms) w.cstring(m);
  return w.uint8(0).done();
}

export function buildAuthenticationSASLContinue(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return authWith(AuthCode.SASLContinue, b.length).bytes(b).done();
}

export function buildAuthenticationSASLFinal(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return authWith(AuthCode.SASLFinal, b.length).bytes(b).done();
}

/** ParameterStatus ('S'). */
export function parseParameterStatus(bytes: Buffer): ParameterStatus {
  const c = openTyped(bytes, BackendCode.ParameterStatus, 'ParameterStatus');
  const name = c.cstring();
  const value = c.cstring();
  c.end();
  return { type: 'parameterStatus', name, value };
}

export function buildParameterStatus(name: string, value: string): Buffer {
  return new Writer(BackendCode.ParameterStatus, cstringSize(name) + cstringSize(value)).cstring(name).cstring(value).done();
}

/** BackendKeyData ('K'). */
export function parseBackendKeyData(bytes: Buffer): BackendKeyData {
  const c = openTyped(bytes, BackendCode.BackendKeyData, 'BackendKeyData');
  const processId = c.int32();
  const secretKey = c.rest();
  if (secretKey.length < MIN_CANCEL_KEY_LENGTH || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    c.fail(`secret key of ${secretKey.length} bytes`);
  }
  return { type: 'backendKeyData', processId, secretKey };
}

export function buildBackendKeyData(processId: number, secretKey: Buffer | number): Buffer {
  if (typeof secretKey === 'number') return new Writer(BackendCode.BackendKeyData, 8).int32(processId).int32(secretKey | 0).done();
  if (secretKey.length < MIN_CANCEL_KEY_LENGTH || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    throw new RangeError(`pg-wire: secret key of ${secretKey.length} bytes`);
  }
  return new Writer(BackendCode.BackendKeyData, 4 + secretKey.length).int32(processId).bytes(secretKey).done();
}

/** ReadyForQuery ('Z'). */
export function parseReadyForQuery(bytes: Buffer): ReadyForQuery {
  const c = openTyped(bytes, BackendCode.ReadyForQuery, 'ReadyForQuery');
  const s = c.uint8();
  c.end();
  if (s !== 0x49 && s !== 0x54 && s !== 0x45) c.fail(`unknown transaction status 0x${s.toString(16)}`);
  return { type: 'readyForQuery', status: String.fromCharCode(s) as TransactionStatus };
}

export function readyForQuery(status: TransactionStatus): Buffer {
  return new Writer(BackendCode.ReadyForQuery, 1).uint8(status.charCodeAt(0)).done();
}
