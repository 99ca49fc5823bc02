import net from 'node:net';
import tls from 'node:tls';
import type { ListenerFactory, ProtocolListener, WorkerContext } from '../bootstrap';
import { CancelRegistry, siblingCancels } from './cancel-registry';
import type { SessionHooksFactory } from './hooks';
import { LogRecorder, type Recorder } from './recorder';
import { PgSession } from './session';
import { sessionCounter } from './session-counter';
import { adoptReusable } from './socket-input';

export interface PostgresListenerOptions {
  /** Hook sets every session gets, in order, given the listener's recorder; default: the session counter. */
  hooks?: (ctx: WorkerContext, recorder: Recorder) => SessionHooksFactory[];
  /** Where sessions are recorded; default: debug logs. Closed (flushed) when the listener closes. */
  recorder?: (ctx: WorkerContext) => Recorder;
}

/** The worker's Postgres listener (AIRLOCK_PG_LISTEN). */
export function postgresListener(options: PostgresListenerOptions = {}): ListenerFactory {
  return async (ctx: WorkerContext): Promise<ProtocolListener> => {
    const { listen, tls: tlsFiles } = ctx.config.postgres;
    const log = ctx.log.child({ listener: 'postgres' });
    const recorder: Recorder = options.recorder?.(ctx) ?? new LogRecorder(log);
    const hooks = options.hooks?.(ctx, recorder) ?? [sessionCounter(recorder)];
    const secureContext = tlsFiles ? tls.createSecureContext({ cert: tlsFiles.cert, key: tlsFiles.key }) : undefined;
    const cancels = new CancelRegistry();
    const siblings = siblingCancels(cancels, log);
    const sessions = new Set<PgSession>();
    // pauseOnConnect: nothing is read before the socket is moved to a reused read buffer.
    const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000, pauseOnConnect: true }, (accepted) => {
      const adopted = adoptReusable(accepted);
      if (adopted === null) accepted.resume();
      const socket = adopted?.socket ?? accepted;
      const session = new PgSession({ ctx: { ...ctx, log }, cancels, siblings, hooks, secureContext, onClose: (s) => sessions.delete(s) }, socket, adopted?.input ?? null);
      sessions.add(session);
      session.run().catch((err: Error) => log.error({ err: err.message }, 'postgres: session crashed'));
    });
    server.on('error', (err) => log.error({ err: err.message }, 'postgres: listener error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => (server.off('error', reject), resolve()));
    });
    const addr = server.address() as net.AddressInfo;
    const address = `${listen.host}:${addr.port}`;
    log.info({ address, tls: !!secureContext, requireTls: ctx.config.postgres.requireTls }, 'postgres: listening');
    return {
      name: 'postgres',
      address,
      sessions: () => sessions.size,
      async close() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of [...sessions]) s.destroy();
        });
        siblings?.close();
        // After the sessions: their session.end events are in the recorder's buffer now.
        await recorder.close?.();
      },
    };
  };
}
