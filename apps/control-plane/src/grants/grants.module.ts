import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { GrantsRepository } from './grants.repository';
import { GrantsResolver } from './grants.resolver';
import { GrantsService } from './grants.service';

@Module({
  imports: [PolicyModule],
  providers: [GrantsRepository, GrantsService, GrantsResolver],
  exports: [GrantsService],
})
export class GrantsModule {}
