import { type CombinedError } from '@urql/core';
import { type ReactNode } from 'react';
import { classifyError } from '../gql/errors';

/** Loading, "not on this server", forbidden and error states in one place, so every page says them the same way. */
export function StateView({ fetching, error, what, children }: { fetching?: boolean; error?: CombinedError; what: string; children?: ReactNode }) {
  if (error) {
    const e = classifyError(error);
    switch (e.kind) {
      case 'unavailable':
        return (
          <div className="notice notice-unavailable" role="status" data-state="unavailable">
            <strong>{what} is not available on this server.</strong>
            <p>
              This control plane's API has no <code>{e.operation}</code> yet. Upgrade the control plane to use this page.
            </p>
          </div>
        );
      case 'forbidden':
        return (
          <div className="notice notice-forbidden" role="status" data-state="forbidden">
            <strong>Your role does not allow {what.toLowerCase()}.</strong>
            <p>{e.message}</p>
          </div>
        );
      default:
        return (
          <div className="notice notice-error" role="alert" data-state="error">
            <strong>{what} could not be loaded.</strong>
            <p>{e.message}</p>
          </div>
        );
    }
  }
  if (fetching && !children) return <p className="muted" aria-busy="true">Loading…</p>;
  return <>{children}</>;
}

export function InlineError({ error }: { error?: CombinedError | string }) {
  if (!error) return null;
  const text = typeof error === 'string' ? error : classifyError(error).kind === 'unavailable' ? `Not available on this server: ${classifyError(error).message}` : classifyError(error).message;
  return (
    <p className="inline-error" role="alert">
      {text}
    </p>
  );
}
