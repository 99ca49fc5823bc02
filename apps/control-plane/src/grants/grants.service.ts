import { Injectable, Logger } from '@nestjs/common';
import { GrantSubject } from '@airlock/contracts';
import { type Principal } from '../auth/principal';
import { PolicyPublisher } from '../policy/policy.publisher';
import { type AccessGrantObject } from './dto/access-grant.object';
import { type GrantAccessInput, type RevokeAccessInput } from './dto/access-grant.inputs';
import { GrantException, GrantExceptionCode } from './grants.exception';
import { GrantsRepository } from './grants.repository';

const MAX_REASON = 1_000;

@Injectable()
export class GrantsService {
  private readonly logger = new Logger(GrantsService.name);

  constructor(
    private readonly repo: GrantsRepository,
    private readonly policy: PolicyPublisher,
  ) {}

  /** `source` JUST_IN_TIME: an approved access request (see access-requests/). */
  async grant(input: GrantAccessInput, by: Pick<Principal, 'identityId' | 'name'>, source: 'STANDING' | 'JUST_IN_TIME' = 'STANDING'): Promise<AccessGrantObject> {
    const subject = GrantSubject.safeParse(input.subject);
    if (!subject.success) throw new GrantException(GrantExceptionCode.INVALID_INPUT, `airlock: ${subject.error.issues[0]?.message}`);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new GrantException(GrantExceptionCode.INVALID_INPUT, 'airlock: expiresAt is in the past');
    if (input.reason && input.reason.length > MAX_REASON) throw new GrantException(GrantExceptionCode.INVALID_INPUT, `airlock: reason is longer than ${MAX_REASON} characters`);
    const conn = await this.repo.connection(input.connection);
    if (!conn) throw new GrantException(GrantExceptionCode.CONNECTION_NOT_FOUND, `airlock: no connection named "${input.connection}"`);
    if (input.subject.startsWith('sa:') && !(await this.repo.serviceAccountExists(input.subject.slice(3)))) {
      throw new GrantException(GrantExceptionCode.SUBJECT_NOT_FOUND, `airlock: no service account named "${input.subject.slice(3)}"`);
    }
    const profile = input.profile ?? defaultProfile(conn.profiles);
    if (!profile || !conn.profiles.includes(profile)) {
      throw new GrantException(GrantExceptionCode.INVALID_INPUT, `airlock: connection "${input.connection}" has no profile "${profile ?? ''}" (it has: ${conn.profiles.join(', ')})`);
    }
    const grant = await this.repo.create({
      subject: input.subject, connectionId: conn.id, profile, expiresAt: input.expiresAt ?? null, reason: input.reason ?? null,
      grantedById: by.identityId, grantedByName: by.name, source,
    });
    await this.policy.publishPools([conn.poolId]);
    this.logger.log({ msg: 'access granted', grant: grant.id, subject: grant.subject, connection: grant.connection, profile, by: by.name });
    return grant;
  }

  async revoke(input: RevokeAccessInput): Promise<AccessGrantObject> {
    const grant = await this.repo.findById(input.id);
    if (!grant) throw new GrantException(GrantExceptionCode.NOT_FOUND, `airlock: no access grant ${input.id}`);
    // Revoking twice is harmless: the first revocation time stands.
    if (grant.revokedAt) return strip(grant);
    const revoked = await this.repo.revoke(input.id);
    await this.policy.publishPools([grant.poolId]);
    return revoked;
  }

  list(connection?: string, subject?: string, includeInactive = false): Promise<AccessGrantObject[]> {
    return this.repo.list({ connection, subject, activeAt: includeInactive ? undefined : new Date() });
  }
}

/** `readonly` when there is one, so a grant never silently carries write access. */
function defaultProfile(profiles: string[]): string | undefined {
  return profiles.includes('readonly') ? 'readonly' : profiles[0];
}

function strip(g: AccessGrantObject & { poolId: string }): AccessGrantObject {
  const { poolId: _poolId, ...rest } = g;
  return rest;
}
