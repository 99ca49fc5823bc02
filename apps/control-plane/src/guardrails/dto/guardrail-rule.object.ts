import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GuardrailAction } from './guardrail.enums';

@ObjectType('GuardrailMatch', { description: 'Conditions a statement must meet; every field given must hold. See the guardrails section of the README for block/review vs allow semantics.' })
export class GuardrailMatchObject {
  @Field(() => [String], { nullable: true, description: 'Statement kinds, e.g. SELECT, DELETE, DROP.' }) kinds?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Globs on schema.table (`*` within a name part, `**` across).' }) objects?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Globs on function names.' }) functions?: string[] | null;
  @Field(() => [String], { nullable: true, description: "Globs on the caller's identity name." }) identities?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'The caller is in any of these groups.' }) groups?: string[] | null;
  @Field(() => Boolean, { nullable: true }) writes?: boolean | null;
  @Field(() => Boolean, { nullable: true }) whereConstantOnly?: boolean | null;
  @Field(() => Boolean, { nullable: true }) missingWhere?: boolean | null;
  @Field(() => [String], { nullable: true, description: 'Finding codes, e.g. dynamic-sql, server-file.' }) findings?: string[] | null;
}

@ObjectType('GuardrailRule')
export class GuardrailRuleObject {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'The connection the rule belongs to; null for a global rule.' }) connection!: string | null;
  @Field() name!: string;
  @Field(() => Int, { description: 'Lower runs first.' }) priority!: number;
  @Field() enabled!: boolean;
  @Field(() => GuardrailAction) action!: GuardrailAction;
  @Field() message!: string;
  @Field(() => GuardrailMatchObject) match!: GuardrailMatchObject;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}
