import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { AuditService } from './audit.service';
import { AuditEntryObject } from './dto/audit-entry.object';

@Resolver(() => AuditEntryObject)
@Roles(Role.AUDITOR)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => [AuditEntryObject], { description: 'The audit chain, newest first; page with `before` (an entry id).' })
  auditLog(@Args('limit', { type: () => Int, nullable: true }) limit?: number, @Args('before', { nullable: true }) before?: string): Promise<AuditEntryObject[]> {
    return this.audit.list(limit ?? undefined, before ?? undefined);
  }
}
