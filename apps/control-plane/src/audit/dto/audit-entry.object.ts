import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditLogEntry')
export class AuditEntryObject {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field() actorName!: string;
  @Field() actorKind!: string;
  @Field({ description: 'The mutation name.' }) action!: string;
  @Field(() => String, { nullable: true }) target!: string | null;
  @Field({ description: 'JSON: the input, secret fields elided, and the outcome.' }) details!: string;
  @Field(() => String, { nullable: true }) clientAddress!: string | null;
  @Field() prevHash!: string;
  @Field() hash!: string;
}
