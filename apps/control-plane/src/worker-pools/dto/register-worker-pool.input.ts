import { Field, InputType } from '@nestjs/graphql';

@InputType()
export class RegisterWorkerPoolInput {
  @Field() name!: string;
  @Field({ description: 'X25519 public key, 32 raw bytes as base64 (the worker prints it at first start).' }) publicKey!: string;
}
