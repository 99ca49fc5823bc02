import { Field, ObjectType } from '@nestjs/graphql';
import { IdentityKind, Role } from '../../common/enums';

@ObjectType('Me')
export class MeObject {
  @Field() name!: string;
  @Field(() => IdentityKind) kind!: IdentityKind;
  @Field(() => [Role]) roles!: Role[];
  @Field(() => String, { nullable: true }) email!: string | null;
}
