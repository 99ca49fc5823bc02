import { randomBytes } from 'node:crypto';
import type { ReviewDecisionMessage, ReviewRequestJob, ScopedApproval } from '@airlock/contracts';
import type { Subject } from '@airlock/identity';
import { classify, type Decision } from '@airlock/sql-guard';
import type { Logger } from 'pino';
import type { AllowVerdict, BlockVerdict, HoldVerdict, MaybeAsyncVerdict, SessionHooks, SessionHooksFactory, SessionInfo, StatementVerdict } from '../postgres/hooks';
import { ALLOW } from '../postgres/hooks';
import type { ReviewClient } from './review-client';

/** A review's step, for the session's trail (the recorder turns it into a `review` session event). */
export interface ReviewTrailEvent {
  reviewId: string;
  status: 'REQUESTED' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'WITHDRAWN';
  approver: string | null;
  reason: string | null;
  at: Date;
}

export interface ReviewEngineOptions {
  client: ReviewClient;
  /** Base URL of the console; the notice links to <consoleUrl>/reviews/<id>. */
  consoleUrl: string;
  log: Logger;
  /** Called for every step of every review; must not throw or block. */
  onEvent?: (info: SessionInfo, event: ReviewTrailEvent) => void;
}

/** What the review engine keeps per session; other hook sets (the recorder) read it through reviewSession(). */
export interface ReviewSessionState {
  /** The review that let the session's last held statement through (statement events carry it). */
  lastReview: { id: string; approver: string } | null;
}

interface SessionEntry {
  engine: ReviewEngine;
  state: ReviewSessionState;
  aborts: Set<(reason: string) => void>;
}

const sessions = new WeakMap<SessionInfo, SessionEntry>();

/** The review state of a session, for other hook sets of the same session. */
export function reviewSession(info: SessionInfo): ReviewSessionState | undefined {
  return sessions.get(info)?.state;
}

/**
 * The `review` verdict of the guardrails: holds the statement until people decide, or lets it
 * through at once when a scoped approval covers it. Undefined when the session has no review
 * engine (the caller then refuses the statement).
 */
export function holdForReview(decision: Decision, sql: string, info: SessionInfo): MaybeAsyncVerdict | undefined {
  const entry = sessions.get(info);
  return entry ? entry.engine.hold(decision, sql, info, entry) : undefined;
}

/** `sa:<name>` or `user:<name>`, as grants and scoped approvals name identities. */
export function identityKey(subject: Subject): string {
  return `${subject.kind === 'user' ? 'user' : 'sa'}:${subject.name}`;
}

/** Literals out of the statement before it leaves the worker: the parser's normalization, else a lexical mask. */
export function maskStatement(sql: string): string {
  let normalized: string | null = null;
  try {
    normalized = classify(sql).normalized;
  } catch {
    normalized = null;
  }
  return normalized ?? sql.replace(/'(?:[^']|'')*'/g, '?').replace(/\b\d+(?:\.\d+)?\b/g, '?');
}

const block = (code: string, message: string, detail?: string): BlockVerdict => ({ action: 'block', code, message, detail });

export class ReviewEngine {
  constructor(private readonly opts: ReviewEngineOptions) {}

  /** The per-session hook set: registers the session and withdraws its pending reviews when it ends. */
  hooks(): SessionHooksFactory {
    return (info) => {
      const entry: SessionEntry = { engine: this, state: { lastReview: null }, aborts: new Set() };
      sessions.set(info, entry);
      const hooks: SessionHooks = {
        onEnd: (reason: string) => {
          for (const abort of [...entry.aborts]) abort(`the client went away (${reason})`);
        },
        // A CancelRequest for this session (psql's Ctrl-C) while a statement is held.
        onCancel: () => {
          for (const abort of [...entry.aborts]) abort('canceled by the client');
        },
      };
      return hooks;
    };
  }

  hold(d: Decision, sql: string, info: SessionInfo, entry: SessionEntry): MaybeAsyncVerdict {
    const identity = identityKey(info.subject);
    const scope = d.fingerprint ? this.opts.client.scopeFor(info.connection.name, identity, d.fingerprint) : undefined;
    if (scope) return this.runScoped(scope, d, sql, info, entry);
    return this.request(d, sql, info, entry);
  }

  /** Withdraws every pending review of a session (a CancelRequest for it, or its end). */
  cancel(info: SessionInfo, reason: string): void {
    const entry = sessions.get(info);
    if (entry) for (const abort of [...entry.aborts]) abort(reason);
  }

