import { Injectable } from '@nestjs/common';
import { type Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { type AccessGrantObject } from './dto/access-grant.object';

const include = { connection: { select: { name: true } } };
type Row = Prisma.AccessGrantGetPayload<{ include: typeof include }>;

function toObject(r: Row): AccessGrantObject {
  return {
    id: r.id, subject: r.subject, connection: r.connection.name, profile: r.profile, expiresAt: r.expiresAt, reason: r.reason,
    source: r.source, grantedBy: r.grantedByName, createdAt: r.createdAt, revokedAt: r.revokedAt,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class GrantsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async connection(name: string): Promise<{ id: string; poolId: string; profiles: string[] } | null> {
    const c = await this.prisma.connection.findUnique({ where: { name }, select: { id: true, poolId: true, credentials: { select: { profile: true }, orderBy: { profile: 'asc' } } } });
    return c ? { id: c.id, poolId: c.poolId, profiles: c.credentials.map((p) => p.profile) } : null;
  }

  async serviceAccountExists(name: string): Promise<boolean> {
    return (await this.prisma.identity.count({ where: { kind: 'SERVICE_ACCOUNT', name } })) > 0;
  }

  async create(data: { subject: string; connectionId: string; profile: string; expiresAt: Date | null; reason: string | null; grantedById: string; grantedByName: string; source?: 'STANDING' | 'JUST_IN_TIME' }): Promise<AccessGrantObject> {
    return toObject(await this.prisma.accessGrant.create({ data, include }));
  }

  async findById(id: string): Promise<(AccessGrantObject & { poolId: string }) | null> {
    if (!UUID.test(id)) return null;
    const row = await this.prisma.accessGrant.findUnique({ where: { id }, include: { connection: { select: { name: true, poolId: true } } } });
    return row ? { ...toObject(row), poolId: row.connection.poolId } : null;
  }

  async revoke(id: string): Promise<AccessGrantObject> {
    return toObject(await this.prisma.accessGrant.update({ where: { id }, data: { revokedAt: new Date() }, include }));
  }

  async list(filter: { connection?: string; subject?: string; activeAt?: Date }): Promise<AccessGrantObject[]> {
    const where: Prisma.AccessGrantWhereInput = {
      ...(filter.connection ? { connection: { name: filter.connection } } : {}),
      ...(filter.subject ? { subject: filter.subject } : {}),
      ...(filter.activeAt ? { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: filter.activeAt } }] } : {}),
    };
    return (await this.prisma.accessGrant.findMany({ where, include, orderBy: { createdAt: 'desc' } })).map(toObject);
  }
}
