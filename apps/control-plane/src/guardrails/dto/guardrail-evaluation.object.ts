import { Field, ObjectType } from '@nestjs/graphql';
import { GuardrailVerdict } from './guardrail.enums';

@ObjectType('GuardrailRuleRef')
export class GuardrailRuleRefObject {
  @Field({ description: 'A rule id, or `standard.<name>` / `builtin.<name>` for preset and built-in rules.' }) id!: string;
  @Field() name!: string;
  @Field() message!: string;
}

@ObjectType('GuardrailFinding')
export class GuardrailFindingObject {
  @Field() code!: string;
  @Field({ description: 'Type of the parse-tree node that decided, e.g. DeleteStmt.' }) node!: string;
  @Field({ description: 'Path in the parse tree.' }) path!: string;
  @Field(() => String, { nullable: true }) detail!: string | null;
}

@ObjectType('GuardrailStatement')
export class GuardrailStatementObject {
  @Field() kind!: string;
  @Field(() => [String]) objects!: string[];
  @Field(() => [String]) functions!: string[];
  @Field() writes!: boolean;
  @Field(() => Boolean, { nullable: true, description: 'Null when the statement has no UPDATE/DELETE/MERGE.' }) hasWhere!: boolean | null;
  @Field() whereConstantOnly!: boolean;
  @Field(() => GuardrailVerdict) verdict!: GuardrailVerdict;
  @Field(() => GuardrailRuleRefObject, { nullable: true }) rule!: GuardrailRuleRefObject | null;
  @Field() reason!: string;
  @Field(() => [GuardrailFindingObject]) findings!: GuardrailFindingObject[];
}

@ObjectType('GuardrailEvaluation')
export class GuardrailEvaluationObject {
  @Field(() => GuardrailVerdict) verdict!: GuardrailVerdict;
  @Field(() => GuardrailRuleRefObject, { nullable: true }) rule!: GuardrailRuleRefObject | null;
  @Field() reason!: string;
  @Field(() => [GuardrailStatementObject]) statements!: GuardrailStatementObject[];
  @Field(() => String, { nullable: true }) fingerprint!: string | null;
  @Field({ description: 'The preset the connection runs.' }) preset!: string;
}
