import { Injectable, Logger } from '@nestjs/common';
import { type Principal } from '../auth/principal';
import { canonicalJson, elideSecrets } from './audit-chain';
import { AuditRepository, type AuditRecord } from './audit.repository';
import { type AuditEntryObject } from './dto/audit-entry.object';

export interface AuditEvent {
  principal: Principal;
  /** The mutation name. */
  action: string;
  input: unknown;
  /** 'OK' or the error code the caller got. */
  outcome: string;
}

const MAX_PAGE = 500;

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly repo: AuditRepository) {}

  async record(e: AuditEvent): Promise<void> {
    try {
      await this.repo.append({
        actorName: e.principal.name,
        actorKind: e.principal.kind,
        action: e.action,
        target: targetOf(e.input),
        details: { input: elideSecrets(e.input ?? null), outcome: e.outcome },
        clientAddress: e.principal.clientAddress ?? null,
      });
    } catch (err) {
      // The change itself is committed; failing the call now would invite a retry of it.
      this.logger.error({ msg: 'audit append failed', action: e.action, actor: e.principal.name, err: (err as Error).message });
    }
  }

  async list(limit = 50, before?: string): Promise<AuditEntryObject[]> {
    const cursor = before && /^\d+$/.test(before) ? BigInt(before) : undefined;
    const rows = await this.repo.list(Math.min(Math.max(limit, 1), MAX_PAGE), cursor);
    return rows.map(toObject);
  }
}

/** The thing a mutation acted on, named the way its input names it. */
function targetOf(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const i = input as Record<string, unknown>;
  if (typeof i['subject'] === 'string' && typeof i['connection'] === 'string') return `${i['subject']} -> ${i['connection']}`;
  for (const key of ['name', 'connection', 'serviceAccount', 'id']) if (typeof i[key] === 'string') return i[key] as string;
  return null;
}

function toObject(r: AuditRecord): AuditEntryObject {
  return { id: r.id.toString(), at: r.at, actorName: r.actorName, actorKind: r.actorKind, action: r.action, target: r.target, details: canonicalJson(r.details), clientAddress: r.clientAddress, prevHash: r.prevHash, hash: r.hash };
}
