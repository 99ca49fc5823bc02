import { describe, expect, it } from 'vitest';
import { AuthException, AuthExceptionCode } from '../auth/auth.exception';
import { ConnectionException, ConnectionExceptionCode } from '../connections/connections.exception';
import { GrantException, GrantExceptionCode } from '../grants/grants.exception';
import { ServiceAccountException, ServiceAccountExceptionCode } from '../service-accounts/service-accounts.exception';
import { WorkerPoolException, WorkerPoolExceptionCode } from '../worker-pools/worker-pools.exception';
import { ErrorKind } from './airlock.exception';
import { extensionCode, formatGraphqlError } from './graphql-error.formatter';

const wrapped = (err: Error) => ({ message: err.message, originalError: err });

describe('GraphQL error formatter', () => {
  it('maps every kind to its code', () => {
    for (const kind of Object.values(ErrorKind)) expect(extensionCode(kind)).toBe(kind);
  });

  it('gives every feature code a kind (switches are exhaustive at run time too)', () => {
    const all = [
      ...Object.values(AuthExceptionCode).map((c) => new AuthException(c, 'x')),
      ...Object.values(ConnectionExceptionCode).map((c) => new ConnectionException(c, 'x')),
      ...Object.values(GrantExceptionCode).map((c) => new GrantException(c, 'x')),
      ...Object.values(ServiceAccountExceptionCode).map((c) => new ServiceAccountException(c, 'x')),
      ...Object.values(WorkerPoolExceptionCode).map((c) => new WorkerPoolException(c, 'x')),
    ];
    for (const e of all) expect(Object.values(ErrorKind)).toContain(e.kind);
    expect(new ConnectionException(ConnectionExceptionCode.NOT_FOUND, 'x').kind).toBe(ErrorKind.NOT_FOUND);
  });

  it('keeps an Airlock message and adds code and reason', () => {
    const out = formatGraphqlError({ message: 'wrapped', path: ['connection'] }, wrapped(new ConnectionException(ConnectionExceptionCode.NOT_FOUND, 'no connection named "x"')));
    expect(out).toEqual({ message: 'airlock: no connection named "x"', path: ['connection'], locations: undefined, extensions: { code: 'NOT_FOUND', reason: 'CONNECTION_NOT_FOUND' } });
  });

  it('hides anything unexpected behind a generic internal error', () => {
    const out = formatGraphqlError({ message: 'relation "x" does not exist, password=hunter2', path: ['connections'] }, wrapped(new Error('relation "x" does not exist, password=hunter2')));
    expect(out).toMatchObject({ message: 'airlock: internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('passes GraphQL validation errors through', () => {
    const out = formatGraphqlError({ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, new Error('x'));
    expect(out).toMatchObject({ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});
