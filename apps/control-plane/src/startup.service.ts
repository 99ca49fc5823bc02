import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BootstrapAdminService } from './auth/bootstrap-admin.service';
import { PolicyPublisher } from './policy/policy.publisher';

/**
 * Boot order matters: the bootstrap admin's key must be in the database before
 * the first snapshots are compiled, so workers accept it.
 */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StartupService.name);

  constructor(
    private readonly admin: BootstrapAdminService,
    private readonly policy: PolicyPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.admin.ensure();
    await this.policy.start();
    this.logger.log('policy snapshots published');
  }
}
