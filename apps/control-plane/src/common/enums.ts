import { registerEnumType } from '@nestjs/graphql';

/** GraphQL enums; their values equal the Prisma enums of the same name. */
export enum Role {
  ADMIN = 'ADMIN',
  APPROVER = 'APPROVER',
  AUDITOR = 'AUDITOR',
  MEMBER = 'MEMBER',
}

export enum ConnectionKind {
  POSTGRES = 'POSTGRES',
  SSH = 'SSH',
  KUBERNETES = 'KUBERNETES',
  HTTP = 'HTTP',
}

export enum GuardrailPreset {
  STANDARD = 'STANDARD',
  PERMISSIVE = 'PERMISSIVE',
  CUSTOM = 'CUSTOM',
}

export enum IdentityKind {
  USER = 'USER',
  SERVICE_ACCOUNT = 'SERVICE_ACCOUNT',
}

registerEnumType(Role, { name: 'Role' });
registerEnumType(ConnectionKind, { name: 'ConnectionKind' });
registerEnumType(GuardrailPreset, { name: 'GuardrailPreset' });
registerEnumType(IdentityKind, { name: 'IdentityKind' });