  private async runScoped(scope: ScopedApproval, d: Decision, sql: string, info: SessionInfo, entry: SessionEntry): Promise<StatementVerdict> {
    let granted = false;
    try {
      granted = await this.opts.client.takeScopedRun(scope);
    } catch (err) {
      this.opts.log.warn({ sessionId: info.sessionId, err: (err as Error).message }, 'reviews: could not count a scoped run; asking for review');
    }
    if (!granted) return this.request(d, sql, info, entry);
    entry.state.lastReview = { id: scope.reviewId, approver: scope.approver };
    this.emit(info, { reviewId: scope.reviewId, status: 'APPROVED', approver: scope.approver, reason: 'scoped approval', at: new Date() });
    return ALLOW;
  }

  private request(d: Decision, sql: string, info: SessionInfo, entry: SessionEntry): HoldVerdict {
    const { client, consoleUrl, log } = this.opts;
    const id = `r_${randomBytes(8).toString('hex')}`;
    const timeoutS = info.connection.reviewTimeoutSeconds > 0 ? info.connection.reviewTimeoutSeconds : 300;
    const job: ReviewRequestJob = {
      schemaVersion: 1,
      id,
      sessionId: info.sessionId,
      requester: { kind: info.subject.kind === 'user' ? 'USER' : 'SERVICE_ACCOUNT', name: info.subject.name },
      connection: info.connection.name,
      statement: maskStatement(sql),
      fingerprint: d.fingerprint,
      classification: { reason: d.reason, statements: d.statements.map((s) => ({ kind: s.kind, verdict: s.verdict, rule: s.rule?.name ?? null, reason: s.reason })) },
      rule: d.rule?.name ?? null,
      expiresAt: new Date(Date.now() + timeoutS * 1000).toISOString(),
    };
    const slog = log.child({ sessionId: info.sessionId, connection: info.connection.name, identity: info.subject.name, reviewId: id });

    const decision = new Promise<AllowVerdict | BlockVerdict>((resolve) => {
      let done = false;
      const finish = (v: AllowVerdict | BlockVerdict, event?: Omit<ReviewTrailEvent, 'reviewId' | 'at'>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        entry.aborts.delete(abort);
        if (event) this.emit(info, { reviewId: id, ...event, at: new Date() });
        resolve(v);
      };
      const onDecision = (msg: ReviewDecisionMessage): void => {
        const approver = msg.approver ?? 'unknown';
        switch (msg.status) {
          case 'APPROVED':
            entry.state.lastReview = { id, approver };
            slog.info({ approver }, 'reviews: approved');
            return finish(ALLOW, { status: 'APPROVED', approver, reason: msg.reason });
          case 'REJECTED':
            slog.info({ approver }, 'reviews: rejected');
            return finish(block('42501', `airlock: review ${id} rejected by ${approver}: ${msg.reason ?? 'no reason given'}`), { status: 'REJECTED', approver, reason: msg.reason });
          case 'EXPIRED':
            return finish(block('57014', `airlock: review ${id} timed out after ${timeoutS} s`), { status: 'EXPIRED', approver: null, reason: msg.reason });
          case 'WITHDRAWN':
            return finish(block('57014', `airlock: review ${id} was withdrawn${msg.reason ? `: ${msg.reason}` : ''}`), { status: 'WITHDRAWN', approver: null, reason: msg.reason });
        }
      };
      const off = client.onDecision(id, onDecision);
      const timer = setTimeout(() => {
        slog.info({ timeoutS }, 'reviews: timed out');
        void client.withdraw(id, `no decision within ${timeoutS} s`, 'EXPIRED');
        finish(block('57014', `airlock: review ${id} timed out after ${timeoutS} s`), { status: 'EXPIRED', approver: null, reason: `no decision within ${timeoutS} s` });
      }, timeoutS * 1000);
      const abort = (reason: string): void => {
        if (done) return;
        slog.info({ reason }, 'reviews: withdrawn');
        void client.withdraw(id, reason, 'WITHDRAWN');
        // 57014 is what Postgres answers a canceled statement with.
        finish(block('57014', `airlock: review ${id} withdrawn: ${reason}`), { status: 'WITHDRAWN', approver: null, reason });
      };
      entry.aborts.add(abort);
      client.request(job).then(
        () => {
          this.emit(info, { reviewId: id, status: 'REQUESTED', approver: null, reason: d.reason, at: new Date() });
        },
        (err: Error) => {
          slog.warn({ err: err.message }, 'reviews: could not enqueue the review request');
          finish(block('XX000', `airlock: review ${id} could not be requested (the review queue is unreachable); the statement was not run`));
        },
      );
    });
    return { action: 'hold', notice: `airlock: waiting for approval of review ${id} — ${consoleUrl.replace(/\/$/, '')}/reviews/${id}`, decision };
  }

  private emit(info: SessionInfo, event: ReviewTrailEvent): void {
    try {
      this.opts.onEvent?.(info, event);
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'reviews: trail hook failed');
    }
  }
}
