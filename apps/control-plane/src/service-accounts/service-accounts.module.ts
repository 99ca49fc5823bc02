import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { ServiceAccountsRepository } from './service-accounts.repository';
import { ServiceAccountsResolver } from './service-accounts.resolver';
import { ServiceAccountsService } from './service-accounts.service';

@Module({
  imports: [PolicyModule],
  providers: [ServiceAccountsRepository, ServiceAccountsService, ServiceAccountsResolver],
})
export class ServiceAccountsModule {}
