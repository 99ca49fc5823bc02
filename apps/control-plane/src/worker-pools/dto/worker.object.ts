import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Worker')
export class WorkerObject {
  @Field(() => ID) id!: string;
  @Field() pool!: string;
  @Field() region!: string;
  @Field(() => String, { nullable: true, description: 'The Postgres listener agents connect to.' }) address!: string | null;
  @Field(() => String, { nullable: true }) sshAddress!: string | null;
  @Field(() => String, { nullable: true }) httpAddress!: string | null;
  @Field(() => Int) policyVersion!: number;
  @Field(() => Int) sessions!: number;
  @Field(() => GraphQLISODateTime) lastSeen!: Date;
}
