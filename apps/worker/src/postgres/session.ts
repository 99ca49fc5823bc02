import { randomBytes, randomUUID } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import {
  buildAuthenticationCleartextPassword,
  buildAuthenticationOk,
  buildBackendKeyData,
  buildNegotiateProtocolVersion,
  buildTerminate,
  errorResponse,
  FrontendCode,
  parsePasswordMessage,
  parseStartupPacket,
  protocolOptions,
  readyForQuery,
  SSL_ACCEPT,
  SSL_REJECT,
  type StartupMessage,
  type TransactionStatus,
} from '@airlock/pg-wire';
import { authorize, type Access } from '../access/authorize';
import type { WorkerContext } from '../bootstrap';
import type { Logger } from '../logger';
import { type CancelRegistry, forwardCancel } from './cancel-registry';
import { isBadStartupLength, PgSessionError, PgState, toSessionError } from './errors';
import { FrameSource, newReader, PeerClosedError } from './frame-source';
import { type ByteInput, StreamInput } from './socket-input';
import type { SessionHooks, SessionHooksFactory, SessionInfo, SessionStats } from './hooks';
import { Relay } from './relay';
import { upstreamParameters } from './startup-params';
import { connectUpstream, type UpstreamSession } from './upstream';

const HANDSHAKE_TIMEOUT_MS = 30_000;
/** setTimeout's ceiling; longer expiries re-arm. */
const MAX_TIMER_MS = 2_147_000_000;

export interface SessionDeps {
  ctx: WorkerContext;
  cancels: CancelRegistry;
  /** In a worker of several processes: passes a cancel with a key not issued here to the others. */
  siblings?: { ask(processId: number, secretKey: Buffer): void } | null;
  hooks: readonly SessionHooksFactory[];
  secureContext: tls.SecureContext | undefined;
  onClose(session: PgSession): void;
}

/** One client connection, from the first byte to the end of its relay. */
export class PgSession {
  readonly id = randomUUID();
  private client: Duplex;
  private clientInput: ByteInput | null = null;
  private readonly raw: net.Socket;
  private log: Logger;
  private upstream: UpstreamSession | null = null;
  private relay: Relay | null = null;
  private hooks: SessionHooks[] = [];
  private readonly stats: SessionStats = { bytesIn: 0, bytesOut: 0, statements: 0 };
  private cancelPid = 0;
  private expiryTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private ended = false;
  private started = false;

  constructor(
    private readonly deps: SessionDeps,
    socket: net.Socket,
    /** The socket's reused-buffer input, when the listener could set one up. */
    private readonly rawInput: ByteInput | null = null,
  ) {
    this.raw = socket;
    this.client = socket;
    this.log = deps.ctx.log.child({ session: this.id, client: socket.remoteAddress ?? null });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('error', (err: NodeJS.ErrnoException) => this.end(`client error: ${err.code ?? err.message}`));
    socket.on('close', () => this.end('client closed'));
  }

  async run(): Promise<void> {
    this.handshakeTimer = setTimeout(() => this.refuse(new PgSessionError(PgState.ProtocolViolation, 'airlock: startup timed out')), HANDSHAKE_TIMEOUT_MS);
    try {
      await this.connect();
    } catch (err) {
      this.refuse(err);
    } finally {
      if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    }
  }

