import { type Authentication, type BackendKeyData, parseAuthentication, parseBackendKeyData, parseParameterStatus, parseReadyForQuery, type ParameterStatus, type ReadyForQuery } from './backend-auth';
import {
  type CommandComplete,
  type FunctionCallResponse,
  type NotificationResponse,
  type ParameterDescription,
  parseCommandComplete,
  parseFunctionCallResponse,
  parseNotificationResponse,
  parseParameterDescription,
  parseRowDescription,
  type RowDescription,
} from './backend';
import { BackendCode, FrontendCode } from './codes';
import { type CopyData, type CopyFail, type CopyResponse, parseCopyData, parseCopyFail, parseCopyResponse } from './copy';
import { type DataRow, parseDataRow } from './data-row';
import { PgProtocolError } from './errors';
import type { Frame } from './frame-reader';
import {
  type Bind,
  type Close,
  type Describe,
  type Execute,
  type FunctionCall,
  type Parse,
  parseBind,
  parseClose,
  parseDescribe,
  parseEmpty,
  parseExecute,
  parseFunctionCall,
  parseParse,
  parseQuery,
  type Query,
} from './frontend';
import { type PasswordMessage, parsePasswordMessage, parseSASLInitialResponse, parseSASLResponse, type SASLInitialResponse, type SASLResponse } from './frontend-auth';
import { type ErrorResponse, type NoticeResponse, parseErrorResponse, parseNoticeResponse } from './notice';
import { type NegotiateProtocolVersion, parseNegotiateProtocolVersion } from './startup';

// Whole-message decoding by code, for the minority of frames a proxy must inspect. The hot path
// should switch on `frame.code` and call only the parser it needs.

export type FrontendMessage =
  | Query | Parse | Bind | Describe | Execute | Close | FunctionCall | CopyData | CopyFail
  | PasswordMessage | SASLInitialResponse | SASLResponse
  | { type: 'sync' } | { type: 'flush' } | { type: 'terminate' } | { type: 'copyDone' };

export type BackendMessage =
  | Authentication | ParameterStatus | BackendKeyData | ReadyForQuery | RowDescription | ParameterDescription
  | DataRow | CommandComplete | NotificationResponse | FunctionCallResponse | ErrorResponse | NoticeResponse
  | CopyData | CopyResponse | NegotiateProtocolVersion
  | { type: 'parseComplete' } | { type: 'bindComplete' } | { type: 'closeComplete' } | { type: 'noData' }
  | { type: 'portalSuspended' } | { type: 'emptyQueryResponse' } | { type: 'copyDone' };

/** How to read a 'p' message: it depends on which authentication request it answers. */
export type PasswordContext = 'password' | 'saslInitialResponse' | 'saslResponse';

function unknown(code: number, side: string): never {
  throw new PgProtocolError(`unknown ${side} message code 0x${code.toString(16)}`);
}

/** Decodes a typed frontend frame ("53.7 Message Formats"). */
export function parseFrontendMessage(frame: Frame, passwordContext: PasswordContext = 'password'): FrontendMessage {
  const b = frame.bytes;
  switch (frame.code) {
    case FrontendCode.Query: return parseQuery(b);
    case FrontendCode.Parse: return parseParse(b);
    case FrontendCode.Bind: return parseBind(b);
    case FrontendCode.Describe: return parseDescribe(b);
    case FrontendCode.Execute: return parseExecute(b);
    case FrontendCode.Close: return parseClose(b);
    case FrontendCode.FunctionCall: return parseFunctionCall(b);
    case FrontendCode.CopyData: return parseCopyData(b);
    case FrontendCode.CopyFail: return parseCopyFail(b);
    case FrontendCode.Sync: parseEmpty(b, FrontendCode.Sync, 'Sync'); return { type: 'sync' };
    case FrontendCode.Flush: parseEmpty(b, FrontendCode.Flush, 'Flush'); return { type: 'flush' };
    case FrontendCode.Terminate: parseEmpty(b, FrontendCode.Terminate, 'Terminate'); return { type: 'terminate' };
    case FrontendCode.CopyDone: parseEmpty(b, FrontendCode.CopyDone, 'CopyDone'); return { type: 'copyDone' };
    case FrontendCode.Password:
      if (passwordContext === 'saslInitialResponse') return parseSASLInitialResponse(b);
      if (passwordContext === 'saslResponse') return parseSASLResponse(b);
      return parsePasswordMessage(b);
    default: return unknown(frame.code, 'frontend');
  }
}

function empty<T extends string>(b: Buffer, code: number, type: T): { type: T } {
  parseEmpty(b, code, type);
  return { type };
}

/** Decodes a typed backend frame ("53.7 Message Formats"). */
export function parseBackendMessage(frame: Frame): BackendMessage {
  const b = frame.bytes;
  switch (frame.code) {
    case BackendCode.Authentication: return parseAuthentication(b);
    case BackendCode.ParameterStatus: return parseParameterStatus(b);
    case BackendCode.BackendKeyData: return parseBackendKeyData(b);
    case BackendCode.ReadyForQuery: return parseReadyForQuery(b);
    case BackendCode.RowDescription: return parseRowDescription(b);
    case BackendCode.ParameterDescription: return parseParameterDescription(b);
    case BackendCode.DataRow: return parseDataRow(b);
    case BackendCode.CommandComplete: return parseCommandComplete(b);
    case BackendCode.NotificationResponse: return parseNotificationResponse(b);
    case BackendCode.FunctionCallResponse: return parseFunctionCallResponse(b);
    case BackendCode.ErrorResponse: return parseErrorResponse(b);
    case BackendCode.NoticeResponse: return parseNoticeResponse(b);
    case BackendCode.CopyData: return parseCopyData(b);
    case BackendCode.CopyInResponse: return parseCopyResponse(b, 'copyInResponse');
    case BackendCode.CopyOutResponse: return parseCopyResponse(b, 'copyOutResponse');
    case BackendCode.CopyBothResponse: return parseCopyResponse(b, 'copyBothResponse');
    case BackendCode.NegotiateProtocolVersion: return parseNegotiateProtocolVersion(b);
    case BackendCode.ParseComplete: return empty(b, frame.code, 'parseComplete');
    case BackendCode.BindComplete: return empty(b, frame.code, 'bindComplete');
    case BackendCode.CloseComplete: return empty(b, frame.code, 'closeComplete');
    case BackendCode.NoData: return empty(b, frame.code, 'noData');
    case BackendCode.PortalSuspended: return empty(b, frame.code, 'portalSuspended');
    case BackendCode.EmptyQueryResponse: return empty(b, frame.code, 'emptyQueryResponse');
    case BackendCode.CopyDone: return empty(b, frame.code, 'copyDone');
    default: return unknown(frame.code, 'backend');
  }
}
