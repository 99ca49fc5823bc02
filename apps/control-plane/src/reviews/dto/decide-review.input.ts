import { Field, GraphQLISODateTime, InputType, Int } from '@nestjs/graphql';
import { ReviewDecisionValue } from './review-request.object';

@InputType()
export class ReviewScopeInput {
  @Field({ description: 'Must be true: the approval covers the same statement shape (fingerprint) by the same identity on the same connection.' }) fingerprint!: boolean;
  @Field(() => Int, { nullable: true, description: 'Runs allowed without review after the approved one.' }) maxRuns?: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) until?: Date;
}

@InputType()
export class DecideReviewInput {
  @Field() id!: string;
  @Field(() => ReviewDecisionValue) decision!: ReviewDecisionValue;
  @Field({ nullable: true }) reason?: string;
  @Field(() => ReviewScopeInput, { nullable: true }) scope?: ReviewScopeInput;
}

@InputType()
export class SetReviewPolicyInput {
  @Field() connection!: string;
  @Field(() => Int, { nullable: true, description: 'Distinct approvals needed before a held statement runs (one rejection is final).' }) minApprovers?: number;
  @Field(() => String, { nullable: true, description: 'Review webhook of this connection; "" removes it. Never returned by the API.' }) webhookUrl?: string;
}
