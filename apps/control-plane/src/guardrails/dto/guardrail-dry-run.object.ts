import { Field, Int, ObjectType } from '@nestjs/graphql';
import { GuardrailVerdict } from './guardrail.enums';

@ObjectType('GuardrailDryRunItem')
export class GuardrailDryRunItemObject {
  @Field() sessionId!: string;
  @Field(() => Int) seq!: number;
  @Field() at!: Date;
  @Field() identity!: string;
  @Field() sql!: string;
  @Field(() => GuardrailVerdict, { description: 'The verdict recorded when the statement ran.' }) before!: GuardrailVerdict;
  @Field(() => GuardrailVerdict, { description: 'The verdict with the current rules (and the draft rule, when given).' }) after!: GuardrailVerdict;
  @Field(() => String, { nullable: true, description: 'The rule that decides `after`.' }) rule!: string | null;
}

@ObjectType('GuardrailDryRun')
export class GuardrailDryRunObject {
  @Field({ description: "The connection's preset: a connection's own rules run only under CUSTOM." }) preset!: string;
  @Field(() => Int) total!: number;
  @Field(() => Int, { description: 'Statements whose verdict would change.' }) changed!: number;
  @Field(() => [GuardrailDryRunItemObject], { description: 'Newest first.' }) items!: GuardrailDryRunItemObject[];
}
