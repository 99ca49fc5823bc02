import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { SnapshotConnection } from '@airlock/contracts';
import {

  BackendCode,
  buildPasswordMessage,
  buildSASLInitialResponse,
  buildSASLResponse,
  buildSSLRequest,
  buildStartupMessage,
  type FrameReader,
  md5Password,
  parseAuthentication,
  parseBackendKeyData,
  parseErrorResponse,
  SCRAM_SHA_256,
  ScramClient,
  SSL_ACCEPT,
} from '@airlock/pg-wire';
import type { UpstreamCredential } from '../policy/policy-index';
import { PgSessionError, PgState } from './errors';
import { FrameSource, newReader } from './frame-source';
import { type ByteInput, connectReusable, StreamInput } from './socket-input';

const CONNECT_TIMEOUT_MS = 10_000;

export interface UpstreamTarget {
  connection: SnapshotConnection;
  maxMessageBytes: number;
}

export interface UpstreamSession {
  socket: Duplex;
  /** Where the socket's bytes come in (the relay takes it over). */
  input: ByteInput;
  reader: FrameReader;
  /** ParameterStatus and NoticeResponse frames of the login, in order, to replay to the client. */
  startupFrames: Buffer[];
  /** The real backend's cancel key, when it sent one. */
  backendKey: { processId: number; secretKey: Buffer } | null;
  /** Transaction status of the login's ReadyForQuery. */
  status: number;
  tls: boolean;
}

const unreachable = (conn: SnapshotConnection, why: string) =>
  new PgSessionError(PgState.ConnectionFailure, `airlock: connection "${conn.name}" is unreachable (${conn.host}:${conn.port}): ${why}`);

/** Opens TCP (and TLS when the connection's mode asks for it) to the target. */
export async function openUpstreamSocket(target: UpstreamTarget): Promise<{ socket: Duplex; input: ByteInput; reader: FrameReader; tls: boolean; raw: net.Socket }> {
  const conn = target.connection;
  const mode = conn.tls.mode;
  // Without TLS the socket is read into a reused buffer (socket-input.ts); TLS reads come as 'data'.
  const reusable = mode === 'disable' ? connectReusable({ host: conn.host, port: conn.port }) : null;
  const raw = await new Promise<net.Socket>((resolve, reject) => {
    const s = reusable?.socket ?? net.connect({ host: conn.host, port: conn.port });
    const timer = setTimeout(() => (s.destroy(), reject(unreachable(conn, 'connect timeout'))), CONNECT_TIMEOUT_MS);
    s.once('connect', () => (clearTimeout(timer), s.off('error', onErr), resolve(s)));
    const onErr = (err: NodeJS.ErrnoException) => (clearTimeout(timer), reject(unreachable(conn, err.code ?? err.message)));
    s.once('error', onErr);
  });
  raw.setNoDelay(true);
  raw.setKeepAlive(true, 60_000);
  const reader = newReader(false, target.maxMessageBytes);
  if (reusable !== null) return { socket: raw, input: reusable.input, reader, tls: false, raw };
  raw.write(buildSSLRequest());
  const rawInput = new StreamInput(raw);
  const src = new FrameSource(rawInput, reader);
  let answer: number;
  try {
    answer = await src.byte();
  } catch (err) {
    raw.destroy();
    throw unreachable(conn, (err as Error).message);
  } finally {
    src.detach();
  }
  if (answer !== SSL_ACCEPT) {
    if (mode === 'prefer' && answer === 0x4e) return { socket: raw, input: rawInput, reader, tls: false, raw };
    raw.destroy();
    throw unreachable(conn, `server does not support TLS (tls mode ${mode})`);
  }
  if (reader.buffered > 0) {
    raw.destroy();
    throw unreachable(conn, 'unencrypted bytes after the TLS answer');
  }
  rawInput.close();
  const verify = mode === 'verify-ca' || mode === 'verify-full';
  const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({
      socket: raw,
      servername: net.isIP(conn.tls.serverName ?? conn.host) ? undefined : (conn.tls.serverName ?? conn.host),
      ca: conn.tls.ca,
      rejectUnauthorized: verify,
      // verify-ca checks the chain only, like libpq; verify-full also checks the host name.
      checkServerIdentity: mode === 'verify-full' ? (host, cert) => tls.checkServerIdentity(conn.tls.serverName ?? host, cert) : () => undefined,
    });
    s.once('secureConnect', () => (s.off('error', reject), resolve(s)));
    s.once('error', (err) => (raw.destroy(), reject(unreachable(conn, `TLS: ${err.message}`))));
  });
  // Errors of the wrapped socket surface on the TLS socket; keep the raw one from throwing.
  raw.on('error', () => undefined);
  return { socket: secure, input: new StreamInput(secure), reader, tls: true, raw };
}

