import { generatePoolKeyPair, open, seal } from '@airlock/contracts';
import { describe, expect, it } from 'vitest';
import { newMaskingKey, toMaskingSnapshotRule } from './masking-compiler';
import { compilePolicy, type PoolPolicyData } from './policy-compiler';

const now = new Date('2026-11-27T12:00:00.000Z');
const pool = generatePoolKeyPair();
const key = newMaskingKey();

const data: PoolPolicyData = {
  pool: { name: 'default', publicKey: pool.publicKey, version: 3 },
  connections: [
    {
      id: 'c1', name: 'crm', kind: 'POSTGRES', host: 'db', port: 5432, database: 'crm', tls: { mode: 'disable' }, guardrails: 'STANDARD', masking: true,
      reviewTimeoutSeconds: 300, minApprovers: 1, credentials: [], maskingKey: Buffer.from(key),
    },
    { id: 'c2', name: 'old', kind: 'POSTGRES', host: 'db', port: 5432, database: 'old', tls: { mode: 'disable' }, guardrails: 'STANDARD', masking: false, reviewTimeoutSeconds: 300, minApprovers: 1, credentials: [] },
  ],
  grants: [],
  apiKeys: [],
  guardrailRules: [],
  maskingRules: [
    { id: 'm1', connection: 'crm', name: 'tax ids', enabled: true, match: { columnName: 'tax_id', junk: 1 }, entity: 'full', style: 'HASH' },
    { id: 'm2', connection: null, name: 'notes', enabled: false, match: { column: 'public.*.notes' }, entity: 'FULL', style: 'REDACT' },
  ],
};

describe('policy compiler: masking', () => {
  const snapshot = compilePolicy(data, { decrypt: (s) => Buffer.from(s).toString('utf8'), seal, oidc: null, now });

  it('seals the connection hash key to the pool key; never ships it in clear', () => {
    const sealed = snapshot.connections[0]!.maskingKeySealed!;
    expect(open(sealed, pool.privateKey)).toBe(key);
    expect(JSON.stringify(snapshot)).not.toContain(key);
    expect(snapshot.connections[1]!.maskingKeySealed).toBeUndefined();
  });

  it('ships rules in the engine shape: lower-case style, upper-case entity, known match fields only', () => {
    expect(snapshot.maskingRules).toEqual([
      { id: 'm1', connection: 'crm', name: 'tax ids', enabled: true, match: { columnName: 'tax_id' }, entity: 'FULL', style: 'hash' },
      { id: 'm2', connection: null, name: 'notes', enabled: false, match: { column: 'public.*.notes' }, entity: 'FULL', style: 'redact' },
    ]);
    expect(toMaskingSnapshotRule({ id: 'x', connection: null, name: 'x', enabled: true, match: null, entity: 'EMAIL', style: 'partial' }).match).toEqual({});
  });

  it('makes 256-bit keys, different each time', () => {
    expect(Buffer.from(newMaskingKey(), 'base64')).toHaveLength(32);
    expect(newMaskingKey()).not.toBe(newMaskingKey());
  });
});
