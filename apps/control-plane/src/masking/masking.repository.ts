import { Injectable } from '@nestjs/common';
import { type Prisma } from '../generated/prisma/client';
import { type StoredMaskingRule } from '../policy/masking-compiler';
import { PrismaService } from '../prisma/prisma.service';

export interface MaskingRuleWrite {
  connectionId?: string | null;
  name?: string;
  enabled?: boolean;
  match?: Prisma.InputJsonValue;
  entity?: string;
  style?: string;
}

export interface MaskingConnectionRef {
  id: string;
  name: string;
  poolId: string;
  masking: boolean;
  /** Master-key envelope of the hash key; null before the first policy compile. */
  maskingKey: Uint8Array | null;
}

/** A stored rule with its pool (null: global) and times; entity upper-case, style lower-case. */
export interface MaskingRuleRow extends StoredMaskingRule {
  poolId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const include = { connection: { select: { name: true, poolId: true } } } as const;
type Row = Prisma.MaskingRuleGetPayload<{ include: typeof include }>;

function toRow(r: Row): MaskingRuleRow {
  return {
    id: r.id, connection: r.connection?.name ?? null, name: r.name, enabled: r.enabled, match: r.match, entity: r.entity, style: r.style,
    createdAt: r.createdAt, updatedAt: r.updatedAt, poolId: r.connection?.poolId ?? null,
  };
}

// Policy order: the compiler reads rules by name, and the first match wins.
const order: Prisma.MaskingRuleOrderByWithRelationInput[] = [{ name: 'asc' }, { id: 'asc' }];

@Injectable()
export class MaskingRepository {
  constructor(private readonly prisma: PrismaService) {}

  connection(name: string): Promise<MaskingConnectionRef | null> {
    return this.prisma.connection.findUnique({ where: { name }, select: { id: true, name: true, poolId: true, masking: true, maskingKey: true } });
  }

  async poolIds(): Promise<string[]> {
    return (await this.prisma.workerPool.findMany({ select: { id: true } })).map((p) => p.id);
  }

  /** Every rule, or those that apply to one connection (its own and the global ones), in policy order. */
  async list(connectionId?: string): Promise<MaskingRuleRow[]> {
    const where = connectionId ? { OR: [{ connectionId: null }, { connectionId }] } : {};
    return (await this.prisma.maskingRule.findMany({ where, include, orderBy: order })).map(toRow);
  }

  async findById(id: string): Promise<MaskingRuleRow | null> {
    const row = await this.prisma.maskingRule.findUnique({ where: { id }, include });
    return row ? toRow(row) : null;
  }

  async create(data: Required<Omit<MaskingRuleWrite, 'connectionId'>> & { connectionId: string | null }): Promise<MaskingRuleRow> {
    return toRow(await this.prisma.maskingRule.create({ data, include }));
  }

  async update(id: string, data: MaskingRuleWrite): Promise<MaskingRuleRow> {
    return toRow(await this.prisma.maskingRule.update({ where: { id }, data, include }));
  }

  async delete(id: string): Promise<void> {
    await this.prisma.maskingRule.delete({ where: { id } });
  }
}
