import { z } from 'zod';

export const ReviewScope = z.object({
  fingerprint: z.literal(true),
  maxRuns: z.number().int().positive().optional(),
  until: z.string().optional(),
});
export type ReviewScope = z.infer<typeof ReviewScope>;

/** Worker → control plane: a statement is held and waits for people. */
export const ReviewRequestJob = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  sessionId: z.string().uuid(),
  requester: z.object({ kind: z.enum(['USER', 'SERVICE_ACCOUNT']), name: z.string() }),
  connection: z.string(),
  /** Statement text with parameters masked. */
  statement: z.string(),
  fingerprint: z.string().nullable(),
  classification: z.unknown(),
  rule: z.string().nullable(),
  expiresAt: z.string(),
});
export type ReviewRequestJob = z.infer<typeof ReviewRequestJob>;

export const WithdrawReviewJob = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  reason: z.string(),
  /** EXPIRED when the worker stopped waiting at the connection's review timeout; WITHDRAWN (default) on cancel or disconnect. */
  status: z.enum(['EXPIRED', 'WITHDRAWN']).optional(),
});
export type WithdrawReviewJob = z.infer<typeof WithdrawReviewJob>;

/** Control plane → waiting worker, over pub/sub. */
export const ReviewDecisionMessage = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  status: z.enum(['APPROVED', 'REJECTED', 'EXPIRED', 'WITHDRAWN']),
  approver: z.string().nullable(),
  reason: z.string().nullable(),
  scope: ReviewScope.nullable(),
  /** With a scope: what it matches, so every worker learns of it (see ScopedApproval). */
  match: z.object({ connection: z.string(), identity: z.string(), fingerprint: z.string() }).optional(),
});
export type ReviewDecisionMessage = z.infer<typeof ReviewDecisionMessage>;

/**
 * An approval that covers later runs of the same statement shape (sql-guard fingerprint) by the
 * same identity (`sa:<name>` / `user:<name>`) on the same connection. Stored in the
 * keys.reviewScopes() hash; the runs left live in keys.reviewScopeRuns() so workers count them
 * atomically.
 */
export const ScopedApproval = z.object({
  reviewId: z.string(),
  approver: z.string(),
  connection: z.string(),
  identity: z.string(),
  fingerprint: z.string(),
  /** Epoch milliseconds; null = no time limit. */
  until: z.number().nullable(),
  maxRuns: z.number().int().positive().nullable(),
});
export type ScopedApproval = z.infer<typeof ScopedApproval>;

/**
 * Webhook delivery job (control plane → itself, retried with backoff). A webhook URL often carries
 * its own secret (Slack's do), so the job holds it sealed: `sealedUrl` is the base64 AES-256-GCM
 * envelope (iv || tag || ciphertext) under AIRLOCK_MASTER_KEY. schemaVersion 1, with the URL in
 * clear, is what earlier control planes queued; it is still delivered.
 */
export const DeliverWebhookJob = z.discriminatedUnion('schemaVersion', [
  z.object({ schemaVersion: z.literal(2), sealedUrl: z.string().min(1), body: z.record(z.string(), z.unknown()) }),
  z.object({ schemaVersion: z.literal(1), url: z.string().url(), body: z.record(z.string(), z.unknown()) }),
]);
export type DeliverWebhookJob = z.infer<typeof DeliverWebhookJob>;
