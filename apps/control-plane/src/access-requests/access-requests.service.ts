import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Principal } from '../auth/principal';
import { IdentityKind } from '../common/enums';
import { ReviewKind, type ReviewRequestObject } from '../reviews/dto/review-request.object';
import { ReviewsService } from '../reviews/reviews.service';
import { AccessRequestException, AccessRequestExceptionCode } from './access-requests.exception';
import { type RequestAccessInput } from './dto/request-access.input';
import { parseDuration } from './duration';

const MAX_DURATION_S = 7 * 24 * 3600;
const MAX_REASON = 1_000;
/** How long an access request waits for an approver. */
const PENDING_FOR_S = 24 * 3600;

@Injectable()
export class AccessRequestsService {
  constructor(private readonly reviews: ReviewsService) {}

  /** A just-in-time access request: an ACCESS review; approving it grants time-bound access. */
  async request(input: RequestAccessInput, by: Principal): Promise<ReviewRequestObject> {
    const seconds = parseDuration(input.duration);
    if (seconds === null || seconds < 1 || seconds > MAX_DURATION_S) {
      throw new AccessRequestException(AccessRequestExceptionCode.INVALID_INPUT, `airlock: duration must be seconds or ISO-8601 (e.g. PT1H), at most ${MAX_DURATION_S / 3600} h`);
    }
    const reason = input.reason.trim();
    if (!reason) throw new AccessRequestException(AccessRequestExceptionCode.INVALID_INPUT, 'airlock: say why you need access (reason)');
    if (reason.length > MAX_REASON) throw new AccessRequestException(AccessRequestExceptionCode.INVALID_INPUT, `airlock: reason is longer than ${MAX_REASON} characters`);
    await this.reviews.requireConnection(input.connection);
    const sa = by.kind === IdentityKind.SERVICE_ACCOUNT;
    const subject = sa ? `sa:${by.name}` : `user:${by.email ?? by.name}`;
    const { review } = await this.reviews.open({
      id: `r_${randomBytes(8).toString('hex')}`,
      kind: ReviewKind.ACCESS,
      requesterName: by.name,
      requesterKind: sa ? 'SERVICE_ACCOUNT' : 'USER',
      requesterId: by.identityId,
      connectionName: input.connection,
      profile: input.profile ?? null,
      durationSec: seconds,
      reason,
      classification: { subject },
      expiresAt: new Date(Date.now() + PENDING_FOR_S * 1000),
    });
    return review;
  }
}
