import { Module } from '@nestjs/common';
import { OidcJwksService } from './oidc-jwks.service';
import { PolicyPublisher } from './policy.publisher';
import { PolicyRepository } from './policy.repository';

@Module({
  providers: [PolicyRepository, PolicyPublisher, OidcJwksService],
  exports: [PolicyPublisher],
})
export class PolicyModule {}
