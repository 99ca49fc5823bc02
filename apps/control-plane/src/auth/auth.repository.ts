import { Injectable } from '@nestjs/common';
import { type IdentityKind, type Role } from '../common/enums';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

export interface IdentityRecord {
  id: string;
  kind: IdentityKind;
  name: string;
  email: string | null;
  roles: Role[];
  disabledAt: Date | null;
}

export interface ApiKeyRecord {
  hash: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
  identity: IdentityRecord;
}

const identitySelect = { id: true, kind: true, name: true, email: true, roles: true, disabledAt: true } as const;

@Injectable()
export class AuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findApiKey(lookupId: string): Promise<ApiKeyRecord | null> {
    return this.prisma.apiKey.findUnique({
      where: { lookupId },
      select: { hash: true, revokedAt: true, expiresAt: true, identity: { select: identitySelect } },
    }) as Promise<ApiKeyRecord | null>;
  }

  async findIdentity(id: string): Promise<IdentityRecord | null> {
    return this.prisma.identity.findUnique({ where: { id }, select: identitySelect }) as Promise<IdentityRecord | null>;
  }

  /** Finds a person (or IdP client) by issuer + subject, creating it at first sight. */
  async upsertOidcIdentity(p: { kind: IdentityKind; issuer: string; subject: string; name: string; email: string | null }): Promise<IdentityRecord> {
    const existing = await this.prisma.identity.findUnique({ where: { issuer_subject: { issuer: p.issuer, subject: p.subject } }, select: identitySelect });
    if (existing) {
      if (existing.email !== p.email) await this.prisma.identity.update({ where: { id: existing.id }, data: { email: p.email, lastSeenAt: new Date() } });
      return { ...existing, email: p.email } as IdentityRecord;
    }
    // Names are unique per kind; two IdPs may both have an "alice", so the later one gets its subject appended.
    for (const name of [p.name, `${p.name}#${p.subject}`]) {
      try {
        return (await this.prisma.identity.create({
          data: { kind: p.kind, issuer: p.issuer, subject: p.subject, name, email: p.email, roles: [], lastSeenAt: new Date() },
          select: identitySelect,
        })) as IdentityRecord;
      } catch (err) {
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
        // A concurrent first request for the same person created it: read theirs.
        const raced = await this.prisma.identity.findUnique({ where: { issuer_subject: { issuer: p.issuer, subject: p.subject } }, select: identitySelect });
        if (raced) return raced as IdentityRecord;
      }
    }
    throw new Error(`could not create an identity for ${p.issuer} ${p.subject}`);
  }

  /** Roles from database groups: those the identity is a member of, and those named like its IdP groups. */
  async groupRoles(identityId: string, idpGroups: string[]): Promise<Role[]> {
    const groups = await this.prisma.group.findMany({
      where: { OR: [{ members: { some: { identityId } } }, { name: { in: idpGroups } }] },
      select: { roles: true },
    });
    return groups.flatMap((g) => g.roles) as Role[];
  }

  /** The bootstrap admin: one service account whose only active key is the configured one. */
  async upsertBootstrapAdmin(name: string, key: { lookupId: string; hash: string; prefix: string }): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const identity = await tx.identity.upsert({
        where: { kind_name: { kind: 'SERVICE_ACCOUNT', name } },
        create: { kind: 'SERVICE_ACCOUNT', name, roles: ['ADMIN'] },
        update: { roles: ['ADMIN'], disabledAt: null },
      });
      await tx.apiKey.upsert({
        where: { lookupId: key.lookupId },
        create: { identityId: identity.id, lookupId: key.lookupId, hash: key.hash, prefix: key.prefix },
        update: { identityId: identity.id, hash: key.hash, prefix: key.prefix, revokedAt: null, expiresAt: null },
      });
      // A changed AIRLOCK_ADMIN_TOKEN retires the previous one.
      await tx.apiKey.updateMany({ where: { identityId: identity.id, lookupId: { not: key.lookupId }, revokedAt: null }, data: { revokedAt: new Date() } });
    });
  }
}
