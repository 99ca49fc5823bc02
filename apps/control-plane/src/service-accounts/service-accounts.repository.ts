import { Injectable } from '@nestjs/common';
import { type Role } from '../common/enums';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { type ServiceAccountObject } from './dto/service-account.object';

const include = { apiKeys: { select: { prefix: true, createdAt: true, expiresAt: true, revokedAt: true }, orderBy: { createdAt: 'asc' as const } } };
type Row = Prisma.IdentityGetPayload<{ include: typeof include }>;

function toObject(r: Row): ServiceAccountObject {
  return { id: r.id, name: r.name, roles: r.roles as Role[], createdAt: r.createdAt, apiKeys: r.apiKeys };
}

export interface NewKey {
  lookupId: string;
  hash: string;
  prefix: string;
}

@Injectable()
export class ServiceAccountsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<ServiceAccountObject[]> {
    return (await this.prisma.identity.findMany({ where: { kind: 'SERVICE_ACCOUNT' }, include, orderBy: { name: 'asc' } })).map(toObject);
  }

  async findByName(name: string): Promise<ServiceAccountObject | null> {
    const row = await this.prisma.identity.findUnique({ where: { kind_name: { kind: 'SERVICE_ACCOUNT', name } }, include });
    return row ? toObject(row) : null;
  }

  /** Returns null when the name is taken. */
  async create(name: string, roles: Role[], key: NewKey): Promise<ServiceAccountObject | null> {
    try {
      return toObject(await this.prisma.identity.create({ data: { kind: 'SERVICE_ACCOUNT', name, roles, apiKeys: { create: key } }, include }));
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  /** Revokes the account's active keys (or the one with `prefix`); returns how many. */
  async revokeKeys(accountId: string, prefix?: string): Promise<number> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { identityId: accountId, revokedAt: null, ...(prefix ? { prefix } : {}) }, data: { revokedAt: new Date() } });
    return count;
  }

  /** Revokes every active key and adds the new one, atomically: no moment with two keys or none. */
  async rotate(accountId: string, key: NewKey): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.apiKey.updateMany({ where: { identityId: accountId, revokedAt: null }, data: { revokedAt: new Date() } }),
      this.prisma.apiKey.create({ data: { identityId: accountId, ...key } }),
    ]);
  }
}
