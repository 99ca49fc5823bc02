/**
 * Wire constants of the PostgreSQL frontend/backend protocol 3.0.
 * Source: PostgreSQL docs, "53.7 Message Formats" (chapter 53 in PG 17/18).
 */

/** Message codes sent by the client (frontend). */
export const enum FrontendCode {
  Bind = 0x42, // B
  Close = 0x43, // C
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  CopyFail = 0x66, // f
  Describe = 0x44, // D
  Execute = 0x45, // E
  Flush = 0x48, // H
  FunctionCall = 0x46, // F
  Parse = 0x50, // P
  /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse all share 'p'. */
  Password = 0x70, // p
  Query = 0x51, // Q
  Sync = 0x53, // S
  Terminate = 0x58, // X
}

/** Message codes sent by the server (backend). */
export const enum BackendCode {
  Authentication = 0x52, // R
  BackendKeyData = 0x4b, // K
  BindComplete = 0x32, // 2
  CloseComplete = 0x33, // 3
  CommandComplete = 0x43, // C
  CopyBothResponse = 0x57, // W
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  CopyInResponse = 0x47, // G
  CopyOutResponse = 0x48, // H
  DataRow = 0x44, // D
  EmptyQueryResponse = 0x49, // I
  ErrorResponse = 0x45, // E
  FunctionCallResponse = 0x56, // V
  NegotiateProtocolVersion = 0x76, // v
  NoData = 0x6e, // n
  NoticeResponse = 0x4e, // N
  NotificationResponse = 0x41, // A
  ParameterDescription = 0x74, // t
  ParameterStatus = 0x53, // S
  ParseComplete = 0x31, // 1
  PortalSuspended = 0x73, // s
  ReadyForQuery = 0x5a, // Z
  RowDescription = 0x54, // T
}

/** Int32 subtype that follows an 'R' Authentication message's length. */
export const enum AuthCode {
  Ok = 0,
  KerberosV5 = 2,
  CleartextPassword = 3,
  MD5Password = 5,
  GSS = 7,
  GSSContinue = 8,
  SSPI = 9,
  SASL = 10,
  SASLContinue = 11,
  SASLFinal = 12,
}

/** Request codes of the untyped startup-phase packets (int32 after the length). */
export const PROTOCOL_3_0 = 196608; // (3 << 16) | 0
export const SSL_REQUEST_CODE = 80877103; // (1234 << 16) | 5679
export const GSSENC_REQUEST_CODE = 80877104; // (1234 << 16) | 5680
export const CANCEL_REQUEST_CODE = 80877102; // (1234 << 16) | 5678

/** Single-byte answers to SSLRequest / GSSENCRequest ("53.2.10 SSL Session Encryption"). */
export const SSL_ACCEPT = 0x53; // S
export const SSL_REJECT = 0x4e; // N
export const GSSENC_ACCEPT = 0x47; // G

/** Transaction status byte of ReadyForQuery. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** Describe/Close target: prepared statement or portal. */
export type DescribeTarget = 'S' | 'P';

/** Format codes ("53.1 Overview": 0 = text, 1 = binary). */
export const FORMAT_TEXT = 0;
export const FORMAT_BINARY = 1;

/** Typed messages carry a 1-byte code then an int32 length that counts itself. */
export const TYPED_HEADER_SIZE = 5;
/** Startup packets carry an int32 length then an int32 request code. */
export const STARTUP_HEADER_SIZE = 8;

/** Default cap on one typed message; the server's own limit is 1 GiB, a gateway needs far less. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;
/** Postgres rejects startup packets above MAX_STARTUP_PACKET_LENGTH (10000) in postmaster. */
export const DEFAULT_MAX_STARTUP_LENGTH = 10000;

/** PG 18 (protocol 3.2) allows cancel keys up to 256 bytes; 3.0 uses exactly 4. */
export const MIN_CANCEL_KEY_LENGTH = 4;
export const MAX_CANCEL_KEY_LENGTH = 256;