  private async connect(): Promise<void> {
    const { config } = this.deps.ctx;
    const reader = newReader(true, config.postgres.maxMessageBytes);
    this.clientInput = this.rawInput ?? new StreamInput(this.client);
    let src = new FrameSource(this.clientInput, reader);
    let secure = false;
    let startup: StartupMessage;
    for (;;) {
      const packet = parseStartupPacket((await src.next()).bytes);
      if (packet.type === 'startup') {
        startup = packet;
        break;
      }
      if (packet.type === 'cancelRequest') {
        src.detach();
        await this.forwardCancel(packet.processId, packet.secretKey);
        return;
      }
      if (packet.type === 'gssencRequest' || secure || !this.deps.secureContext) {
        this.client.write(Buffer.from([SSL_REJECT]));
        continue;
      }
      // SSLRequest: plaintext buffered past it would be trusted as if encrypted (CVE-2021-23214).
      if (reader.buffered > 0) throw new PgSessionError(PgState.ProtocolViolation, 'airlock: unencrypted data after SSL request');
      src.detach();
      this.clientInput.close();
      this.raw.write(Buffer.from([SSL_ACCEPT]));
      const tlsSocket = new tls.TLSSocket(this.raw, { isServer: true, secureContext: this.deps.secureContext });
      tlsSocket.on('error', (err: NodeJS.ErrnoException) => this.end(`client TLS error: ${err.code ?? err.message}`));
      await new Promise<void>((resolve, reject) => {
        tlsSocket.once('secure', resolve);
        tlsSocket.once('error', reject);
        tlsSocket.once('close', () => reject(new Error('client closed during TLS handshake')));
      });
      this.client = tlsSocket;
      this.clientInput = new StreamInput(tlsSocket);
      secure = true;
      src = new FrameSource(this.clientInput, reader);
    }
    const p = startup.parameters;
    const database = p.database ?? p.user;
    this.log = this.log.child({ clientUser: p.user, connection: database, application: p.application_name ?? null });
    if (config.postgres.requireTls && !secure) {
      throw new PgSessionError(PgState.InvalidAuthorizationSpecification, 'airlock: this gateway requires TLS (sslmode=require)');
    }
    const options = protocolOptions(startup);
    if (startup.minorVersion > 0 || options.length > 0) this.client.write(buildNegotiateProtocolVersion(0, options));

    this.client.write(buildAuthenticationCleartextPassword());
    const answer = await src.next();
    if (answer.code !== FrontendCode.Password) throw new PgSessionError(PgState.ProtocolViolation, 'airlock: expected a password message (the password is your Airlock token)');
    const token = parsePasswordMessage(answer.bytes).password;
    const access = await authorize(this.deps.ctx.policy.current, token, database, 'POSTGRES');
    this.log = this.log.child({ identity: access.subject.name, identityId: access.subject.id, profile: access.grant.profile });

    // Session settings only (startup-params.ts); `options`' -c switches are forwarded one by one.
    const { params, dropped } = upstreamParameters(p);
    if (dropped.length) this.log.info({ dropped }, 'postgres: startup parameters not forwarded');
    this.upstream = await connectUpstream({ connection: access.connection, maxMessageBytes: config.postgres.maxServerMessageBytes }, access.credential, params);
    this.upstream.socket.on('error', (err: NodeJS.ErrnoException) => this.end(`upstream error: ${err.code ?? err.message}`));
    this.upstream.socket.on('close', () => this.end('upstream closed'));
    src.detach();
    if (this.ended) return this.closeUpstream();
    await this.begin(access, startup, reader, secure);
  }

  private async begin(access: Access, startup: StartupMessage, reader: ReturnType<typeof newReader>, secure: boolean): Promise<void> {
    const up = this.upstream!;
    const info: SessionInfo = {
      sessionId: this.id,
      workerId: this.deps.ctx.config.id,
      subject: access.subject,
      connection: access.connection,
      profile: access.grant.profile,
      clientUser: startup.parameters.user,
      applicationName: startup.parameters.application_name ?? null,
      clientAddress: this.raw.remoteAddress ?? null,
      tls: secure,
      startedAt: new Date(),
      expiresAt: access.expiresAt,
    };
    this.hooks = this.deps.hooks.map((make) => make(info));
    // From here on, end() reports onEnd to every hook that saw onStart.
    this.started = true;
    this.deps.ctx.metrics.sessions.inc({ protocol: 'postgres' });
    for (const h of this.hooks) if (h.onStart) await h.onStart(info);
    if (this.ended) return;

    const key = up.backendKey ? this.deps.cancels.issue({ connection: access.connection, ...up.backendKey, onCancel: () => this.cancelled() }) : null;
    if (key) this.cancelPid = key.processId;

    this.client.cork();
    this.client.write(buildAuthenticationOk());
    for (const f of up.startupFrames) this.client.write(f);
    if (key) this.client.write(buildBackendKeyData(key.processId, key.secretKey));
    this.client.write(readyForQuery(String.fromCharCode(up.status) as TransactionStatus));
    this.client.uncork();

    this.relay = new Relay({
      client: this.client,
      clientReader: reader,
      clientInput: this.clientInput!,
      upstream: up.socket,
      upstreamReader: up.reader,
      upstreamInput: up.input,
      hooks: this.hooks,
      stats: this.stats,
      log: this.log,
      blockMarker: `airlock_blocked_${randomBytes(12).toString('hex')}`,
      maxServerMessageBytes: this.deps.ctx.config.postgres.maxServerMessageBytes,
      maxClientMessageBytes: this.deps.ctx.config.postgres.maxMessageBytes,
      onEnd: (reason) => this.end(reason),
    });
    this.relay.start();
    this.armExpiry(access);
    this.deps.ctx.metrics.sessionsTotal.inc({ protocol: 'postgres', outcome: 'ok' });
    this.log.info({ upstreamTls: up.tls, clientTls: secure }, 'postgres: session started');
  }

