import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { WorkerPoolsRepository } from './worker-pools.repository';
import { WorkerPoolsResolver } from './worker-pools.resolver';
import { WorkerPoolsService } from './worker-pools.service';

@Module({
  imports: [PolicyModule],
  providers: [WorkerPoolsRepository, WorkerPoolsService, WorkerPoolsResolver],
})
export class WorkerPoolsModule {}
