import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { CreateServiceAccountInput, RevokeApiKeyInput, RotateApiKeyInput } from './dto/service-account.inputs';
import { ServiceAccountObject, ServiceAccountWithKeyObject } from './dto/service-account.object';
import { ServiceAccountsService } from './service-accounts.service';

@Resolver(() => ServiceAccountObject)
@Roles(Role.ADMIN)
export class ServiceAccountsResolver {
  constructor(private readonly accounts: ServiceAccountsService) {}

  @Query(() => [ServiceAccountObject])
  @Roles(Role.AUDITOR)
  serviceAccounts(): Promise<ServiceAccountObject[]> {
    return this.accounts.list();
  }

  @Mutation(() => ServiceAccountWithKeyObject)
  createServiceAccount(@Args('input') input: CreateServiceAccountInput): Promise<ServiceAccountWithKeyObject> {
    return this.accounts.create(input);
  }

  @Mutation(() => ServiceAccountObject)
  revokeApiKey(@Args('input') input: RevokeApiKeyInput): Promise<ServiceAccountObject> {
    return this.accounts.revoke(input);
  }

  @Mutation(() => ServiceAccountWithKeyObject)
  rotateApiKey(@Args('input') input: RotateApiKeyInput): Promise<ServiceAccountWithKeyObject> {
    return this.accounts.rotate(input);
  }
}
