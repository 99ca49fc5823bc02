import { Field, ObjectType, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CONTRACTS_VERSION } from '@airlock/contracts';
import { Authenticated } from '../auth/roles.decorator';

@ObjectType()
export class ServerInfo {
  @Field() version!: string;
  @Field() contractsVersion!: number;
  @Field() time!: Date;
}

const VERSION = '0.1.0';

@Resolver(() => ServerInfo)
@Authenticated()
export class SystemResolver {
  @Query(() => ServerInfo, { description: 'Version of this control plane and of the wire contracts it speaks.' })
  serverInfo(): ServerInfo {
    return { version: VERSION, contractsVersion: CONTRACTS_VERSION, time: new Date() };
  }

  @Subscription(() => ServerInfo, { description: 'Server time every second; a liveness probe for subscription clients.' })
  async *serverTicks(): AsyncGenerator<{ serverTicks: ServerInfo }> {
    for (;;) {
      yield { serverTicks: this.serverInfo() };
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
