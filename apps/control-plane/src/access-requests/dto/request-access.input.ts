import { Field, InputType } from '@nestjs/graphql';

@InputType()
export class RequestAccessInput {
  @Field() connection!: string;
  @Field({ nullable: true, description: 'Credential profile; default as for grantAccess.' }) profile?: string;
  @Field({ description: 'How long the access lasts once approved: seconds ("3600") or ISO-8601 ("PT1H", "P1DT2H").' }) duration!: string;
  @Field() reason!: string;
}
