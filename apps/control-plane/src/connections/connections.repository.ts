import { Injectable } from '@nestjs/common';
import { type ConnectionKind, type GuardrailPreset } from '../common/enums';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { type ConnectionObject } from './dto/connection.object';

export interface ConnectionFields {
  kind: ConnectionKind;
  host: string;
  port: number;
  database: string | null;
  poolId: string;
  tls: { mode: string; ca?: string; serverName?: string };
}

/** `secret` undefined keeps the stored one (the service only allows that for an existing profile). */
export interface CredentialWrite {
  profile: string;
  username: string | null;
  secret?: Buffer;
}

const include = { pool: { select: { name: true } }, credentials: { select: { profile: true, username: true, rotatedAt: true }, orderBy: { profile: 'asc' as const } } };

type Row = Prisma.ConnectionGetPayload<{ include: typeof include }>;

function toObject(r: Row): ConnectionObject {
  const tls = (r.tls ?? {}) as { mode?: string; ca?: string; serverName?: string };
  return {
    id: r.id, name: r.name, kind: r.kind as ConnectionKind, host: r.host, port: r.port, database: r.database, pool: r.pool.name,
    tls: { mode: tls.mode ?? 'prefer', ca: tls.ca ?? null, serverName: tls.serverName ?? null },
    guardrails: r.guardrails as GuardrailPreset, masking: r.masking, reviewTimeoutSeconds: r.reviewTimeoutSeconds, minApprovers: r.minApprovers,
    credentials: r.credentials.map((c) => ({ profile: c.profile, username: c.username, rotatedAt: c.rotatedAt })),
    createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

export const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

@Injectable()
export class ConnectionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<ConnectionObject[]> {
    return (await this.prisma.connection.findMany({ include, orderBy: { name: 'asc' } })).map(toObject);
  }

  async findByName(name: string): Promise<(ConnectionObject & { poolId: string }) | null> {
    const row = await this.prisma.connection.findUnique({ where: { name }, include });
    return row ? { ...toObject(row), poolId: row.poolId } : null;
  }

  async poolIdByName(name: string): Promise<string | null> {
    return (await this.prisma.workerPool.findUnique({ where: { name }, select: { id: true } }))?.id ?? null;
  }

  /** Throws a unique violation (see isUniqueViolation) when the name is taken. */
  async create(name: string, fields: ConnectionFields, credentials: CredentialWrite[], keyId: string): Promise<ConnectionObject> {
    const row = await this.prisma.connection.create({
      data: {
        name, ...fields,
        credentials: { create: credentials.map((c) => ({ profile: c.profile, username: c.username, secret: new Uint8Array(c.secret!), keyId })) },
      },
      include,
    });
    return toObject(row);
  }

  async update(name: string, fields: Partial<ConnectionFields>, credentials: CredentialWrite[] | undefined, keyId: string): Promise<ConnectionObject> {
    return this.prisma.$transaction(async (tx) => {
      const conn = await tx.connection.update({ where: { name }, data: fields });
      if (credentials) {
        await tx.credentialProfile.deleteMany({ where: { connectionId: conn.id, profile: { notIn: credentials.map((c) => c.profile) } } });
        for (const c of credentials) {
          const rotated = c.secret ? { secret: new Uint8Array(c.secret), keyId, rotatedAt: new Date() } : {};
          await tx.credentialProfile.upsert({
            where: { connectionId_profile: { connectionId: conn.id, profile: c.profile } },
            create: { connectionId: conn.id, profile: c.profile, username: c.username, secret: new Uint8Array(c.secret!), keyId },
            update: { username: c.username, ...rotated },
          });
        }
      }
      return toObject(await tx.connection.findUniqueOrThrow({ where: { id: conn.id }, include }));
    });
  }

  async setPolicy(name: string, data: { guardrails?: GuardrailPreset; masking?: boolean; reviewTimeoutSeconds?: number }): Promise<ConnectionObject> {
    return toObject(await this.prisma.connection.update({ where: { name }, data, include }));
  }

  async delete(name: string): Promise<void> {
    await this.prisma.connection.delete({ where: { name } });
  }
}
