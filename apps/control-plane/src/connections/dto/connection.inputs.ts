import { Field, InputType, Int } from '@nestjs/graphql';
import { ConnectionKind, GuardrailPreset } from '../../common/enums';

/** Secret fields are write-only: accepted here, never returned. */
@InputType()
export class CredentialInput {
  @Field() profile!: string;
  @Field({ nullable: true }) username?: string;
  @Field({ nullable: true }) password?: string;
  @Field({ nullable: true }) privateKey?: string;
  @Field({ nullable: true }) token?: string;
}

@InputType()
export class TlsInput {
  @Field({ description: 'disable, prefer, require, verify-ca or verify-full' }) mode!: string;
  @Field({ nullable: true }) ca?: string;
  @Field({ nullable: true }) serverName?: string;
}

@InputType()
export class CreateConnectionInput {
  @Field() name!: string;
  @Field(() => ConnectionKind) kind!: ConnectionKind;
  @Field() host!: string;
  @Field(() => Int) port!: number;
  @Field({ nullable: true }) database?: string;
  @Field({ nullable: true, description: 'Worker pool that serves it; default "default".' }) pool?: string;
  @Field(() => TlsInput, { nullable: true }) tls?: TlsInput;
  @Field(() => [CredentialInput]) credentials!: CredentialInput[];
}

@InputType({ description: 'Fields left out keep their value. `credentials`, when given, is the new set of profiles; a profile sent without secret fields keeps its secret.' })
export class UpdateConnectionInput {
  @Field() name!: string;
  @Field(() => ConnectionKind, { nullable: true }) kind?: ConnectionKind;
  @Field({ nullable: true }) host?: string;
  @Field(() => Int, { nullable: true }) port?: number;
  @Field({ nullable: true }) database?: string;
  @Field({ nullable: true }) pool?: string;
  @Field(() => TlsInput, { nullable: true }) tls?: TlsInput;
  @Field(() => [CredentialInput], { nullable: true }) credentials?: CredentialInput[];
}

@InputType()
export class DeleteConnectionInput {
  @Field() name!: string;
}

@InputType()
export class SetConnectionPolicyInput {
  @Field() connection!: string;
  @Field(() => GuardrailPreset, { nullable: true }) guardrails?: GuardrailPreset;
  @Field({ nullable: true }) masking?: boolean;
  @Field(() => Int, { nullable: true }) reviewTimeoutSeconds?: number;
}
