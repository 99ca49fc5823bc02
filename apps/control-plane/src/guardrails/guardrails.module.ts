import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { GuardrailsRepository } from './guardrails.repository';
import { GuardrailsResolver } from './guardrails.resolver';
import { GuardrailsService } from './guardrails.service';

@Module({
  imports: [PolicyModule],
  providers: [GuardrailsRepository, GuardrailsService, GuardrailsResolver],
})
export class GuardrailsModule {}
