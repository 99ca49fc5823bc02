import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionsResolver } from './connections.resolver';
import { ConnectionsService } from './connections.service';

@Module({
  imports: [PolicyModule],
  providers: [ConnectionsRepository, ConnectionsService, ConnectionsResolver],
})
export class ConnectionsModule {}
