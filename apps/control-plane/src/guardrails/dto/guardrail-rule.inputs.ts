import { Field, InputType, Int } from '@nestjs/graphql';
import { GuardrailAction } from './guardrail.enums';

@InputType()
export class GuardrailMatchInput {
  @Field(() => [String], { nullable: true }) kinds?: string[] | null;
  @Field(() => [String], { nullable: true }) objects?: string[] | null;
  @Field(() => [String], { nullable: true }) functions?: string[] | null;
  @Field(() => [String], { nullable: true }) identities?: string[] | null;
  @Field(() => [String], { nullable: true }) groups?: string[] | null;
  @Field(() => Boolean, { nullable: true }) writes?: boolean | null;
  @Field(() => Boolean, { nullable: true }) whereConstantOnly?: boolean | null;
  @Field(() => Boolean, { nullable: true }) missingWhere?: boolean | null;
  @Field(() => [String], { nullable: true }) findings?: string[] | null;
}

@InputType()
export class CreateGuardrailRuleInput {
  @Field(() => String, { nullable: true, description: 'Connection name; leave out for a global rule (every connection, every preset).' }) connection?: string | null;
  @Field() name!: string;
  @Field(() => Int, { nullable: true, description: 'Lower runs first; default 100.' }) priority?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' }) enabled?: boolean | null;
  @Field(() => GuardrailAction) action!: GuardrailAction;
  @Field() message!: string;
  @Field(() => GuardrailMatchInput) match!: GuardrailMatchInput;
}

@InputType({ description: 'Fields left out keep their value; `match`, when given, replaces the whole match. `connection: null` makes the rule global.' })
export class UpdateGuardrailRuleInput {
  @Field() id!: string;
  @Field(() => String, { nullable: true }) connection?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Int, { nullable: true }) priority?: number | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
  @Field(() => GuardrailAction, { nullable: true }) action?: GuardrailAction | null;
  @Field(() => String, { nullable: true }) message?: string | null;
  @Field(() => GuardrailMatchInput, { nullable: true }) match?: GuardrailMatchInput | null;
}

@InputType()
export class DeleteGuardrailRuleInput {
  @Field() id!: string;
}
