import { SetMetadata } from '@nestjs/common';
import { type Role } from '../common/enums';

export const ROLES_KEY = 'airlock:roles';

/**
 * Who may run an operation. ADMIN may run everything, so it is implied.
 * The `require-roles` lint rule fails any @Query/@Mutation/@Subscription
 * without this or @Authenticated() on the method or its class.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Any authenticated caller, whatever their roles. */
export const Authenticated = () => SetMetadata(ROLES_KEY, []);
