import { Injectable } from '@nestjs/common';
import { type Prisma } from '../generated/prisma/client';
import { type StoredGuardrailRule } from '../policy/policy-compiler';
import { PrismaService } from '../prisma/prisma.service';
import { type GuardrailAction } from './dto/guardrail.enums';
import { type GuardrailRuleObject } from './dto/guardrail-rule.object';

export interface RuleWrite {
  connectionId?: string | null;
  name?: string;
  priority?: number;
  enabled?: boolean;
  action?: GuardrailAction;
  message?: string;
  match?: Prisma.InputJsonValue;
}

export interface RecordedStatement {
  sessionId: string;
  seq: number;
  at: Date;
  identity: string;
  sql: string;
  verdict: string;
}

export interface ConnectionRef {
  id: string;
  name: string;
  poolId: string;
  guardrails: 'STANDARD' | 'PERMISSIVE' | 'CUSTOM';
}

const include = { connection: { select: { name: true, poolId: true } } } as const;
type Row = Prisma.GuardrailRuleGetPayload<{ include: typeof include }>;

export type RuleWithPool = GuardrailRuleObject & { poolId: string | null };

function toObject(r: Row): RuleWithPool {
  return {
    id: r.id, connection: r.connection?.name ?? null, name: r.name, priority: r.priority, enabled: r.enabled,
    action: r.action as GuardrailAction, message: r.message, match: (r.match ?? {}) as GuardrailRuleObject['match'],
    createdAt: r.createdAt, updatedAt: r.updatedAt, poolId: r.connection?.poolId ?? null,
  };
}

const order: Prisma.GuardrailRuleOrderByWithRelationInput[] = [{ priority: 'asc' }, { name: 'asc' }, { id: 'asc' }];

@Injectable()
export class GuardrailsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async connection(name: string): Promise<ConnectionRef | null> {
    return this.prisma.connection.findUnique({ where: { name }, select: { id: true, name: true, poolId: true, guardrails: true } });
  }

  async poolIds(): Promise<string[]> {
    return (await this.prisma.workerPool.findMany({ select: { id: true } })).map((p) => p.id);
  }

  /** Every rule, or the rules that apply to one connection (its own and the global ones). */
  async list(connectionId?: string): Promise<RuleWithPool[]> {
    const where = connectionId ? { OR: [{ connectionId: null }, { connectionId }] } : {};
    return (await this.prisma.guardrailRule.findMany({ where, include, orderBy: order })).map(toObject);
  }

  /** The newest recorded statements of a connection's sessions (for dry runs). */
  async recentStatements(connectionName: string, take: number): Promise<RecordedStatement[]> {
    const rows = await this.prisma.sessionEvent.findMany({
      where: { kind: 'statement', session: { connectionName } },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take,
      select: { sessionId: true, seq: true, at: true, payload: true, session: { select: { identityName: true } } },
    });
    return rows.map((r) => {
      const p = (r.payload ?? {}) as { sql?: unknown; verdict?: unknown };
      return { sessionId: r.sessionId, seq: r.seq, at: r.at, identity: r.session.identityName, sql: String(p.sql ?? ''), verdict: String(p.verdict ?? 'ALLOW') };
    });
  }

  /** The rules a connection's guard runs, in the shape the policy compiler ships. */
  async forGuard(connectionId: string): Promise<StoredGuardrailRule[]> {
    return (await this.list(connectionId)).map((r) => ({ id: r.id, connection: r.connection, name: r.name, enabled: r.enabled, priority: r.priority, action: r.action, message: r.message, match: r.match }));
  }

  async findById(id: string): Promise<RuleWithPool | null> {
    const row = await this.prisma.guardrailRule.findUnique({ where: { id }, include });
    return row ? toObject(row) : null;
  }

  async create(data: Required<Omit<RuleWrite, 'connectionId'>> & { connectionId: string | null }): Promise<RuleWithPool> {
    return toObject(await this.prisma.guardrailRule.create({ data, include }));
  }

  async update(id: string, data: RuleWrite): Promise<RuleWithPool> {
    return toObject(await this.prisma.guardrailRule.update({ where: { id }, data, include }));
  }

  async delete(id: string): Promise<void> {
    await this.prisma.guardrailRule.delete({ where: { id } });
  }
}
