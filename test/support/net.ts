import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';

/** A port free right now on 127.0.0.1 (tests never use the quickstart's ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A Redis key prefix unique to one test file. */
export function testRedisPrefix(): string {
  return `airlock_t_${randomBytes(4).toString('hex')}`;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Deletes every key under a test's Redis prefix: plain names (`prefix:…`) and the hash-tagged
 * names BullMQ queues live under (`{prefix}:…`, see keySpace().queuePrefix()).
 */
export async function dropRedisPrefix(redis: { keys(pattern: string): Promise<string[]>; del(...keys: string[]): Promise<number> }, prefix: string): Promise<void> {
  const keys = [...(await redis.keys(`${prefix}:*`)), ...(await redis.keys(`{${prefix}}:*`))];
  if (keys.length) await redis.del(...keys);
}

/** dropRedisPrefix on a connection of its own, for a test that holds none at the end. */
export async function dropRedisPrefixAt(prefix: string, url = process.env.AIRLOCK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await dropRedisPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
