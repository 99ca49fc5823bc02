import { describe, expect, it } from 'vitest';
import { buildCorpus } from './corpus';
import { createMasker, defaultPolicy, maskText, type MaskingPolicy, type MaskingRule } from './index';

const TEXT = 25;
const INT4 = 23;
const INT8 = 20;
const JSONB = 3802;
const INET = 869;
const UUID = 2950;
const NUMERIC = 1700;

const policy = (over: Partial<MaskingPolicy> = {}): MaskingPolicy => ({ ...defaultPolicy('k1'), ...over });
const rule = (r: Partial<MaskingRule> & Pick<MaskingRule, 'match' | 'style'>): MaskingRule => ({ id: 'r', enabled: true, ...r });

describe('columnPlan', () => {
  it('skips types that cannot hold an entity and scans the rest', () => {
    const m = createMasker(policy());
    const plan = m.columnPlan([
      { column: 'id', typeOid: INT4 },
      { column: 'note', typeOid: TEXT },
      { column: 'doc', typeOid: JSONB },
      { column: 'amount', typeOid: INT8 },
      { column: 'peer', typeOid: INET },
      { column: 'uid', typeOid: UUID },
      { column: 'x', typeOid: 999_999 },
    ]);
    expect(plan.columns.map((c) => c.action)).toEqual(['skip', 'scan', 'json', 'numeric', 'inet', 'skip', 'scan']);
    expect(plan.columns.map((c) => c.typeMayChange)).toEqual([false, false, false, true, true, false, false]);
    expect(plan.active).toBe(true);
  });

  it('is inactive when nothing can change, and when the policy is off', () => {
    expect(createMasker(policy()).columnPlan([{ column: 'id', typeOid: INT4 }]).active).toBe(false);
    expect(createMasker(policy({ enabled: false })).columnPlan([{ column: 'email', typeOid: TEXT }]).active).toBe(false);
  });

  it('matches rules by schema.table.column glob and by column-name pattern, first match wins', () => {
    const m = createMasker(
      policy({
        rules: [
          rule({ id: 'off', enabled: false, match: { columnName: '*' }, style: 'null' }),
          rule({ id: 'dob', match: { column: 'public.users.birth*' }, entity: 'DOB', style: 'redact' }),
          rule({ id: 'mail', match: { columnName: '/^e-?mail(_address)?$/' }, entity: 'EMAIL', style: 'hash' }),
          rule({ id: 'addr', match: { column: '*.*.street', columnName: 'STREET' }, entity: 'ADDRESS', style: 'partial' }),
          rule({ id: 'other', connection: 'other-db', match: { columnName: 'note' }, style: 'null' }),
        ],
      }),
      { connection: 'this-db' },
    );
    const plan = m.columnPlan([
      { schema: 'public', table: 'users', column: 'birthdate', typeOid: 1082 },
      { schema: 'crm', table: 'leads', column: 'Email_Address', typeOid: TEXT },
      { schema: 'crm', table: 'leads', column: 'street', typeOid: TEXT },
      { schema: 'crm', table: 'leads', column: 'note', typeOid: TEXT },
    ]);
    expect(plan.columns.map((c) => [c.action, c.ruleId, c.entity])).toEqual([
      ['full', 'dob', 'DOB'],
      ['full', 'mail', 'EMAIL'],
      ['full', 'addr', 'ADDRESS'],
      ['scan', undefined, 'FULL'],
    ]);
    expect(m.maskCell(plan, 0, '1990-04-01')).toEqual({ value: '[DOB]', changed: true });
    expect(m.maskCell(plan, 2, '221B Baker Street')).toEqual({ value: '**** ***** **reet', changed: true });
    expect(m.takeCounts()).toMatchObject({ DOB: 1, ADDRESS: 1, EMAIL: 0 });
  });
});