/**
 * Logs in to the target with the granted credential ("53.2.1 Start-up"): cleartext, md5 or
 * SCRAM-SHA-256 (server signature verified), trust; collects ParameterStatus and BackendKeyData.
 */
export async function connectUpstream(target: UpstreamTarget, credential: UpstreamCredential, params: Record<string, string>): Promise<UpstreamSession> {
  const conn = target.connection;
  const { socket, input, reader, tls: isTls } = await openUpstreamSocket(target);
  const user = credential.username ?? '';
  const password = credential.secret.password ?? '';
  const src = new FrameSource(input, reader);
  const startupFrames: Buffer[] = [];
  let backendKey: UpstreamSession['backendKey'] = null;
  let scram: ScramClient | null = null;
  const timer = setTimeout(() => socket.destroy(new Error('login timeout')), CONNECT_TIMEOUT_MS);
  try {
    socket.write(buildStartupMessage({ user, database: conn.database ?? user, ...params }));
    for (;;) {
      const f = await src.next();
      switch (f.code) {
        case BackendCode.Authentication: {
          const auth = parseAuthentication(f.bytes);
          switch (auth.type) {
            case 'authenticationOk':
              break;
            case 'authenticationCleartextPassword':
              socket.write(buildPasswordMessage(password));
              break;
            case 'authenticationMD5Password':
              socket.write(buildPasswordMessage(md5Password(user, password, auth.salt)));
              break;
            case 'authenticationSASL':
              if (!auth.mechanisms.includes(SCRAM_SHA_256)) throw new PgSessionError(PgState.FeatureNotSupported, `airlock: connection "${conn.name}" offers no supported SASL mechanism (${auth.mechanisms.join(', ')})`);
              scram = new ScramClient(password);
              socket.write(buildSASLInitialResponse(SCRAM_SHA_256, scram.clientFirstMessage()));
              break;
            case 'authenticationSASLContinue':
              if (!scram) throw new PgSessionError(PgState.ProtocolViolation, 'airlock: upstream sent SASLContinue before SASL');
              socket.write(buildSASLResponse(scram.clientFinalMessage(auth.data)));
              break;
            case 'authenticationSASLFinal':
              if (!scram) throw new PgSessionError(PgState.ProtocolViolation, 'airlock: upstream sent SASLFinal before SASL');
              scram.verifyServerFinal(auth.data);
              break;
            default:
              throw new PgSessionError(PgState.FeatureNotSupported, `airlock: connection "${conn.name}" asks for unsupported authentication (${auth.type})`);
          }
          break;
        }
        case BackendCode.ParameterStatus:
        case BackendCode.NoticeResponse:
          startupFrames.push(Buffer.from(f.bytes));
          break;
        case BackendCode.BackendKeyData: {
          const k = parseBackendKeyData(f.bytes);
          backendKey = { processId: k.processId, secretKey: Buffer.from(k.secretKey) };
          break;
        }
        case BackendCode.NegotiateProtocolVersion:
          break;
        case BackendCode.ErrorResponse: {
          const e = parseErrorResponse(f.bytes);
          throw new PgSessionError(e.code ?? PgState.ConnectionFailure, `airlock: connection "${conn.name}" refused the login: ${e.message ?? 'unknown error'}`, e.detail);
        }
        case BackendCode.ReadyForQuery:
          src.detach();
          clearTimeout(timer);
          return { socket, input, reader, startupFrames, backendKey, status: f.bytes[5], tls: isTls };
        default:
          throw new PgSessionError(PgState.ProtocolViolation, `airlock: connection "${conn.name}" sent unexpected message 0x${f.code.toString(16)} during login`);
      }
    }
  } catch (err) {
    clearTimeout(timer);
    src.detach();
    socket.destroy();
    if (err instanceof PgSessionError) throw err;
    if ((err as Error).name === 'PgProtocolError') throw new PgSessionError((err as { sqlState: string }).sqlState, (err as Error).message);
    throw unreachable(conn, (err as Error).message);
  }
}

