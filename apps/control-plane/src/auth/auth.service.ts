import { Inject, Injectable, Logger } from '@nestjs/common';
import { authenticate, createJwtVerifier, IdentityError, type StoredApiKey, type Subject, type TokenVerifier } from '@airlock/identity';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { IdentityKind, Role } from '../common/enums';
import { AuthException, AuthExceptionCode } from './auth.exception';
import { AuthRepository, type IdentityRecord } from './auth.repository';
import { type Principal } from './principal';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly jwt: TokenVerifier | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: AuthRepository,
  ) {
    this.jwt = config.oidc ? createJwtVerifier({ issuer: config.oidc.issuer, audience: config.oidc.audience }) : undefined;
  }

  /** Turns an Authorization value (OIDC access token or Airlock API key) into a principal with roles. */
  async authenticate(authorization: string | undefined, clientAddress?: string): Promise<Principal> {
    if (!authorization || !authorization.trim()) {
      throw new AuthException(AuthExceptionCode.NO_CREDENTIAL, 'airlock: authentication required: send Authorization: Bearer <OIDC access token or Airlock API key>');
    }
    let subject: Subject;
    try {
      subject = await authenticate(authorization, { jwt: this.jwt, apiKeys: (id) => this.lookupApiKey(id) });
    } catch (err) {
      if (err instanceof IdentityError) {
        this.logger.debug({ msg: 'credential refused', code: err.code, clientAddress });
        throw new AuthException(AuthExceptionCode.INVALID_CREDENTIAL, err.message);
      }
      throw err;
    }
    const identity = subject.tokenKind === 'api_key' ? await this.apiKeyIdentity(subject) : await this.oidcIdentity(subject);
    if (identity.disabledAt) throw new AuthException(AuthExceptionCode.IDENTITY_DISABLED, `airlock: identity ${identity.name} is disabled`);
    return {
      identityId: identity.id,
      name: identity.name,
      kind: identity.kind,
      email: identity.email,
      roles: await this.rolesOf(identity, subject.groups),
      tokenKind: subject.tokenKind,
      clientAddress,
    };
  }

  private async lookupApiKey(lookupId: string): Promise<StoredApiKey | null> {
    const key = await this.repo.findApiKey(lookupId);
    if (!key) return null;
    const { identity } = key;
    return {
      id: lookupId,
      hash: key.hash,
      revokedAt: key.revokedAt,
      expiresAt: key.expiresAt,
      subject: { kind: identity.kind === IdentityKind.USER ? 'user' : 'service_account', id: identity.id, name: identity.name, email: identity.email ?? undefined },
    };
  }

  private async apiKeyIdentity(subject: Subject): Promise<IdentityRecord> {
    // verifyApiKey puts the owning identity's id in subject.id.
    const identity = await this.repo.findIdentity(subject.id);
    if (!identity) throw new AuthException(AuthExceptionCode.INVALID_CREDENTIAL, 'airlock: the API key has no owner');
    return identity;
  }

  private oidcIdentity(subject: Subject): Promise<IdentityRecord> {
    return this.repo.upsertOidcIdentity({
      kind: subject.kind === 'user' ? IdentityKind.USER : IdentityKind.SERVICE_ACCOUNT,
      issuer: this.config.oidc!.issuer,
      subject: subject.id,
      name: subject.name,
      email: subject.email ?? null,
    });
  }

  private async rolesOf(identity: IdentityRecord, idpGroups: string[]): Promise<Role[]> {
    const roles = new Set<Role>([Role.MEMBER, ...identity.roles]);
    for (const g of idpGroups) for (const r of this.config.groupRoles.get(g) ?? []) roles.add(r as Role);
    for (const r of await this.repo.groupRoles(identity.id, idpGroups)) roles.add(r);
    return [...roles].sort();
  }
}
