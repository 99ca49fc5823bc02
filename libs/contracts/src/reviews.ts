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

export const WithdrawReviewJob = z.object({ schemaVersion: z.literal(1), id: z.string(), reason: z.string() });
export type WithdrawReviewJob = z.infer<typeof WithdrawReviewJob>;

/** Control plane → waiting worker, over pub/sub. */
export const ReviewDecisionMessage = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  status: z.enum(['APPROVED', 'REJECTED', 'EXPIRED', 'WITHDRAWN']),
  approver: z.string().nullable(),
  reason: z.string().nullable(),
  scope: ReviewScope.nullable(),
});
export type ReviewDecisionMessage = z.infer<typeof ReviewDecisionMessage>;
