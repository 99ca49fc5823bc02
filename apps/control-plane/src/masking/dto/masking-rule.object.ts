import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { MaskingEntity, MaskStyleEnum } from './masking.enums';

@ObjectType('MaskingMatch')
export class MaskingMatchObject {
  @Field(() => String, { nullable: true, description: 'Glob on schema.table.column.' }) column?: string | null;
  @Field(() => String, { nullable: true, description: 'Glob or /regex/ on the column name.' }) columnName?: string | null;
}

@ObjectType('MaskingRule')
export class MaskingRuleObject {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'The connection the rule belongs to; null for a global rule.' }) connection!: string | null;
  @Field() name!: string;
  @Field() enabled!: boolean;
  @Field(() => MaskingMatchObject) match!: MaskingMatchObject;
  @Field(() => MaskingEntity) entity!: MaskingEntity;
  @Field(() => MaskStyleEnum) style!: MaskStyleEnum;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('MaskingSpan', { description: 'An entity found in the preview input; offsets are UTF-16 indices into the input text.' })
export class MaskingSpanObject {
  @Field(() => MaskingEntity) entity!: MaskingEntity;
  @Field(() => Int) start!: number;
  @Field(() => Int) end!: number;
}

@ObjectType('MaskingPreview')
export class MaskingPreviewObject {
  @Field({ description: 'The text as a client of the connection would see it.' }) text!: string;
  @Field(() => [MaskingSpanObject]) spans!: MaskingSpanObject[];
  @Field({ description: "False when the connection's masking is off (the text comes back as is)." }) masking!: boolean;
}
