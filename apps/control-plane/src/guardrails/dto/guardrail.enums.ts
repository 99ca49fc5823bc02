import { registerEnumType } from '@nestjs/graphql';

/** What a rule does when it matches; values equal the Prisma enum RuleAction. */
export enum GuardrailAction {
  ALLOW = 'ALLOW',
  BLOCK = 'BLOCK',
  REVIEW = 'REVIEW',
}

/** The guardrail engine's answer for a statement or a message. */
export enum GuardrailVerdict {
  ALLOW = 'ALLOW',
  BLOCK = 'BLOCK',
  REVIEW = 'REVIEW',
}

registerEnumType(GuardrailAction, { name: 'GuardrailAction' });
registerEnumType(GuardrailVerdict, { name: 'GuardrailVerdict' });
