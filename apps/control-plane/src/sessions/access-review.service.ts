import { Injectable } from '@nestjs/common';
import { type AccessReviewObject, type AccessReviewRowObject, ReportFormat } from './dto/access-review.object';
import { SessionsException, SessionsExceptionCode } from './sessions.exception';
import { type ActivityRow, SessionsRepository } from './sessions.repository';

const MAX_RANGE_DAYS = 366;

/**
 * The periodic access review: for each subject and connection, the grants it
 * held in the period and what it did with them. Grants name subjects as
 * sa:<name>, user:<email> or group:<name>; sessions as sa:<name> or
 * user:<name>, so a user's grant and sessions meet on one row only when the
 * grant was made to the name the IdP reports.
 */
@Injectable()
export class AccessReviewService {
  constructor(private readonly repo: SessionsRepository) {}

  async report(from: Date, to: Date, connection?: string, subject?: string): Promise<AccessReviewObject> {
    if (!(from < to) || to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw new SessionsException(SessionsExceptionCode.INVALID_RANGE, `airlock: the review period must have from < to and span at most ${MAX_RANGE_DAYS} days`);
    }
    const range = { from, to, connection };
    const [sessions, statements, masked, grants, reviews] = await Promise.all([
      this.repo.sessionCounts(range),
      this.repo.statementsByKind(range),
      this.repo.maskedByType(range),
      this.repo.grants(range),
      this.repo.reviews(range),
    ]);
    const rows = new Map<string, AccessReviewRowObject>();
    const row = (subj: string, conn: string): AccessReviewRowObject => {
      const key = `${subj}\u0000${conn}`;
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { subject: subj, connection: conn, grants: [], sessions: 0, statements: 0, statementsByKind: [], blocked: 0, reviews: [], masked: [] }));
      return r;
    };
    const subjectOf = (a: ActivityRow) => `${a.identityKind === 'SERVICE_ACCOUNT' ? 'sa' : 'user'}:${a.identityName}`;
    const namesToSubject = new Map<string, string>();
    for (const a of sessions) {
      row(subjectOf(a), a.connectionName).sessions += Number(a.n);
      namesToSubject.set(a.identityName, subjectOf(a));
    }
    for (const a of statements) {
      const r = row(subjectOf(a), a.connectionName);
      r.statements += Number(a.n);
      r.blocked += Number(a.blocked);
      r.statementsByKind.push({ kind: a.key, count: Number(a.n) });
    }
    for (const a of masked) row(subjectOf(a), a.connectionName).masked.push({ type: a.key, count: Number(a.n) });
    for (const g of grants) {
      row(g.subject, g.connection.name).grants.push({
        id: g.id,
        profile: g.profile,
        source: g.source,
        timeBound: g.expiresAt !== null,
        expiresAt: g.expiresAt,
        grantedBy: g.grantedByName,
        grantedAt: g.createdAt,
        revokedAt: g.revokedAt,
        lastUsedAt: g.lastUsedAt,
        neverUsed: g.lastUsedAt === null,
      });
    }
    for (const rv of reviews) {
      const subj = namesToSubject.get(rv.requesterName) ?? rv.requesterName;
      const reasons = rv.decisions.map((d) => d.reason).filter((x): x is string => !!x);
      row(subj, rv.connectionName).reviews.push({
        reviewId: rv.id,
        status: rv.status,
        statement: rv.statement,
        requestReason: rv.reason,
        approvers: rv.decisions.map((d) => `${d.approverName}:${d.decision}`),
        decisionReason: reasons.length ? reasons.join('; ') : null,
        requestedAt: rv.createdAt,
        decidedAt: rv.decidedAt,
      });
    }
    const out = [...rows.values()]
      .filter((r) => subject === undefined || r.subject === subject)
      .sort((a, b) => (a.subject === b.subject ? a.connection.localeCompare(b.connection) : a.subject.localeCompare(b.subject)));
    for (const r of out) {
      r.statementsByKind.sort((a, b) => a.kind.localeCompare(b.kind));
      r.masked.sort((a, b) => a.type.localeCompare(b.type));
    }
    return { from, to, rows: out };
  }

  async export(format: ReportFormat, from: Date, to: Date, connection?: string, subject?: string): Promise<string> {
    const report = await this.report(from, to, connection, subject);
    switch (format) {
      case ReportFormat.JSON:
        return JSON.stringify(report, null, 2);
      case ReportFormat.CSV:
        return toCsv(report);
    }
  }
}

const CSV_HEADER = ['subject', 'connection', 'grants', 'never_used_grants', 'sessions', 'statements', 'statements_by_kind', 'blocked', 'reviews', 'masked_by_type'];

export function toCsv(report: AccessReviewObject): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of report.rows) {
    const grants = r.grants.map((g) => `${g.profile}/${g.timeBound ? `until ${g.expiresAt!.toISOString()}` : 'standing'}/${g.source}/by ${g.grantedBy}/last used ${g.lastUsedAt?.toISOString() ?? 'never'}`);
    const reviews = r.reviews.map((v) => `${v.reviewId} ${v.status} by ${v.approvers.join('+') || '-'}${v.decisionReason ? ` (${v.decisionReason})` : ''}`);
    lines.push(
      [
        r.subject,
        r.connection,
        grants.join('; '),
        String(r.grants.filter((g) => g.neverUsed).length),
        String(r.sessions),
        String(r.statements),
        r.statementsByKind.map((k) => `${k.kind}=${k.count}`).join('; '),
        String(r.blocked),
        reviews.join('; '),
        r.masked.map((m) => `${m.type}=${m.count}`).join('; '),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula. */
function csvCell(v: string): string {
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
