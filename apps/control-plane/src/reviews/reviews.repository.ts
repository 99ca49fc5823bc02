import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { decryptSecret, encryptSecret } from '../common/credential-cipher';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { ReviewDecisionValue, type ReviewKind, type ReviewRequestObject, type ReviewStatus } from './dto/review-request.object';

const include = { decisions: { orderBy: { createdAt: 'asc' as const } } };
type Row = Prisma.ReviewRequestGetPayload<{ include: typeof include }>;

/** A stored review plus what the service needs and the API does not show. */
export interface ReviewRecord extends ReviewRequestObject {
  requesterKind: 'USER' | 'SERVICE_ACCOUNT';
}

export interface NewReview {
  id: string;
  kind: ReviewKind;
  requesterName: string;
  requesterKind: 'USER' | 'SERVICE_ACCOUNT';
  requesterId?: string | null;
  connectionName: string;
  sessionId?: string | null;
  statement?: string | null;
  fingerprint?: string | null;
  classification?: unknown;
  ruleName?: string | null;
  profile?: string | null;
  durationSec?: number | null;
  reason?: string | null;
  createdAt?: Date;
  expiresAt: Date;
}

function toRecord(r: Row): ReviewRecord {
  const scope = r.scope as { fingerprint?: boolean; maxRuns?: number | null; until?: string | null } | null;
  return {
    id: r.id, kind: r.kind as ReviewKind, connection: r.connectionName, requester: r.requesterName, requesterKind: r.requesterKind === 'SERVICE_ACCOUNT' ? 'SERVICE_ACCOUNT' : 'USER',
    statement: r.statement, fingerprint: r.fingerprint, classification: r.classification === null ? null : JSON.stringify(r.classification), rule: r.ruleName,
    sessionId: r.sessionId, profile: r.profile, durationSeconds: r.durationSec, reason: r.reason,
    scope: scope ? { fingerprint: true, maxRuns: scope.maxRuns ?? null, until: scope.until ? new Date(scope.until) : null } : null,
    createdAt: r.createdAt, expiresAt: r.expiresAt, decidedAt: r.decidedAt, status: r.status as ReviewStatus,
    decisions: r.decisions.map((d) => ({ approver: d.approverName, decision: d.decision === 'APPROVE' ? ReviewDecisionValue.APPROVE : ReviewDecisionValue.REJECT, reason: d.reason, at: d.createdAt })),
  };
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

@Injectable()
export class ReviewsRepository implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReviewsRepository.name);

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seals the review webhook URLs stored in clear before they were sealed, and clears them. */
  async onApplicationBootstrap(): Promise<void> {
    const plain = await this.prisma.connection.findMany({ where: { reviewWebhookUrl: { not: null } }, select: { id: true, reviewWebhookUrl: true } });
    for (const c of plain) {
      await this.prisma.connection.update({ where: { id: c.id }, data: { reviewWebhookSealed: new Uint8Array(encryptSecret(this.config.masterKey, c.reviewWebhookUrl!)), reviewWebhookUrl: null } });
    }
    if (plain.length > 0) this.logger.log({ msg: 'review webhook URLs sealed under the master key', connections: plain.length });
  }

  /** Inserts once; `created` is false when a review with this id already exists (a redelivered job). */
  async createOnce(r: NewReview): Promise<{ created: boolean; review: ReviewRecord }> {
    try {
      const row = await this.prisma.reviewRequest.create({
        data: { ...r, classification: r.classification === undefined || r.classification === null ? Prisma.JsonNull : (r.classification as Prisma.InputJsonValue) },
        include,
      });
      return { created: true, review: toRecord(row) };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { created: false, review: (await this.find(r.id))! };
    }
  }

  async find(id: string): Promise<ReviewRecord | null> {
    const row = await this.prisma.reviewRequest.findUnique({ where: { id }, include });
    return row ? toRecord(row) : null;
  }

  async list(status: ReviewStatus | undefined, limit: number): Promise<ReviewRecord[]> {
    const rows = await this.prisma.reviewRequest.findMany({ where: status ? { status } : {}, include, orderBy: { createdAt: 'desc' }, take: limit });
    return rows.map(toRecord);
  }

  async connection(name: string): Promise<{ id: string; poolId: string; minApprovers: number; webhookUrl: string | null } | null> {
    const c = await this.prisma.connection.findUnique({ where: { name }, select: { id: true, poolId: true, minApprovers: true, reviewWebhookSealed: true, reviewWebhookUrl: true } });
    if (!c) return null;
    const webhookUrl = c.reviewWebhookSealed ? decryptSecret(this.config.masterKey, c.reviewWebhookSealed) : c.reviewWebhookUrl;
    return { id: c.id, poolId: c.poolId, minApprovers: c.minApprovers, webhookUrl };
  }

  /** `webhookUrl`: undefined keeps it, null removes it, a URL replaces it (stored sealed). */
  async setPolicy(name: string, data: { minApprovers?: number; webhookUrl?: string | null }): Promise<void> {
    const webhook = data.webhookUrl === undefined ? {} : { reviewWebhookSealed: data.webhookUrl === null ? null : new Uint8Array(encryptSecret(this.config.masterKey, data.webhookUrl)), reviewWebhookUrl: null };
    await this.prisma.connection.update({ where: { name }, data: { minApprovers: data.minApprovers, ...webhook } });
  }

  /**
   * Records one approver's vote and, in the same transaction, moves the review to `final` when
   * given (only from PENDING, so two concurrent final votes cannot both win). Returns null when
   * the review was no longer pending.
   */
  async vote(
    id: string,
    vote: { approverId: string | null; approverName: string; decision: 'APPROVE' | 'REJECT'; reason: string | null },
    finalize: (approvals: number) => { status: 'APPROVED' | 'REJECTED'; scope: unknown } | null,
  ): Promise<{ review: ReviewRecord; final: boolean } | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        // Row lock: votes on one review are serialised.
        const locked = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM "ReviewRequest" WHERE id = ${id} FOR UPDATE`;
        if (locked[0]?.status !== 'PENDING') return null;
        await tx.reviewDecision.create({ data: { reviewId: id, ...vote } });
        const approvals = await tx.reviewDecision.count({ where: { reviewId: id, decision: 'APPROVE' } });
        const outcome = finalize(approvals);
        if (outcome) {
          await tx.reviewRequest.update({
            where: { id },
            data: { status: outcome.status, decidedAt: new Date(), scope: outcome.scope === null ? Prisma.JsonNull : (outcome.scope as Prisma.InputJsonValue) },
          });
        }
        const row = await tx.reviewRequest.findUniqueOrThrow({ where: { id }, include });
        return { review: toRecord(row), final: outcome !== null };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw Object.assign(new Error('already voted'), { alreadyVoted: true });
      throw err;
    }
  }

  /**
   * The one-approval case in a single statement (one round trip, one commit): lock the review if
   * still PENDING, record the vote, and finalize it. Returns null when the review was no longer
   * pending. The caller builds the decided record from what it read (see ReviewsService.decide).
   */
  async voteFinal(
    id: string,
    vote: { approverId: string | null; approverName: string; decision: 'APPROVE' | 'REJECT'; reason: string | null },
    scope: unknown,
  ): Promise<{ at: Date; decidedAt: Date } | null> {
    const status = vote.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
    const scopeJson = scope === null ? null : JSON.stringify(scope);
    try {
      const rows = await this.prisma.$queryRaw<Array<{ at: Date | null; decidedAt: Date | null }>>`
        WITH locked AS (
          SELECT id FROM "ReviewRequest" WHERE id = ${id} AND status = 'PENDING' FOR UPDATE
        ), ins AS (
          INSERT INTO "ReviewDecision" (id, "reviewId", "approverId", "approverName", decision, reason)
          SELECT gen_random_uuid(), locked.id, ${vote.approverId}::uuid, ${vote.approverName}, ${vote.decision}::"Decision", ${vote.reason} FROM locked
          RETURNING "reviewId", "createdAt"
        ), upd AS (
          UPDATE "ReviewRequest" r SET status = ${status}::"ReviewStatus", "decidedAt" = now(), scope = ${scopeJson}::jsonb
          FROM ins WHERE r.id = ins."reviewId"
          RETURNING r."decidedAt"
        )
        SELECT (SELECT "createdAt" FROM ins) AS at, (SELECT "decidedAt" FROM upd) AS "decidedAt"`;
      const row = rows[0];
      return row?.at && row.decidedAt ? { at: new Date(row.at), decidedAt: new Date(row.decidedAt) } : null;
    } catch (err) {
      if (/23505|unique/i.test((err as Error).message)) throw Object.assign(new Error('already voted'), { alreadyVoted: true });
      throw err;
    }
  }

  /** PENDING → status; returns the review when this call made the change. */
  async close(id: string, status: 'EXPIRED' | 'WITHDRAWN'): Promise<ReviewRecord | null> {
    const n = await this.prisma.reviewRequest.updateMany({ where: { id, status: 'PENDING' }, data: { status, decidedAt: new Date() } });
    return n.count === 1 ? this.find(id) : null;
  }

  async duePending(now: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.reviewRequest.findMany({ where: { status: 'PENDING', expiresAt: { lte: now } }, select: { id: true }, take: limit });
    return rows.map((r) => r.id);
  }
}
