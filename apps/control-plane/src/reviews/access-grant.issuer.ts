import { Injectable, Logger } from '@nestjs/common';
import { GrantsService } from '../grants/grants.service';
import { type ReviewRecord } from './reviews.repository';

/** The grant subject an access request was made for, kept in its classification. */
export interface AccessRequestDetails {
  subject: string;
}

/**
 * Turns an approved access request into a time-bound JUST_IN_TIME grant through the grants code
 * path (validation, audit of the grant, snapshot republish). Lives with reviews so deciding needs
 * no cycle back into access-requests/.
 */
@Injectable()
export class AccessGrantIssuer {
  private readonly logger = new Logger(AccessGrantIssuer.name);

  constructor(private readonly grants: GrantsService) {}

  async issue(review: ReviewRecord, approver: { identityId: string; name: string }): Promise<void> {
    const details = JSON.parse(review.classification ?? '{}') as Partial<AccessRequestDetails>;
    const subject = details.subject ?? `${review.requesterKind === 'SERVICE_ACCOUNT' ? 'sa' : 'user'}:${review.requester}`;
    const seconds = review.durationSeconds ?? 3600;
    const grant = await this.grants.grant(
      { subject, connection: review.connection, profile: review.profile ?? undefined, expiresAt: new Date(Date.now() + seconds * 1000), reason: `just-in-time (review ${review.id}): ${review.reason ?? ''}`.slice(0, 1000) },
      approver,
      'JUST_IN_TIME',
    );
    this.logger.log({ msg: 'just-in-time access granted', reviewId: review.id, grant: grant.id, subject, connection: review.connection, expiresAt: grant.expiresAt, approver: approver.name });
  }
}
