import { FrontendCode } from './codes';
import { openTyped } from './cursor';
import { cstringSize, Writer } from './writer';

// The 'p' message's body depends on what the server asked for, so the proxy picks the parser
// from its auth state ("53.7 Message Formats": PasswordMessage, SASLInitialResponse, SASLResponse).

export interface PasswordMessage {
  type: 'password';
  password: string;
}
export interface SASLInitialResponse {
  type: 'saslInitialResponse';
  mechanism: string;
  /** null when the client sent length -1 (no initial response). */
  data: Buffer | null;
}
export interface SASLResponse {
  type: 'saslResponse';
  data: Buffer;
}

/** PasswordMessage: answer to AuthenticationCleartextPassword or MD5Password. */
export function parsePasswordMessage(bytes: Buffer): PasswordMessage {
  const c = openTyped(bytes, FrontendCode.Password, 'PasswordMessage');
  const password = c.cstring();
  c.end();
  return { type: 'password', password };
}

export function buildPasswordMessage(password: string): Buffer {
  return new Writer(FrontendCode.Password, cstringSize(password)).cstring(password).done();
}

/** SASLInitialResponse: answer to AuthenticationSASL. */
export function parseSASLInitialResponse(bytes: Buffer): SASLInitialResponse {
  const c = openTyped(bytes, FrontendCode.Password, 'SASLInitialResponse');
  const mechanism = c.cstring();
  const data = c.nullableBytes();
  c.end();
  return { type: 'saslInitialResponse', mechanism, data };
}

export function buildSASLInitialResponse(mechanism: string, data: Buffer | string | null): Buffer {
  const len = data === null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  return new Writer(FrontendCode.Password, cstringSize(mechanism) + 4 + len).cstring(mechanism).value(data).done();
}

/** SASLResponse: answer to AuthenticationSASLContinue. */
export function parseSASLResponse(bytes: Buffer): SASLResponse {
  const c = openTyped(bytes, FrontendCode.Password, 'SASLResponse');
  return { type: 'saslResponse', data: c.rest() };
}

export function buildSASLResponse(data: Buffer | string): Buffer {
  const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  return new Writer(FrontendCode.Password, len).bytes(data).done();
}
