import { Injectable } from '@nestjs/common';
import { type Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { chainHash, GENESIS_HASH, type ChainedFields } from './audit-chain';

export interface AuditRecord extends ChainedFields {
  id: bigint;
  prevHash: string;
  hash: string;
}

/**
 * The one-key advisory lock that serialises appends to the global audit chain.
 * Every writer of AuditLogEntry (API mutations here, session anchors from the
 * recording pipeline) must take it, on every replica, or the chain forks.
 */
export const AUDIT_CHAIN_LOCK = 727_301;

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Appends one entry. The transaction-scoped advisory lock makes reading the
   * last hash and inserting the next one atomic across replicas, so the chain
   * stays linear.
   */
  async append(fields: Omit<ChainedFields, 'at'>): Promise<AuditRecord> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
      const last = await tx.auditLogEntry.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
      const prevHash = last?.hash ?? GENESIS_HASH;
      // Postgres keeps milliseconds, as does Date: the hashed time is the stored time.
      const entry: ChainedFields = { ...fields, at: new Date() };
      const hash = chainHash(prevHash, entry);
      const row = await tx.auditLogEntry.create({ data: { ...entry, details: entry.details as Prisma.InputJsonValue, prevHash, hash } });
      return row as AuditRecord;
    });
  }

  async list(limit: number, before: bigint | undefined): Promise<AuditRecord[]> {
    const rows = await this.prisma.auditLogEntry.findMany({
      where: before === undefined ? {} : { id: { lt: before } },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows as AuditRecord[];
  }
}
