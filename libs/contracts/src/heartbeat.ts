import { z } from 'zod';

export const Heartbeat = z.object({
  id: z.string(),
  pool: z.string(),
  region: z.string(),
  /** Listener addresses agents connect to, by protocol. */
  addresses: z.object({ postgres: z.string().optional(), ssh: z.string().optional(), http: z.string().optional() }),
  policyVersion: z.number().int(),
  load: z.object({ sessions: z.number().int().nonnegative(), cpu: z.number().nonnegative(), rssBytes: z.number().nonnegative() }),
  startedAt: z.string(),
  at: z.string(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** A worker is live while its last heartbeat is younger than this. */
export const HEARTBEAT_INTERVAL_MS = 2_000;
export const HEARTBEAT_STALE_MS = 10_000;

/**
 * The live workers among the values of the pool-wide heartbeat hash: those that parse and are
 * younger than HEARTBEAT_STALE_MS at `now`. A value that does not parse is skipped.
 */
export function liveHeartbeats(values: Iterable<string>, now: number): Heartbeat[] {
  const live: Heartbeat[] = [];
  for (const value of values) {
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch {
      continue;
    }
    const hb = Heartbeat.safeParse(raw);
    if (hb.success && now - Date.parse(hb.data.at) <= HEARTBEAT_STALE_MS) live.push(hb.data);
  }
  return live;
}
