import { gql } from '@urql/core';

export interface ReviewRequest {
  id: string;
  sessionId: string | null;
  requester: { kind: string; name: string };
  connection: string;
  statement: string;
  fingerprint: string | null;
  classification: unknown;
  rule: string | null;
  status: string;
  createdAt: string;
  expiresAt: string;
  approver?: string | null;
  reason?: string | null;
  decidedAt?: string | null;
}

const FIELDS = `id sessionId requester { kind name } connection statement fingerprint classification rule status createdAt expiresAt`;

export const PENDING_REVIEWS = gql`
  query PendingReviews { reviewRequests(status: PENDING) { ${FIELDS} } }
`;
export const REVIEW_HISTORY = gql`
  query ReviewHistory($status: ReviewStatus) { reviewRequests(status: $status) { ${FIELDS} approver reason decidedAt } }
`;
export const REVIEW_REQUESTED = gql`
  subscription ReviewRequested { reviewRequested { ${FIELDS} } }
`;
export const DECIDE_REVIEW = gql`
  mutation DecideReview($input: DecideReviewInput!) { decideReview(input: $input) { id status approver reason } }
`;

/** Just-in-time access requests share the inbox. */
export interface AccessRequest {
  id: string;
  requester: { kind: string; name: string };
  connection: string;
  profile: string | null;
  reason: string | null;
  durationSeconds: number | null;
  status: string;
  createdAt: string;
  expiresAt: string | null;
}
export const PENDING_ACCESS_REQUESTS = gql`
  query PendingAccessRequests { accessRequests(status: PENDING) { id requester { kind name } connection profile reason durationSeconds status createdAt expiresAt } }
`;
export const DECIDE_ACCESS_REQUEST = gql`
  mutation DecideAccessRequest($input: DecideAccessRequestInput!) { decideAccessRequest(input: $input) { id status } }
`;
