/**
 * @airlock/pg-wire — PostgreSQL frontend/backend protocol 3.0, pure: no sockets, no I/O.
 *
 * Hot path for a proxy: one FrameReader per direction; per incoming chunk `push()` then loop
 * `next()`; switch on `frame.code`; forward untouched frames' `bytes` (coalesced per chunk with
 * ForwardRun); parse only the frames policy must inspect (Query, Parse, Bind, RowDescription,
 * DataRow cells through DataRowCells + rewriteDataRow, or DataRowWriter when most rows change).
 * Every malformed input throws PgProtocolError (SQLSTATE 08P01 unless stated), which
 * `protocolErrorResponse()` turns into a native FATAL ErrorResponse.
 */
export * from './codes';
export { PgProtocolError, SqlState } from './errors';
export { FrameReader, STARTUP_FRAME, type Frame, type FrameReaderOptions } from './frame-reader';
export { ForwardRun } from './forward-run';
export { FrameWalker } from './frame-walker';
export * from './startup';
export * from './frontend';
export * from './frontend-auth';
export * from './copy';
export * from './backend-auth';
export * from './backend';
export * from './notice';
export * from './data-row';
export { DataRowWriter } from './data-row-writer';
export * from './dispatch';
export { md5Password, saslPrep, ScramClient, SCRAM_SHA_256 } from './auth-client';
