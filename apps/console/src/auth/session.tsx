import { createContext, useContext } from 'react';
import { type OidcClient } from './oidc';

export interface Me {
  name: string;
  kind: 'USER' | 'SERVICE_ACCOUNT';
  roles: string[];
  email: string | null;
}

export interface SessionValue {
  oidc: OidcClient;
  me: Me;
  hasRole(...roles: string[]): boolean;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in session');
  return s;
}

/** The role shown in the header: the most powerful one held. */
export function primaryRole(roles: string[]): string {
  for (const r of ['ADMIN', 'APPROVER', 'AUDITOR', 'MEMBER']) if (roles.includes(r)) return r;
  return roles[0] ?? 'MEMBER';
}
