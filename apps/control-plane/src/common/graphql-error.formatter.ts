import { Logger } from '@nestjs/common';
import { type GraphQLFormattedError } from 'graphql';
import { AirlockException, ErrorKind } from './airlock.exception';

const logger = new Logger('GraphQLErrors');

/** Errors GraphQL itself raises about the request (syntax, validation, variables): safe to show. */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

export function extensionCode(kind: ErrorKind): string {
  switch (kind) {
    case ErrorKind.UNAUTHENTICATED:
      return 'UNAUTHENTICATED';
    case ErrorKind.FORBIDDEN:
      return 'FORBIDDEN';
    case ErrorKind.NOT_FOUND:
      return 'NOT_FOUND';
    case ErrorKind.BAD_USER_INPUT:
      return 'BAD_USER_INPUT';
    case ErrorKind.CONFLICT:
      return 'CONFLICT';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/**
 * The one place errors leave the API. Airlock exceptions keep their message
 * and gain `extensions.code` (and the feature's `reason`); anything unexpected
 * becomes a generic internal error so no stack, SQL or secret ever leaks.
 */
/**
 * The error a resolver threw, under Apollo's GraphQLError wrapper. Duck-typed:
 * Nest (ESM) and this code (CJS) load different copies of graphql, so
 * instanceof GraphQLError is not reliable here.
 */
function unwrap(error: unknown): unknown {
  let e = error as { originalError?: unknown } | undefined;
  for (let i = 0; i < 5 && e && typeof e === 'object' && e.originalError; i++) e = e.originalError as typeof e;
  return e;
}

export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrap(error);
  if (original instanceof AirlockException) {
    return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: extensionCode(original.kind), reason: original.code } };
  }
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && REQUEST_ERRORS.has(code)) return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  logger.error({ msg: 'unexpected error in a GraphQL operation', path: formatted.path, err: original instanceof Error ? { name: original.name, message: original.message, stack: original.stack } : String(original) });
  return { message: 'airlock: internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
