import { IntrinsicException } from '@nestjs/common';

/**
 * The five ways an API call can fail on the caller's side. Every feature
 * exception maps its own codes onto one of these; the GraphQL error formatter
 * turns them into `extensions.code`.
 */
export enum ErrorKind {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
}

/**
 * Base of every feature exception: a stable `code` for clients and a kind for
 * the formatter. Intrinsic: these are the caller's errors, answered, not
 * logged as server failures by Nest's exception handler.
 */
export abstract class AirlockException<Code extends string = string> extends IntrinsicException {
  abstract readonly kind: ErrorKind;

  constructor(
    readonly code: Code,
    message: string,
  ) {
    // Every error Airlock raises says so (DESIGN.md, "Contracts").
    super(message.startsWith('airlock:') ? message : `airlock: ${message}`);
  }
}
