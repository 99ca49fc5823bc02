import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '../../common/enums';

/** An API key as the API shows it: its displayable prefix, never the key or its hash. */
@ObjectType('ApiKeyInfo')
export class ApiKeyInfoObject {
  @Field() prefix!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType('ServiceAccount')
export class ServiceAccountObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [Role]) roles!: Role[];
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => [ApiKeyInfoObject]) apiKeys!: ApiKeyInfoObject[];
}

@ObjectType('ServiceAccountWithKey')
export class ServiceAccountWithKeyObject {
  @Field(() => ServiceAccountObject) serviceAccount!: ServiceAccountObject;
  @Field({ description: 'The API key. Shown once: only its hash is stored.' }) apiKey!: string;
}
