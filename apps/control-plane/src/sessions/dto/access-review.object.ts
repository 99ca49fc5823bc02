import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MaskedCountObject } from './session.object';

export enum ReportFormat {
  JSON = 'JSON',
  CSV = 'CSV',
}
registerEnumType(ReportFormat, { name: 'ReportFormat' });

@ObjectType('ReviewedGrant')
export class ReviewedGrantObject {
  @Field(() => ID) id!: string;
  @Field() profile!: string;
  @Field({ description: 'STANDING or JUST_IN_TIME' }) source!: string;
  @Field({ description: 'Standing (no expiry) or time-bound' }) timeBound!: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt!: Date | null;
  @Field() grantedBy!: string;
  @Field(() => GraphQLISODateTime) grantedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field() neverUsed!: boolean;
}

@ObjectType('KindCount')
export class KindCountObject {
  @Field() kind!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('ReviewedDecision')
export class ReviewedDecisionObject {
  @Field(() => ID) reviewId!: string;
  @Field() status!: string;
  @Field(() => String, { nullable: true }) statement!: string | null;
  @Field(() => String, { nullable: true }) requestReason!: string | null;
  @Field(() => [String]) approvers!: string[];
  @Field(() => String, { nullable: true, description: 'Reasons the approvers gave, joined' }) decisionReason!: string | null;
  @Field(() => GraphQLISODateTime) requestedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) decidedAt!: Date | null;
}

@ObjectType('AccessReviewRow')
export class AccessReviewRowObject {
  @Field({ description: 'sa:<name>, user:<name> or group:<name>' }) subject!: string;
  @Field() connection!: string;
  @Field(() => [ReviewedGrantObject]) grants!: ReviewedGrantObject[];
  @Field(() => Int) sessions!: number;
  @Field(() => Int) statements!: number;
  @Field(() => [KindCountObject]) statementsByKind!: KindCountObject[];
  @Field(() => Int) blocked!: number;
  @Field(() => [ReviewedDecisionObject]) reviews!: ReviewedDecisionObject[];
  @Field(() => [MaskedCountObject]) masked!: MaskedCountObject[];
}

@ObjectType('AccessReview')
export class AccessReviewObject {
  @Field(() => GraphQLISODateTime) from!: Date;
  @Field(() => GraphQLISODateTime) to!: Date;
  @Field(() => [AccessReviewRowObject]) rows!: AccessReviewRowObject[];
}
