import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { RegisterWorkerPoolInput } from './dto/register-worker-pool.input';
import { WorkerObject } from './dto/worker.object';
import { WorkerPoolObject } from './dto/worker-pool.object';
import { WorkerPoolsService } from './worker-pools.service';

@Resolver(() => WorkerPoolObject)
export class WorkerPoolsResolver {
  constructor(private readonly pools: WorkerPoolsService) {}

  @Query(() => [WorkerPoolObject])
  @Roles(Role.AUDITOR)
  workerPools(): Promise<WorkerPoolObject[]> {
    return this.pools.list();
  }

  @Mutation(() => WorkerPoolObject)
  @Roles(Role.ADMIN)
  registerWorkerPool(@Args('input') input: RegisterWorkerPoolInput): Promise<WorkerPoolObject> {
    return this.pools.register(input);
  }

  // Everyone may see where workers listen: the CLI picks the nearest one to connect through.
  @Query(() => [WorkerObject], { description: 'Workers with a fresh heartbeat.' })
  @Authenticated()
  workers(@Args('pool', { nullable: true }) pool?: string): Promise<WorkerObject[]> {
    return this.pools.workers(pool ?? undefined);
  }
}
