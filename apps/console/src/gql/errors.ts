import { type CombinedError } from '@urql/core';

export type ErrorState =
  | { kind: 'unavailable'; operation: string; message: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'other'; message: string };

const MISSING = [/Cannot query field "([^"]+)" on type "(Query|Mutation|Subscription)"/, /Unknown type "([^"]+)"/, /Unknown argument "([^"]+)"/];

/**
 * Sorts a GraphQL error into what the page should say. A validation error
 * naming a field or type the schema lacks means this server does not have
 * the feature yet: the page says so instead of showing anything made up.
 */
export function classifyError(error: CombinedError): ErrorState {
  if (error.networkError && !error.graphQLErrors.length) return { kind: 'network', message: `The control plane could not be reached: ${error.networkError.message}` };
  // The first pattern wins: "Cannot query field" names the operation, "Unknown type" only an input type.
  for (const re of MISSING) {
    for (const e of error.graphQLErrors) {
      const m = re.exec(e.message);
      if (m) return { kind: 'unavailable', operation: m[1], message: e.message };
    }
  }
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.['code'];
  const message = first?.message ?? error.message;
  if (code === 'FORBIDDEN') return { kind: 'forbidden', message };
  if (code === 'UNAUTHENTICATED') return { kind: 'unauthenticated', message };
  return { kind: 'other', message };
}

export function errorText(error: CombinedError | undefined): string | undefined {
  return error ? classifyError(error).message.replace(/^\[GraphQL\] /, '') : undefined;
}
