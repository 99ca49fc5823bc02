import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { type PoolPolicyData } from './policy-compiler';

@Injectable()
export class PolicyRepository {
  constructor(private readonly prisma: PrismaService) {}

  listPools(): Promise<Array<{ id: string; name: string; policyVersion: number }>> {
    return this.prisma.workerPool.findMany({ select: { id: true, name: true, policyVersion: true }, orderBy: { name: 'asc' } });
  }

  /**
   * Gives every connection of the pool that has none a masking hash key (already encrypted by
   * `make`). Conditional on the column still being empty, so concurrent replicas keep the first key.
   */
  async ensureMaskingKeys(poolId: string, make: () => Uint8Array): Promise<number> {
    const missing = await this.prisma.connection.findMany({ where: { poolId, maskingKey: null }, select: { id: true } });
    let made = 0;
    for (const { id } of missing) made += (await this.prisma.connection.updateMany({ where: { id, maskingKey: null }, data: { maskingKey: new Uint8Array(make()) } })).count;
    return made;
  }

  /**
   * Bumps the pool's version and reads everything its snapshot holds in one
   * transaction: the row lock taken by the update serialises compiles of the
   * same pool across replicas, and the version always matches the content.
   */
  async bumpAndLoad(poolId: string, now: Date): Promise<PoolPolicyData | null> {
    return this.prisma.$transaction(async (tx) => {
      const pool = await tx.workerPool.update({ where: { id: poolId }, data: { policyVersion: { increment: 1 } } }).catch(() => null);
      if (!pool) return null;
      const live = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
      const [connections, grants, apiKeys, guardrailRules, maskingRules] = await Promise.all([
        tx.connection.findMany({ where: { poolId }, include: { credentials: { orderBy: { profile: 'asc' } } }, orderBy: { name: 'asc' } }),
        tx.accessGrant.findMany({ where: { connection: { poolId }, revokedAt: null, ...live }, include: { connection: { select: { name: true } } }, orderBy: { createdAt: 'asc' } }),
        tx.apiKey.findMany({
          where: { revokedAt: null, ...live, identity: { kind: 'SERVICE_ACCOUNT', disabledAt: null } },
          include: { identity: { select: { name: true } } },
          orderBy: { createdAt: 'asc' },
        }),
        tx.guardrailRule.findMany({ where: { OR: [{ connectionId: null }, { connection: { poolId } }] }, include: { connection: { select: { name: true } } }, orderBy: [{ priority: 'asc' }, { name: 'asc' }] }),
        tx.maskingRule.findMany({ where: { OR: [{ connectionId: null }, { connection: { poolId } }] }, include: { connection: { select: { name: true } } }, orderBy: { name: 'asc' } }),
      ]);
      return {
        pool: { name: pool.name, publicKey: pool.publicKey, version: pool.policyVersion },
        connections: connections.map((c) => ({
          id: c.id, name: c.name, kind: c.kind, host: c.host, port: c.port, database: c.database, tls: c.tls,
          guardrails: c.guardrails, masking: c.masking, reviewTimeoutSeconds: c.reviewTimeoutSeconds, minApprovers: c.minApprovers, maskingKey: c.maskingKey,
          credentials: c.credentials.map((p) => ({ profile: p.profile, username: p.username, secret: p.secret, rotatedAt: p.rotatedAt })),
        })),
        grants: grants.map((g) => ({ id: g.id, subject: g.subject, connection: g.connection.name, profile: g.profile, expiresAt: g.expiresAt })),
        apiKeys: apiKeys.map((k) => ({ lookupId: k.lookupId, hash: k.hash, identityId: k.identityId, identityName: k.identity.name, expiresAt: k.expiresAt })),
        guardrailRules: guardrailRules.map((r) => ({
          id: r.id, connection: r.connection?.name ?? null, name: r.name, enabled: r.enabled, priority: r.priority, action: r.action, message: r.message, match: r.match,
        })),
        maskingRules: maskingRules.map((r) => ({ id: r.id, connection: r.connection?.name ?? null, name: r.name, enabled: r.enabled, match: r.match, entity: r.entity, style: r.style })),
      };
    });
  }
}
