import { describe, expect, it } from 'vitest';
import { FINDING_CODES, parseMatch, STATEMENT_KINDS } from './guardrail-match';

describe('guardrail match validation', () => {
  it('accepts every field sql-guard understands and drops nulls (GraphQL unset)', () => {
    const r = parseMatch({ kinds: ['SELECT', 'DELETE'], objects: ['public.*'], functions: ['pg_sleep'], identities: ['agent*'], groups: ['ops'], writes: true, whereConstantOnly: null, missingWhere: false, findings: ['dynamic-sql'] });
    expect(r).toEqual({ ok: true, match: { kinds: ['SELECT', 'DELETE'], objects: ['public.*'], functions: ['pg_sleep'], identities: ['agent*'], groups: ['ops'], writes: true, missingWhere: false, findings: ['dynamic-sql'] } });
  });

  it('refuses unknown kinds and findings, naming the field and the known values', () => {
    const kind = parseMatch({ kinds: ['SELECT', 'DELET'] });
    expect(kind).toMatchObject({ ok: false });
    expect(!kind.ok && kind.message).toMatch(/^match\.kinds\.1: unknown statement kind "DELET"; known: SELECT, VALUES/);
    const finding = parseMatch({ findings: ['nope'] });
    expect(!finding.ok && finding.message).toMatch(/^match\.findings\.0: unknown finding "nope"/);
  });

  it('refuses empty lists, blank globs and unknown fields', () => {
    expect(parseMatch({ objects: [] }).ok).toBe(false);
    expect(parseMatch({ objects: ['  '] }).ok).toBe(false);
    expect(parseMatch({ objects: ['a b'] }).ok).toBe(false);
    expect(parseMatch({ tables: ['t'] }).ok).toBe(false);
  });

  it('lists every kind and finding once', () => {
    expect(new Set(STATEMENT_KINDS).size).toBe(STATEMENT_KINDS.length);
    expect(STATEMENT_KINDS).toContain('DROP');
    expect(FINDING_CODES).toContain('unknown-prepared');
  });
});
