import { type Principal } from '../auth/principal';

/** What every GraphQL operation carries, over HTTP and over graphql-ws alike. */
export interface GqlContext {
  authorization: string | undefined;
  clientAddress: string | undefined;
  /** Set once by the roles guard; later fields of the same operation reuse it. */
  principal?: Promise<Principal>;
}

interface HttpRequestLike {
  headers?: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

interface WsContextLike {
  connectionParams?: Record<string, unknown>;
  extra?: { request?: HttpRequestLike };
}

/**
 * Apollo's fastify integration calls the context function with the request;
 * graphql-ws calls it with its own context (connection_init payload in
 * `connectionParams`). Both become one shape here.
 */
export function buildGqlContext(arg: unknown): GqlContext {
  const ws = arg as WsContextLike;
  if (ws && typeof ws === 'object' && ('connectionParams' in ws || 'extra' in ws)) {
    const params = ws.connectionParams ?? {};
    const raw = params['authorization'] ?? params['Authorization'];
    return { authorization: typeof raw === 'string' ? raw : undefined, clientAddress: ws.extra?.request?.socket?.remoteAddress };
  }
  const req = ((arg as { req?: HttpRequestLike })?.req ?? arg) as HttpRequestLike;
  const header = req?.headers?.['authorization'];
  return { authorization: Array.isArray(header) ? header[0] : header, clientAddress: req?.ip ?? req?.socket?.remoteAddress };
}
