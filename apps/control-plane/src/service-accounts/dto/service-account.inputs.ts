import { Field, InputType } from '@nestjs/graphql';
import { Role } from '../../common/enums';

@InputType()
export class CreateServiceAccountInput {
  @Field() name!: string;
  @Field(() => [Role], { nullable: true, description: 'Roles assigned in the database; without them the account is a MEMBER.' }) roles?: Role[];
}

@InputType()
export class RevokeApiKeyInput {
  @Field() serviceAccount!: string;
  @Field({ nullable: true, description: 'Revoke only this key (its prefix, alk_<id>); default all active keys.' }) keyPrefix?: string;
}

@InputType()
export class RotateApiKeyInput {
  @Field() serviceAccount!: string;
}
