import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum VerdictFilter {
  ALLOW = 'ALLOW',
  BLOCK = 'BLOCK',
  REVIEW = 'REVIEW',
}
registerEnumType(VerdictFilter, { name: 'Verdict' });

@ObjectType('MaskedCount')
export class MaskedCountObject {
  @Field({ description: 'Entity or rule type (email, card, iban, …)' }) type!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('SessionEvent')
export class SessionEventObject {
  @Field(() => Int) seq!: number;
  @Field({ description: 'session.start, statement, review or session.end' }) kind!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String, { nullable: true }) sql!: string | null;
  @Field(() => String, { nullable: true }) statementKind!: string | null;
  @Field(() => VerdictFilter, { nullable: true }) verdict!: VerdictFilter | null;
  @Field(() => String, { nullable: true }) rule!: string | null;
  @Field(() => Number, { nullable: true }) durationMs!: number | null;
  @Field(() => Int, { nullable: true }) rows!: number | null;
  @Field(() => Int, { nullable: true }) bytes!: number | null;
  @Field(() => String, { nullable: true, description: 'SQLSTATE the client got, if any' }) errorCode!: string | null;
  @Field(() => [MaskedCountObject]) masked!: MaskedCountObject[];
  @Field(() => String, { nullable: true }) approver!: string | null;
  @Field(() => String, { nullable: true }) reviewId!: string | null;
  @Field(() => String, { nullable: true, description: 'Review status, for review events' }) status!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field({ description: 'The whole recorded event as canonical JSON (masked values only)' }) detail!: string;
  @Field() prevHash!: string;
  @Field() hash!: string;
}

@ObjectType('Session')
export class SessionObject {
  @Field(() => ID) id!: string;
  @Field() identity!: string;
  @Field() identityKind!: string;
  @Field() connection!: string;
  @Field() connectionKind!: string;
  @Field() profile!: string;
  @Field() workerId!: string;
  @Field(() => String, { nullable: true }) clientAddress!: string | null;
  @Field(() => GraphQLISODateTime) startedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) endedAt!: Date | null;
  @Field(() => String, { nullable: true }) endReason!: string | null;
  @Field(() => Int) statements!: number;
  @Field(() => Int) blocked!: number;
  @Field({ description: 'Bytes from the client (decimal string: may exceed 2^53)' }) bytesIn!: string;
  @Field() bytesOut!: string;
  @Field(() => Int, { description: 'Highest seq stored in order (-1: none yet)' }) lastSeq!: number;
}

@ObjectType('SessionPage')
export class SessionPageObject {
  @Field(() => [SessionObject]) nodes!: SessionObject[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page' }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

@ObjectType('SessionVerification')
export class SessionVerificationObject {
  @Field(() => ID) sessionId!: string;
  @Field() ok!: boolean;
  @Field(() => Int, { nullable: true, description: 'seq of the first event whose link does not hold' }) firstBrokenSeq!: number | null;
  @Field(() => Int) checked!: number;
  @Field({ description: 'Whether the final hash matched the anchor in the global audit chain' }) anchored!: boolean;
}

@InputType()
export class SessionFilter {
  @Field({ nullable: true, description: 'Identity name (service account or user)' }) identity?: string;
  @Field({ nullable: true }) connection?: string;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Sessions started at or after' }) from?: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Sessions started before' }) to?: Date;
  @Field(() => VerdictFilter, { nullable: true, description: 'Sessions with at least one statement of this verdict' }) verdict?: VerdictFilter;
  @Field({ nullable: true, description: 'Sessions with a statement whose text contains this (case-sensitive)' }) text?: string;
}
