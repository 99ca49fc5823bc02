import { Field, InputType } from '@nestjs/graphql';
import { MaskingEntity, MaskStyleEnum } from './masking.enums';

@InputType({ description: 'Give column, columnName or both (both must then match).' })
export class MaskingMatchInput {
  @Field(() => String, { nullable: true, description: 'Glob on schema.table.column (`*` any run, `?` one character), case-insensitive.' }) column?: string | null;
  @Field(() => String, { nullable: true, description: 'Column name only: a glob, or a regex written /source/.' }) columnName?: string | null;
}

@InputType()
export class CreateMaskingRuleInput {
  @Field(() => String, { nullable: true, description: 'Connection name; leave out for a global rule (every connection).' }) connection?: string | null;
  @Field() name!: string;
  @Field(() => MaskingMatchInput) match!: MaskingMatchInput;
  @Field(() => MaskingEntity, { nullable: true, description: 'What the whole cell is counted and labelled as; default FULL (`[MASKED]`).' }) entity?: MaskingEntity | null;
  @Field(() => MaskStyleEnum, { nullable: true, description: 'Default REDACT.' }) style?: MaskStyleEnum | null;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' }) enabled?: boolean | null;
}

@InputType({ description: 'Fields left out keep their value; `match`, when given, replaces the whole match. `connection: null` makes the rule global.' })
export class UpdateMaskingRuleInput {
  @Field() id!: string;
  @Field(() => String, { nullable: true }) connection?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => MaskingMatchInput, { nullable: true }) match?: MaskingMatchInput | null;
  @Field(() => MaskingEntity, { nullable: true }) entity?: MaskingEntity | null;
  @Field(() => MaskStyleEnum, { nullable: true }) style?: MaskStyleEnum | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType()
export class DeleteMaskingRuleInput {
  @Field() id!: string;
}
