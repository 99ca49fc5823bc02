import { gql } from '@urql/core';

/** A held statement (STATEMENT) or a just-in-time access request (ACCESS): one inbox for both. */
export interface ReviewRequest {
  id: string;
  kind: 'STATEMENT' | 'ACCESS';
  sessionId: string | null;
  requester: string;
  connection: string;
  statement: string | null;
  fingerprint: string | null;
  classification: string | null;
  rule: string | null;
  profile: string | null;
  durationSeconds: number | null;
  reason: string | null;
  status: string;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string | null;
  decisions?: Array<{ approver: string; decision: string; reason: string | null; at: string }>;
}

const FIELDS = `id kind sessionId requester connection statement fingerprint classification rule profile durationSeconds reason status createdAt expiresAt`;

export const PENDING_REVIEWS = gql`
  query PendingReviews { reviewRequests(status: PENDING) { ${FIELDS} } }
`;
export const REVIEW_HISTORY = gql`
  query ReviewHistory($status: ReviewStatus) { reviewRequests(status: $status, limit: 200) { ${FIELDS} decidedAt decisions { approver decision reason at } } }
`;
export const REVIEW_REQUESTED = gql`
  subscription ReviewRequested { reviewRequested { ${FIELDS} } }
`;
export const DECIDE_REVIEW = gql`
  mutation DecideReview($input: DecideReviewInput!) { decideReview(input: $input) { id status } }
`;
