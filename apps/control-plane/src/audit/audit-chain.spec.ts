import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, elideSecrets, findBrokenLink, GENESIS_HASH, type ChainedFields } from './audit-chain';

const entry = (action: string, at = new Date('2026-11-27T00:00:00.000Z')): ChainedFields => ({
  at, actorName: 'bootstrap-admin', actorKind: 'SERVICE_ACCOUNT', action, target: 'orders', details: { input: { name: 'orders' }, outcome: 'OK' }, clientAddress: '127.0.0.1',
});

describe('audit hash chain', () => {
  it('serialises canonically: key order does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    const a = entry('x');
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as ChainedFields;
    expect(chainHash(GENESIS_HASH, reordered)).toBe(chainHash(GENESIS_HASH, a));
  });

  it('links each entry to the previous hash and finds the first altered one', () => {
    const chain: Array<ChainedFields & { prevHash: string; hash: string }> = [];
    let prev = GENESIS_HASH;
    for (const action of ['createConnection', 'grantAccess', 'revokeAccess']) {
      const e = entry(action);
      const hash = chainHash(prev, e);
      chain.push({ ...e, prevHash: prev, hash });
      prev = hash;
    }
    expect(findBrokenLink(chain)).toBe(-1);
    chain[1] = { ...chain[1]!, target: 'payments' };
    expect(findBrokenLink(chain)).toBe(1);
  });

  it('elides secret fields wherever they are nested', () => {
    const input = { name: 'orders', credentials: [{ profile: 'ro', username: 'u', password: 'p', privateKey: 'k', token: 't' }], apiKey: 'alk_x', note: null };
    expect(elideSecrets(input)).toEqual({
      name: 'orders', credentials: [{ profile: 'ro', username: 'u', password: '[elided]', privateKey: '[elided]', token: '[elided]' }], apiKey: '[elided]', note: null,
    });
  });
});
