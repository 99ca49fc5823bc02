import { Injectable, Logger } from '@nestjs/common';
import { generateApiKey } from '@airlock/identity';
import { Role } from '../common/enums';
import { PolicyPublisher } from '../policy/policy.publisher';
import { type CreateServiceAccountInput, type RevokeApiKeyInput, type RotateApiKeyInput } from './dto/service-account.inputs';
import { type ServiceAccountObject, type ServiceAccountWithKeyObject } from './dto/service-account.object';
import { ServiceAccountException, ServiceAccountExceptionCode } from './service-accounts.exception';
import { ServiceAccountsRepository } from './service-accounts.repository';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

/** API keys travel in every pool's snapshot, so each key change republishes all pools. */
@Injectable()
export class ServiceAccountsService {
  private readonly logger = new Logger(ServiceAccountsService.name);

  constructor(
    private readonly repo: ServiceAccountsRepository,
    private readonly policy: PolicyPublisher,
  ) {}

  list(): Promise<ServiceAccountObject[]> {
    return this.repo.list();
  }

  async create(input: CreateServiceAccountInput): Promise<ServiceAccountWithKeyObject> {
    if (!NAME.test(input.name)) {
      throw new ServiceAccountException(ServiceAccountExceptionCode.INVALID_NAME, 'airlock: a service-account name is 1-63 lowercase letters, digits, ".", "-" or "_"');
    }
    const key = generateApiKey();
    const roles = [...new Set(input.roles ?? [])].filter((r) => r !== Role.MEMBER);
    const account = await this.repo.create(input.name, roles, { lookupId: key.id, hash: key.hash, prefix: key.prefix });
    if (!account) throw new ServiceAccountException(ServiceAccountExceptionCode.ALREADY_EXISTS, `airlock: a service account named "${input.name}" already exists`);
    await this.policy.publishAll();
    this.logger.log({ msg: 'service account created', serviceAccount: account.name, keyPrefix: key.prefix });
    return { serviceAccount: account, apiKey: key.key };
  }

  async revoke(input: RevokeApiKeyInput): Promise<ServiceAccountObject> {
    const account = await this.require(input.serviceAccount);
    const count = await this.repo.revokeKeys(account.id, input.keyPrefix ?? undefined);
    if (input.keyPrefix && count === 0) {
      throw new ServiceAccountException(ServiceAccountExceptionCode.KEY_NOT_FOUND, `airlock: ${account.name} has no active key ${input.keyPrefix}`);
    }
    await this.policy.publishAll();
    return this.require(account.name);
  }

  async rotate(input: RotateApiKeyInput): Promise<ServiceAccountWithKeyObject> {
    const account = await this.require(input.serviceAccount);
    const key = generateApiKey();
    await this.repo.rotate(account.id, { lookupId: key.id, hash: key.hash, prefix: key.prefix });
    await this.policy.publishAll();
    return { serviceAccount: await this.require(account.name), apiKey: key.key };
  }

  private async require(name: string): Promise<ServiceAccountObject> {
    const account = await this.repo.findByName(name);
    if (!account) throw new ServiceAccountException(ServiceAccountExceptionCode.NOT_FOUND, `airlock: no service account named "${name}"`);
    return account;
  }
}
