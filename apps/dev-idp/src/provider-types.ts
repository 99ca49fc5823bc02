import { type IncomingMessage, type ServerResponse } from 'node:http';

/** The slice of oidc-provider's (untyped) API this app uses. */
export interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: 'login' | 'consent' | string; details: Record<string, unknown>; reasons: string[] };
  params: Record<string, string | undefined>;
  session?: { accountId?: string };
  grantId?: string;
}

export interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  on(event: string, listener: (...args: never[]) => void): void;
  Grant: { new (init: { accountId?: string; clientId?: string }): OidcGrant; find(id: string): Promise<OidcGrant | undefined> };
  Client: { find(id: string): Promise<{ clientId: string; clientName?: string } | undefined> };
}

/** What oidc-provider hands to configuration callbacks (a Koa context with `oidc`). */
export interface OidcCtx {
  type: string;
  body: unknown;
  oidc: {
    provider: OidcProvider;
    client?: { clientId: string; clientName?: string; redirectUris?: string[]; grantTypeAllowed(type: string): boolean };
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
  };
}
