import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseApiKey } from '@airlock/identity';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AuthRepository } from './auth.repository';

export const BOOTSTRAP_ADMIN = 'bootstrap-admin';

/** AIRLOCK_ADMIN_TOKEN becomes the API key of an ADMIN service account, so a fresh install can be configured. */
@Injectable()
export class BootstrapAdminService {
  private readonly logger = new Logger(BootstrapAdminService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: AuthRepository,
  ) {}

  async ensure(): Promise<boolean> {
    if (!this.config.adminToken) return false;
    const key = parseApiKey(this.config.adminToken);
    await this.repo.upsertBootstrapAdmin(BOOTSTRAP_ADMIN, { lookupId: key.id, hash: key.hash, prefix: key.prefix });
    this.logger.log({ msg: 'bootstrap admin ready', serviceAccount: BOOTSTRAP_ADMIN, keyPrefix: key.prefix });
    return true;
  }
}