describe('maskCell', () => {
  const m = createMasker(policy());
  const plan = m.columnPlan([
    { column: 'note', typeOid: TEXT },
    { column: 'doc', typeOid: JSONB },
    { column: 'n', typeOid: INT8 },
    { column: 'peer', typeOid: INET },
  ]);

  it('returns the same Buffer untouched for a clean cell', () => {
    const b = Buffer.from('nothing to see here, order 12 shipped');
    const r = m.maskCell(plan, 0, b);
    expect(r.changed).toBe(false);
    expect(r.value).toBe(b);
  });

  it('masks inside text, Buffer in Buffer out, multi-byte UTF-8 intact', () => {
    const r = m.maskCell(plan, 0, Buffer.from('Grüße an jürgen.müller@example.de 🙂 — Tel. +49 30 1234567'));
    expect((r.value as Buffer).toString('utf8')).toBe('Grüße an [EMAIL] 🙂 — Tel. [PHONE]');
  });

  it('masks JSON keys and values and keeps the document valid and otherwise byte-exact', () => {
    const doc = '{"a@example.com": {"b": 1.0, "big": 12345678901234567890}, "c@example.com": "x", "card": 4111111111111111, "s": "ssn 123-45-6789"}';
    const out = m.maskCell(plan, 1, doc).value as string;
    expect(out).toBe('{"[EMAIL]": {"b": 1.0, "big": 12345678901234567890}, "[EMAIL]~2": "x", "card": "[CARD]", "s": "ssn [SSN]"}');
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('uses the enclosing JSON key as detector context, through arrays', () => {
    expect(m.maskCell(plan, 1, '{"ssn": "078051120", "mobile_phones": ["4155550132"], "id": 123456789}').value).toBe(
      '{"ssn": "[SSN]", "mobile_phones": ["[PHONE]"], "id": 123456789}',
    );
  });

  it('falls back to text masking for invalid JSON', () => {
    expect(m.maskCell(plan, 1, '{oops a@example.com').value).toBe('{oops [EMAIL]');
  });

  it('checks int8/numeric for cards only, and masks inet cells whole', () => {
    expect(m.maskCell(plan, 2, '4111111111111111').value).toBe('[CARD]');
    // Text-format cells arrive from the wire as bytes, not strings.
    expect(m.maskCell(plan, 2, Buffer.from('4111111111111111')).value).toEqual(Buffer.from('[CARD]'));
    expect(m.maskCell(plan, 2, '4111111111111112').changed).toBe(false);
    expect(m.maskCell(plan, 2, '123456789').changed).toBe(false);
    expect(m.maskCell(plan, 3, '10.1.2.3/32').value).toBe('[IP]');
  });

  it('counts per entity and resets', () => {
    m.takeCounts();
    m.maskCell(plan, 0, 'a@example.com b@example.com 4242 4242 4242 4242');
    const c = m.takeCounts();
    expect(c).toMatchObject({ EMAIL: 2, CARD: 1, ERROR: 0 });
    expect(m.takeCounts().EMAIL).toBe(0);
  });
});

describe('styles', () => {
  const cell = (p: Partial<MaskingPolicy>, v: string): string | Buffer | null => {
    const m = createMasker(policy(p));
    return m.maskCell(m.columnPlan([{ column: 'note', typeOid: TEXT }]), 0, v).value;
  };

  it('partial keeps the last 4 and the separators', () => {
    expect(cell({ defaultStyle: 'partial' }, 'card 4111-1111-1111-1111')).toBe('card ****-****-****-1111');
    expect(cell({ defaultStyle: 'partial' }, 'ssn 123-45-6789')).toBe('ssn ***-**-6789');
    expect(cell({ defaultStyle: 'partial' }, 'jane@example.com')).toBe('****@******e.com');
  });

  it('hash is deterministic per key, normalizes formatting, and differs across keys', () => {
    const a = cell({ defaultStyle: 'hash' }, '4111 1111 1111 1111');
    expect(a).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(cell({ defaultStyle: 'hash' }, '4111-1111-1111-1111')).toBe(a);
    expect(cell({ defaultStyle: 'hash', hashKey: Buffer.from('k2') }, '4111 1111 1111 1111')).not.toBe(a);
    expect(cell({ defaultStyle: 'hash' }, 'Jane@Example.com')).toBe(cell({ defaultStyle: 'hash' }, 'jane@example.com'));
  });

  it('null makes the cell SQL NULL, and a JSON leaf JSON null', () => {
    expect(cell({ defaultStyle: 'null' }, 'mail jane@example.com')).toBeNull();
    const m = createMasker(policy({ entityStyles: { EMAIL: 'null' } }));
    const plan = m.columnPlan([{ column: 'doc', typeOid: JSONB }]);
    expect(m.maskCell(plan, 0, '{"e":"jane@example.com","p":"+44 20 7946 0958"}').value).toBe('{"e":null,"p":"[PHONE]"}');
  });

  it('a full-cell rule on a json column stays valid JSON', () => {
    const m = createMasker(policy({ rules: [rule({ match: { columnName: 'doc' }, style: 'redact' })] }));
    const plan = m.columnPlan([{ column: 'doc', typeOid: JSONB }]);
    expect(m.maskCell(plan, 0, '{"x":1}').value).toBe('"[MASKED]"');
  });
});

describe('binary format', () => {
  const m = createMasker(policy());
  const plan = m.columnPlan([
    { column: 'n', typeOid: INT8, format: 1 },
    { column: 'doc', typeOid: JSONB, format: 1 },
    { column: 't', typeOid: TEXT, format: 1 },
    { column: 'amount', typeOid: NUMERIC, format: 1 },
  ]);

  it('int8 card numbers become NULL; other int8 values pass', () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(4111111111111111n);
    expect(m.maskCell(plan, 0, b)).toEqual({ value: null, changed: true });
    b.writeBigInt64BE(42n);
    expect(m.maskCell(plan, 0, b).changed).toBe(false);
  });

  it('numeric card numbers become NULL (base-10000 digits)', () => {
    // 4111111111111111 = 4111 1111 1111 1111 in base 10000 → weight 3
    const b = Buffer.alloc(16);
    b.writeInt16BE(4, 0);
    b.writeInt16BE(3, 2);
    [4111, 1111, 1111, 1111].forEach((d, i) => b.writeInt16BE(d, 8 + 2 * i));
    expect(m.maskCell(plan, 3, b).value).toBeNull();
  });

  it('jsonb keeps its version byte, text is UTF-8', () => {
    const r = m.maskCell(plan, 1, Buffer.concat([Buffer.of(1), Buffer.from('{"e":"jane@example.com"}')]));
    expect(r.value).toEqual(Buffer.concat([Buffer.of(1), Buffer.from('{"e":"[EMAIL]"}')]));
    expect((m.maskCell(plan, 2, Buffer.from('jane@example.com')).value as Buffer).toString()).toBe('[EMAIL]');
  });
});

describe('fail closed', () => {
  it('replaces an oversized cell whole and counts ERROR', () => {
    const m = createMasker(policy({ maxCellBytes: 1024 }));
    const plan = m.columnPlan([{ column: 'note', typeOid: TEXT }]);
    expect(m.maskCell(plan, 0, 'x'.repeat(2000)).value).toBe('[MASKED]');
    expect(m.takeCounts().ERROR).toBe(1);
  });

  it('replaces a cell whose detection runs over the time budget', () => {
    const m = createMasker(policy({ maxCellMillis: -1 }));
    const plan = m.columnPlan([{ column: 'note', typeOid: TEXT }, { column: 'n', typeOid: TEXT }]);
    expect(m.maskCell(plan, 0, 'jane@example.com '.repeat(1000)).value).toBe('[MASKED]');
    expect(m.maskCell(plan, 1, 'clean').value).toBe('clean');
    expect(m.takeCounts().ERROR).toBe(1);
  });

  it('stays linear on hostile input (no catastrophic backtracking)', () => {
    const m = createMasker(policy({ maxCellMillis: 10_000 }));
    const plan = m.columnPlan([{ column: 'note', typeOid: TEXT }]);
    const hostile = [
      'a@'.repeat(200_000),
      'eyJ'.repeat(200_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(20_000),
      '1 '.repeat(200_000),
      '+1'.repeat(200_000),
      'a'.repeat(300_000) + '@',
      ':'.repeat(100_000) + 'f'.repeat(100_000),
      'AKIA'.repeat(100_000),
      'DE89 '.repeat(100_000),
    ];
    for (const h of hostile) expect(m.maskCell(plan, 0, h).value).not.toBeUndefined();
  });
});

describe('maskText', () => {
  it('returns spans in UTF-16 offsets of the input', () => {
    const t = '🙂 Jürgen: jürgen@example.de, 4242 4242 4242 4242';
    const r = maskText(t);
    expect(r.text).toBe('🙂 Jürgen: [EMAIL], [CARD]');
    expect(r.spans.map((s) => [s.entity, t.slice(s.start, s.end)])).toEqual([
      ['EMAIL', 'jürgen@example.de'],
      ['CARD', '4242 4242 4242 4242'],
    ]);
  });

  it('applies a column rule for previews, and never returns null for free text', () => {
    const p = policy({ defaultStyle: 'null', rules: [rule({ match: { columnName: 'dob' }, entity: 'DOB', style: 'partial' })] });
    expect(maskText('1990-04-01', { policy: p, column: { column: 'dob' } }).text).toBe('****-04-01');
    expect(maskText('mail jane@example.com', { policy: p }).text).toBe('mail [EMAIL]');
  });
});

describe('mayMask', () => {
  it('says false only for text maskText leaves unchanged: every corpus cell, whole and cut short', () => {
    const m = createMasker(policy());
    let skipped = 0;
    for (const cell of buildCorpus()) {
      const bytes = Buffer.from(cell.text);
      for (const cut of [cell.text.length, Math.floor(cell.text.length / 2), 7]) {
        const text = cell.text.slice(0, cut);
        if (m.mayMask(bytes, 0, bytes.length)) continue;
        skipped++;
        expect(m.maskText(text).changed, `${cell.id} cut at ${cut}`).toBe(false);
      }
      // Whole cells with something to mask are never skipped.
      if (cell.expected.length > 0 && cell.kind === 'text') expect(m.mayMask(bytes, 0, bytes.length), cell.id).toBe(true);
    }
    expect(skipped).toBeGreaterThan(0);
    expect(m.mayMask(Buffer.from('12345'), 0, 5)).toBe(false);
    expect(m.mayMask(Buffer.from('id 12345 jane@example.com'), 0, 8)).toBe(false);
    expect(m.mayMask(Buffer.from('id 12345 jane@example.com'), 0, 25)).toBe(true);
    expect(createMasker(policy({ enabled: false })).mayMask(Buffer.from('jane@example.com'), 0, 16)).toBe(false);
  });
});

describe('cards written in groups of four', () => {
  it('masks a 15-digit Amex and a 14-digit Diners number grouped in fours, and leaves a Luhn-failing look-alike', () => {
    expect(maskText('Payment retried with card 3782 8224 6310 005 after a decline.').text).toBe('Payment retried with card [CARD] after a decline.');
    expect(maskText('diners 3056-9309-0259-04 on file').text).toBe('diners [CARD] on file');
    expect(maskText('ticket 3782 8224 6310 006 closed').text).toBe('ticket 3782 8224 6310 006 closed');
  });
});
