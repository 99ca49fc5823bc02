import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Password, PgProtocolError, saslPrep, ScramClient } from './index';

// RFC 7677 section 3: user "user", password "pencil".
const NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('ScramClient (RFC 7677 test vector)', () => {
  it('produces the RFC client-first and client-final messages and accepts the server signature', () => {
    const c = new ScramClient('pencil', { username: 'user', nonce: NONCE });
    expect(c.mechanism).toBe('SCRAM-SHA-256');
    expect(c.clientFirstMessage()).toBe(`n,,n=user,r=${NONCE}`);
    expect(c.clientFinalMessage(Buffer.from(SERVER_FIRST))).toBe(CLIENT_FINAL);
    expect(() => c.verifyServerFinal(SERVER_FINAL)).not.toThrow();
  });

  it('rejects a forged server signature with 28000', () => {
    const c = new ScramClient('pencil', { username: 'user', nonce: NONCE });
    c.clientFinalMessage(SERVER_FIRST);
    const forged = 'v=' + Buffer.alloc(32, 1).toString('base64');
    expect(() => c.verifyServerFinal(forged)).toThrow(expect.objectContaining({ sqlState: '28000', message: expect.stringMatching(/^airlock: SCRAM server signature does not match/) }));
  });

  it('rejects a wrong password: the real server signature no longer verifies', () => {
    const c = new ScramClient('pen', { username: 'user', nonce: NONCE });
    expect(c.clientFinalMessage(SERVER_FIRST)).not.toBe(CLIENT_FINAL);
    expect(() => c.verifyServerFinal(SERVER_FINAL)).toThrow(PgProtocolError);
  });

  it('rejects a server nonce that does not extend ours, bad iterations, server errors and early finals', () => {
    expect(() => new ScramClient('p', { nonce: 'abc' }).clientFinalMessage('r=xyz123,s=c2FsdA==,i=4096')).toThrow(/nonce/);
    expect(() => new ScramClient('p', { nonce: 'abc' }).clientFinalMessage('r=abc,s=c2FsdA==,i=4096')).toThrow(/nonce/);
    expect(() => new ScramClient('p', { nonce: 'abc' }).clientFinalMessage('r=abcd,s=c2FsdA==,i=0')).toThrow(/iteration/);
    expect(() => new ScramClient('p', { nonce: 'abc' }).clientFinalMessage('garbage')).toThrow(PgProtocolError);
    const c = new ScramClient('p', { nonce: 'abc' });
    expect(() => c.verifyServerFinal(SERVER_FINAL)).toThrow(/before server-first/);
    c.clientFinalMessage('r=abcd,s=c2FsdA==,i=1');
    expect(() => c.verifyServerFinal('e=invalid-proof')).toThrow(/invalid-proof/);
  });

  it('uses a fresh random nonce by default and an empty user like libpq', () => {
    const a = new ScramClient('p').clientFirstMessage();
    const b = new ScramClient('p').clientFirstMessage();
    expect(a).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/);
    expect(a).not.toBe(b);
    expect(new ScramClient('p', { username: 'a=b,c', nonce: 'n' }).clientFirstMessage()).toBe('n,,n=a=3Db=2Cc,r=n');
  });

  it('applies SASLprep mappings and falls back to the raw password when invalid', () => {
    expect(saslPrep('I\u00ADX')).toBe('IX');
    expect(saslPrep('user\u00A0name')).toBe('user name');
    expect(saslPrep('\u2168')).toBe('IX');
    expect(saslPrep('a\u0007b')).toBe('a\u0007b');
  });
});

describe('md5Password', () => {
  it('matches the pg_authid form for postgres/postgres and salts it', () => {
    const inner = '3175bce1d3201d16594cebf9d7eb3f9d'; // md5('postgrespostgres'), as stored by Postgres without the 'md5' prefix
    expect(createHash('md5').update('postgrespostgres').digest('hex')).toBe(inner);
    const salt = Buffer.from([0x01, 0x02, 0x03, 0x04]);
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
    expect(md5Password('postgres', 'postgres', salt)).toBe(expected);
    expect(md5Password('postgres', 'postgres', salt)).toMatch(/^md5[0-9a-f]{32}$/);
  });
});
