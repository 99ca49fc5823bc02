import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { ConnectionsService } from './connections.service';
import { ConnectionObject } from './dto/connection.object';
import { CreateConnectionInput, DeleteConnectionInput, SetConnectionPolicyInput, UpdateConnectionInput } from './dto/connection.inputs';

@Resolver(() => ConnectionObject)
@Roles(Role.ADMIN)
export class ConnectionsResolver {
  constructor(private readonly service: ConnectionsService) {}

  // Every caller may list targets (no secrets here): members need the names to request access and connect.
  @Query(() => [ConnectionObject])
  @Authenticated()
  connections(): Promise<ConnectionObject[]> {
    return this.service.list();
  }

  @Query(() => ConnectionObject)
  @Authenticated()
  connection(@Args('name') name: string): Promise<ConnectionObject> {
    return this.service.get(name);
  }

  @Mutation(() => ConnectionObject)
  createConnection(@Args('input') input: CreateConnectionInput): Promise<ConnectionObject> {
    return this.service.create(input);
  }

  @Mutation(() => ConnectionObject)
  updateConnection(@Args('input') input: UpdateConnectionInput): Promise<ConnectionObject> {
    return this.service.update(input);
  }

  @Mutation(() => ConnectionObject, { description: 'Deletes the connection and its grants; returns it as it was.' })
  deleteConnection(@Args('input') input: DeleteConnectionInput): Promise<ConnectionObject> {
    return this.service.delete(input);
  }

  @Mutation(() => ConnectionObject)
  setConnectionPolicy(@Args('input') input: SetConnectionPolicyInput): Promise<ConnectionObject> {
    return this.service.setPolicy(input);
  }
}
