import { Field, GraphQLISODateTime, InputType } from '@nestjs/graphql';

@InputType()
export class GrantAccessInput {
  @Field({ description: 'sa:<name>, user:<email> or group:<name>' }) subject!: string;
  @Field() connection!: string;
  @Field({ nullable: true, description: 'Default: "readonly" if the connection has it, else its only (or first) profile.' }) profile?: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt?: Date;
  @Field({ nullable: true }) reason?: string;
}

@InputType()
export class RevokeAccessInput {
  @Field() id!: string;
}
