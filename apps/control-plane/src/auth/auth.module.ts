import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { MeResolver } from './me.resolver';
import { RolesGuard } from './roles.guard';

@Module({
  imports: [AuditModule],
  providers: [AuthRepository, AuthService, BootstrapAdminService, MeResolver, { provide: APP_GUARD, useClass: RolesGuard }],
  exports: [AuthService, BootstrapAdminService],
})
export class AuthModule {}
