import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionKind, GuardrailPreset } from '../../common/enums';

/** A credential profile as the API shows it: never its secret fields. */
@ObjectType('CredentialProfile')
export class CredentialProfileObject {
  @Field() profile!: string;
  @Field(() => String, { nullable: true }) username!: string | null;
  @Field(() => GraphQLISODateTime, { description: 'When the secret was last set.' }) rotatedAt!: Date;
}

@ObjectType('UpstreamTls')
export class TlsObject {
  @Field() mode!: string;
  @Field(() => String, { nullable: true }) ca!: string | null;
  @Field(() => String, { nullable: true }) serverName!: string | null;
}

@ObjectType('Connection')
export class ConnectionObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ConnectionKind) kind!: ConnectionKind;
  @Field() host!: string;
  @Field(() => Int) port!: number;
  @Field(() => String, { nullable: true }) database!: string | null;
  @Field() pool!: string;
  @Field(() => TlsObject) tls!: TlsObject;
  @Field(() => GuardrailPreset) guardrails!: GuardrailPreset;
  @Field() masking!: boolean;
  @Field(() => Int) reviewTimeoutSeconds!: number;
  @Field(() => Int) minApprovers!: number;
  @Field(() => [CredentialProfileObject]) credentials!: CredentialProfileObject[];
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}
