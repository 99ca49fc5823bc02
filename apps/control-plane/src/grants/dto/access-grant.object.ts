import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('AccessGrant')
export class AccessGrantObject {
  @Field(() => ID) id!: string;
  @Field({ description: 'sa:<name>, user:<email> or group:<name>' }) subject!: string;
  @Field() connection!: string;
  @Field() profile!: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt!: Date | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() source!: string;
  @Field() grantedBy!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
}
