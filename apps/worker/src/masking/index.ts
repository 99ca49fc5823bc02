import type { WorkerContext } from '../bootstrap';
import type { SessionHooksFactory } from '../postgres/hooks';
import { CatalogRegistry } from './catalog';
import { maskingHooks, type MaskingHooksOptions } from './masking-hooks';

export { CatalogRegistry, ConnectionCatalog, isDdlTag, readCatalog, type ColumnName } from './catalog';
export { isBinaryCopyOut, maskingHooks, maskingSession, MaskingSession, type MaskingHooksOptions, type MaskingSessionState, type StatementMasking, type StatementMaskCounts } from './masking-hooks';

/** The worker's Postgres masking hooks on its live policy: one catalog registry and key cache per listener. */
export function postgresMasking(ctx: WorkerContext, opts: Pick<MaskingHooksOptions, 'onStatementMasked'> = {}): SessionHooksFactory {
  const log = ctx.log.child({ component: 'masking' });
  return maskingHooks({ ...opts, policy: () => ctx.policy.current, poolPrivateKey: ctx.config.poolPrivateKey, catalogs: new CatalogRegistry(log), log });
}