  private armExpiry(access: Access): void {
    if (!access.expiresAt) return;
    const at = access.expiresAt.getTime();
    const tick = () => {
      const left = at - Date.now();
      if (left > 0) {
        this.expiryTimer = setTimeout(tick, Math.min(left, MAX_TIMER_MS));
        return;
      }
      this.log.info('postgres: access expired, closing session');
      const fatal = errorResponse({ severity: 'FATAL', code: PgState.AdminShutdown, message: `airlock: access to "${access.connection.name}" expired`, hint: `request access again: airlock request-access ${access.connection.name}` });
      // The relay places it between frames, then ends the session.
      if (this.relay) this.relay.sendToClient(fatal, 'access expired');
      else this.end('access expired');
    };
    tick();
  }

  private async forwardCancel(processId: number, secretKey: Buffer): Promise<void> {
    const target = this.deps.cancels.lookup(processId, secretKey);
    // Like Postgres: no answer either way, just close.
    this.client.end();
    if (target) return forwardCancel(target, this.log);
    if (this.deps.siblings) {
      this.deps.siblings.ask(processId, secretKey);
      this.log.info('postgres: cancel request with a key of no session here; passed to the worker\'s other processes');
    } else {
      this.log.info('postgres: cancel request with an unknown key');
    }
  }

  /** This session's client sent a CancelRequest (on another connection). */
  private cancelled(): void {
    for (const h of this.hooks) {
      try {
        h.onCancel?.();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'postgres: onCancel hook failed');
      }
    }
  }

  private refuse(err: unknown): void {
    if (this.ended) return;
    if (err instanceof PeerClosedError) {
      this.log.debug('postgres: client left during startup');
      this.closeUpstream();
      this.end('client closed during startup');
      return;
    }
    if (isBadStartupLength(err)) {
      // Postgres closes without a reply here (COMMERROR); an ErrorResponse would reach clients
      // that wrote Terminate before their StartupMessage (node-postgres' connect(); end()).
      this.log.info({ err: (err as Error).message }, 'postgres: connection refused');
      this.deps.ctx.metrics.sessionsTotal.inc({ protocol: 'postgres', outcome: PgState.ProtocolViolation });
      this.client.destroy();
      this.closeUpstream();
      this.end('refused: invalid startup packet length');
      return;
    }
    const e = toSessionError(err);
    if (e.sqlState === PgState.InternalError) this.log.error({ err: (err as Error)?.stack ?? String(err) }, 'postgres: connect failed');
    else this.log.info({ code: e.sqlState, err: e.message }, 'postgres: connection refused');
    this.deps.ctx.metrics.sessionsTotal.inc({ protocol: 'postgres', outcome: e.sqlState });
    if (this.client.writable) this.client.end(errorResponse({ severity: 'FATAL', code: e.sqlState, message: e.message, detail: e.detail }));
    this.closeUpstream();
    this.end(`refused: ${e.sqlState}`);
  }

  private closeUpstream(): void {
    const up = this.upstream;
    if (!up) return;
    if (up.socket.writable) up.socket.end(buildTerminate());
    setTimeout(() => up.socket.destroy(), 1000).unref();
  }

  /** Ends the session once, whatever side went first. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.relay?.stop();
    if (this.cancelPid) this.deps.cancels.release(this.cancelPid);
    // Let what is already queued reach each side, then make sure both are gone.
    this.client.end();
    this.closeUpstream();
    const client = this.client;
    setTimeout(() => (client.destroy(), this.raw.destroy()), 2000).unref();
    if (this.started) {
      this.deps.ctx.metrics.sessions.dec({ protocol: 'postgres' });
      for (const h of this.hooks) {
        try {
          h.onEnd?.(reason, this.stats);
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'postgres: onEnd hook failed');
        }
      }
      this.log.info({ reason, ...this.stats }, 'postgres: session ended');
    }
    this.deps.onClose(this);
  }

  /** For listener shutdown. */
  destroy(): void {
    this.end('worker shutting down');
    this.client.destroy();
    this.upstream?.socket.destroy();
  }
}
