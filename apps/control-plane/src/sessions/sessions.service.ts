import { Injectable } from '@nestjs/common';
import { canonicalJson, verifyChain, type StoredLink } from '@airlock/audit';
import { type Principal } from '../auth/principal';
import { Role } from '../common/enums';
import { type MaskedCountObject, type SessionEventObject, type SessionFilter, type SessionObject, type SessionPageObject, type SessionVerificationObject, type VerdictFilter } from './dto/session.object';
import { SessionsException, SessionsExceptionCode } from './sessions.exception';
import { type EventRecord, type SessionQuery, SessionsRepository, type SessionRecord } from './sessions.repository';

const MAX_PAGE = 200;
const MAX_EVENTS = 5000;
const VERIFY_BATCH = 5000;

@Injectable()
export class SessionsService {
  constructor(private readonly repo: SessionsRepository) {}

  async list(principal: Principal, filter: SessionFilter = {}, first = 50, after?: string): Promise<SessionPageObject> {
    const take = Math.min(Math.max(first, 1), MAX_PAGE);
    const q: SessionQuery = { identityName: filter.identity, connection: filter.connection, from: filter.from, to: filter.to, verdict: filter.verdict, text: filter.text, after: after ? decodeCursor(after) : undefined };
    if (!seesEverything(principal)) Object.assign(q, ownOnly(principal, filter.identity));
    const rows = await this.repo.page(q, take + 1);
    const nodes = rows.slice(0, take).map(toSession);
    const last = rows.length > take ? rows[take - 1] : undefined;
    return { nodes, hasNextPage: rows.length > take, endCursor: last ? encodeCursor(last) : nodes.length ? encodeCursor(rows[nodes.length - 1]!) : null };
  }

  async get(principal: Principal, id: string): Promise<SessionObject> {
    return toSession(await this.visible(principal, id));
  }

  async events(principal: Principal, sessionId: string, afterSeq = -1, first = MAX_EVENTS): Promise<SessionEventObject[]> {
    await this.visible(principal, sessionId);
    return (await this.repo.events(sessionId, afterSeq, Math.min(Math.max(first, 1), MAX_EVENTS))).map(toEvent);
  }

  /** Recomputes the session's chain from the stored events and checks it ends on its audit-chain anchor. */
  async verify(id: string): Promise<SessionVerificationObject> {
    const session = await this.repo.findById(id);
    if (!session) throw new SessionsException(SessionsExceptionCode.NOT_FOUND, `airlock: no session ${id}`);
    const links: StoredLink[] = [];
    for (let after = -1; ; ) {
      const batch = await this.repo.events(id, after, VERIFY_BATCH);
      for (const e of batch) links.push({ event: e.payload as { seq: number }, prevHash: e.prevHash, hash: e.hash });
      if (batch.length < VERIFY_BATCH) break;
      after = batch[batch.length - 1]!.seq;
    }
    // A stored row whose seq column disagrees with its payload was moved: that breaks the chain too.
    const anchor = await this.repo.anchor(id);
    const verdict = verifyChain(links, anchor ?? session.lastHash);
    return { sessionId: id, ok: verdict.ok, firstBrokenSeq: verdict.firstBrokenSeq, checked: verdict.checked, anchored: anchor !== null };
  }

  private async visible(principal: Principal, id: string): Promise<SessionRecord> {
    const s = await this.repo.findById(id);
    // A member asking for someone else's session learns nothing, not even that it exists.
    if (!s || (!seesEverything(principal) && !(s.identityName === principal.name && s.identityKind === principal.kind))) {
      throw new SessionsException(SessionsExceptionCode.NOT_FOUND, `airlock: no session ${id}`);
    }
    return s;
  }
}

/** ADMIN, AUDITOR and APPROVER read every session (an approver follows a review to the session that asked). */
function seesEverything(p: Principal): boolean {
  return p.roles.includes(Role.ADMIN) || p.roles.includes(Role.AUDITOR) || p.roles.includes(Role.APPROVER);
}

function ownOnly(p: Principal, asked: string | undefined): Partial<SessionQuery> {
  // Asking for another identity's sessions without the role yields none.
  return { identityName: asked !== undefined && asked !== p.name ? '\u0000none' : p.name, identityKind: p.kind };
}

function encodeCursor(s: SessionRecord): string {
  return Buffer.from(`${s.startedAt.toISOString()}|${s.id}`).toString('base64url');
}

function decodeCursor(c: string): { startedAt: Date; id: string } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const startedAt = new Date(at ?? '');
  if (!id || Number.isNaN(startedAt.getTime())) throw new SessionsException(SessionsExceptionCode.INVALID_CURSOR, 'airlock: invalid cursor: pass the endCursor of a previous page');
  return { startedAt, id };
}

function toSession(s: SessionRecord): SessionObject {
  return {
    id: s.id,
    identity: s.identityName,
    identityKind: s.identityKind,
    connection: s.connectionName,
    connectionKind: s.connectionKind,
    profile: s.profile,
    workerId: s.workerId,
    clientAddress: s.clientAddress,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    endReason: s.endReason,
    statements: s.statements,
    blocked: s.blocked,
    bytesIn: s.bytesIn.toString(),
    bytesOut: s.bytesOut.toString(),
    lastSeq: s.lastSeq,
  };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

export function maskedCounts(v: unknown): MaskedCountObject[] {
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number')
    .map(([type, n]) => ({ type, count: n as number }));
}

function toEvent(e: EventRecord): SessionEventObject {
  const p = (e.payload ?? {}) as Record<string, unknown>;
  return {
    seq: e.seq,
    kind: e.kind,
    at: e.at,
    sql: str(p['sql']),
    statementKind: str(p['statementKind']),
    verdict: str(p['verdict']) as VerdictFilter | null,
    rule: str(p['rule']),
    durationMs: num(p['durationMs']),
    rows: num(p['rows']),
    bytes: num(p['bytes']),
    errorCode: str(p['errorCode']),
    masked: maskedCounts(p['masked']),
    approver: str(p['approver']),
    reviewId: str(p['reviewId']),
    status: str(p['status']),
    reason: str(p['reason']),
    detail: canonicalJson(p),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
