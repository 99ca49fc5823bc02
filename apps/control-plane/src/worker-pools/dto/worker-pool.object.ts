import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('WorkerPool')
export class WorkerPoolObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'X25519 public key (raw, base64) credentials are sealed to.' }) publicKey!: string;
  @Field(() => Int) policyVersion!: number;
  @Field(() => Int) connections!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}
