import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ReviewStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  WITHDRAWN = 'WITHDRAWN',
}

export enum ReviewKind {
  STATEMENT = 'STATEMENT',
  ACCESS = 'ACCESS',
}

export enum ReviewDecisionValue {
  APPROVE = 'APPROVE',
  REJECT = 'REJECT',
}

registerEnumType(ReviewStatus, { name: 'ReviewStatus' });
registerEnumType(ReviewKind, { name: 'ReviewKind' });
registerEnumType(ReviewDecisionValue, { name: 'ReviewDecisionValue' });

@ObjectType('ReviewDecision')
export class ReviewDecisionObject {
  @Field() approver!: string;
  @Field(() => ReviewDecisionValue) decision!: ReviewDecisionValue;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => GraphQLISODateTime) at!: Date;
}

@ObjectType('ReviewScope')
export class ReviewScopeObject {
  @Field() fingerprint!: boolean;
  @Field(() => Int, { nullable: true }) maxRuns!: number | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) until!: Date | null;
}

/** A held statement or an access request, as approvers see it. The statement's literals are masked by the worker. */
@ObjectType('ReviewRequest')
export class ReviewRequestObject {
  @Field(() => ID) id!: string;
  @Field(() => ReviewKind) kind!: ReviewKind;
  @Field({ description: 'Connection name.' }) connection!: string;
  @Field({ description: 'Requester name (user or service account).' }) requester!: string;
  @Field(() => String, { nullable: true, description: 'Statement text with literals replaced by $n placeholders (STATEMENT kind).' }) statement!: string | null;
  @Field(() => String, { nullable: true }) fingerprint!: string | null;
  @Field(() => String, { nullable: true, description: 'JSON: what the guardrails found (statement kinds, verdicts, reasons).' }) classification!: string | null;
  @Field(() => String, { nullable: true }) rule!: string | null;
  @Field(() => String, { nullable: true }) sessionId!: string | null;
  @Field(() => String, { nullable: true, description: 'Requested credential profile (ACCESS kind).' }) profile!: string | null;
  @Field(() => Int, { nullable: true, description: 'Requested access duration in seconds (ACCESS kind).' }) durationSeconds!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the requester asks (ACCESS kind).' }) reason!: string | null;
  @Field(() => ReviewScopeObject, { nullable: true }) scope!: ReviewScopeObject | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) decidedAt!: Date | null;
  @Field(() => ReviewStatus) status!: ReviewStatus;
  @Field(() => [ReviewDecisionObject]) decisions!: ReviewDecisionObject[];
}
