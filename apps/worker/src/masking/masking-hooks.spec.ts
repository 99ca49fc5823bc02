import { generatePoolKeyPair, seal, type SnapshotRule } from '@airlock/contracts';
import { buildDataRow, buildErrorResponse, buildNoticeResponse, type FieldDescription, parseDataRow, parseErrorResponse, parseNoticeResponse } from '@airlock/pg-wire';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { PolicyIndex } from '../policy/policy-index';
import { snapshotFixture } from '../policy/snapshot-fixture';
import type { RowPlan, SessionInfo } from '../postgres/hooks';
import { CatalogRegistry, isDdlTag, type ColumnName } from './catalog';
import { copyFormat } from './copy-out';
import { isBinaryCopyOut, maskingHooks, type MaskingSession, type StatementMasking } from './masking-hooks';
import { columnPartOf, conservativeRules, rulesFor } from './masking-policy';

const pool = generatePoolKeyPair();

const log = createLogger('silent', {});
const field = (name: string, typeOid = 25, over: Partial<FieldDescription> = {}): FieldDescription => ({ name, tableOid: 0, columnAttr: 0, typeOid, typeSize: -1, typeModifier: -1, format: 0, ...over });
const cells = (frame: Buffer | null, original: Buffer) => parseDataRow(frame ?? original).values.map((v) => (v === null ? null : v.toString('utf8')));

function session(opts: { rules?: SnapshotRule[]; masking?: boolean; catalog?: Map<number, Map<number, ColumnName>> } = {}) {
  const snap = snapshotFixture({ pool: 'p', version: 1, poolPublicKey: pool.publicKey, connection: { masking: opts.masking ?? true, maskingKeySealed: seal(Buffer.alloc(32, 7).toString('base64'), pool.publicKey) } });
  snap.maskingRules = opts.rules ?? [];
  let index = new PolicyIndex(snap, pool.privateKey);
  const counted: StatementMasking[] = [];
  const catalogs = new CatalogRegistry(log, async () => opts.catalog ?? new Map());
  const factory = maskingHooks({ policy: () => index, poolPrivateKey: pool.privateKey, catalogs, log, onStatementMasked: (_i, m) => void counted.push(m) });
  const info = { sessionId: 's1', connection: snap.connections[0], profile: 'readonly' } as SessionInfo;
  const hooks = factory(info) as MaskingSession;
  const republish = (over: { masking?: boolean; rules?: SnapshotRule[] }) => {
    const next = structuredClone(snap);
    next.version = index.version + 1;
    next.connections[0]!.masking = over.masking ?? true;
    next.maskingRules = over.rules ?? snap.maskingRules;
    index = new PolicyIndex(next, pool.privateKey);
  };
  return { hooks, counted, republish };
}

const src = { kind: 'query' as const, name: '', sql: 'select' };

describe('masking hooks', () => {
  it('rewrites only the cells that change and forwards clean rows untouched', async () => {
    const { hooks, counted } = session();
    await hooks.onStart();
    const plan = hooks.onRowDescription([field('id', 23), field('email'), field('note')], src)!;
    const row = buildDataRow(['1', 'ada@example.com', 'call me']);
    expect(cells(hooks.onDataRow(row, plan), row)).toEqual(['1', '[EMAIL]', 'call me']);
    const clean = buildDataRow(['2', 'nobody', null]);
    expect(hooks.onDataRow(clean, plan)).toBeNull();
    hooks.onCommandComplete('SELECT 2');
    expect(counted).toEqual([{ tag: 'SELECT 2', counts: { EMAIL: 1 }, total: 1 }]);
  });

  it('gives a session that starts with masking off no hooks (the relay passes its bytes through)', () => {
    const { hooks } = session({ masking: false });
    expect(Object.keys(hooks)).toEqual([]);
  });

  it('plans nothing for results that cannot hold personal data, and nothing when masking is off', async () => {
    const { hooks, republish } = session();
    await hooks.onStart();
    expect(hooks.onRowDescription([field('n', 23), field('at', 1184)], src)).toBeNull();
    republish({ masking: false });
    expect(hooks.onRowDescription([field('email')], src)).toBeNull();
    republish({ masking: true });
    expect(hooks.onRowDescription([field('email')], src)).not.toBeNull();
  });

  it('a card in an int8 becomes NULL and keeps the type; a rule on an int8 is announced as text', async () => {
    const rules: SnapshotRule[] = [{ id: 'r', connection: null, name: 'n', enabled: true, match: { columnName: 'secret_n' }, entity: 'FULL', style: 'hash' }];
    const { hooks } = session({ rules });
    await hooks.onStart();
    const fields = [field('card', 20), field('secret_n', 20)];
    const plan = hooks.onRowDescription(fields, src)!;
    const row = buildDataRow(['4111111111111111', '42']);
    const out = cells(hooks.onDataRow(row, plan), row);
    expect(out[0]).toBeNull();
    expect(out[1]).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(hooks.rewriteRowDescription(fields, src)?.map((f) => f.typeOid)).toEqual([20, 25]);
    expect(hooks.rewriteRowDescription(fields.map((f) => ({ ...f, format: 1 })), src)).toBeNull();
  });

  it('applies schema.table.column rules through the catalog, conservatively while a table is unknown', async () => {
    const catalog = new Map([[1000, new Map([[2, { schema: 'public', table: 'customers', column: 'notes' }]])]]);
    const rules: SnapshotRule[] = [{ id: 'r', connection: null, name: 'n', enabled: true, match: { column: 'public.customers.notes' }, entity: 'FULL', style: 'redact' }];
    const { hooks } = session({ rules, catalog });
    await hooks.onStart();
    const row = buildDataRow(['hello']);
    const known = hooks.onRowDescription([field('notes', 25, { tableOid: 1000, columnAttr: 2 })], src)!;
    expect(cells(hooks.onDataRow(row, known), row)).toEqual(['[MASKED]']);
    const other = hooks.onRowDescription([field('notes', 25, { tableOid: 1000, columnAttr: 3 })], src);
    expect(other === null ? null : cells(hooks.onDataRow(row, other), row)).toEqual(['[MASKED]']);
    // An expression has no table: the rule cannot see it, detectors still run.
    expect(hooks.onRowDescription([field('upper', 25)], src)).not.toBeNull();
    const expr = hooks.onRowDescription([field('upper', 25)], src)!;
    expect(hooks.onDataRow(row, expr)).toBeNull();
  });

  it('masks the free text of notices and errors, keeping code and fields', () => {
    const { hooks } = session();
    const err = buildErrorResponse({ severity: 'ERROR', code: '23505', message: 'duplicate key value violates unique constraint "users_email_key"', detail: 'Key (email)=(a@b.com) already exists.', constraint: 'users_email_key' });
    const e = parseErrorResponse(hooks.rewriteNotice(err)!);
    expect(e).toMatchObject({ code: '23505', detail: 'Key (email)=([EMAIL]) already exists.', constraint: 'users_email_key' });
    expect(hooks.rewriteNotice(buildNoticeResponse({ severity: 'NOTICE', code: '00000', message: 'nothing here' }))).toBeNull();
    expect(parseNoticeResponse(hooks.rewriteNotice(buildNoticeResponse({ severity: 'NOTICE', code: '00000', message: 'ssn 123-45-6789' }))!).message).toBe('ssn [SSN]');
  });

  it('masks COPY rows in text and CSV, keeps NULLs and delimiters, and refuses binary COPY', async () => {
    const { hooks } = session();
    await hooks.onStart();
    const frame = (s: string) => {
      const body = Buffer.from(s);
      const b = Buffer.alloc(5 + body.length);
      b[0] = 0x64;
      b.writeInt32BE(4 + body.length, 1);
      body.copy(b, 5);
      return b;
    };
    const text = hooks.onCopyOut(0, [0, 0, 0], { kind: 'query', name: '', sql: 'COPY (select 1) TO STDOUT' })!;
    expect(hooks.onCopyData(frame('1\ta@b.com\t\\N\n'), text)!.subarray(5).toString()).toBe('1\t[EMAIL]\t\\N\n');
    expect(hooks.onCopyData(frame('2\tplain\t\\N\n'), text)).toBeNull();
    const csv = hooks.onCopyOut(0, [0, 0], { kind: 'query', name: '', sql: "COPY t TO STDOUT WITH (FORMAT csv, DELIMITER ';')" })!;
    expect(hooks.onCopyData(frame('"x@y.org, b";;4111 1111 1111 1111\n'), csv)!.subarray(5).toString()).toBe('"[EMAIL], b";;[CARD]\n');
    expect(hooks.onQuery('COPY t TO STDOUT (FORMAT binary)')).toMatchObject({ action: 'block', code: '0A000' });
    expect(hooks.onQuery('COPY t TO STDOUT')).toEqual({ action: 'allow' });
    const bin = hooks.onCopyOut(1, [1], { kind: 'query', name: '', sql: null })!;
    expect(hooks.onCopyData(frame('PGCOPY\n\xff\r\n\0 a@b.com'), bin)!.length).toBe(5);
  });

  it('refuses COPY (query) when the connection has rules (no column names to apply them to)', async () => {
    const rules: SnapshotRule[] = [{ id: 'r', connection: null, name: 'n', enabled: true, match: { columnName: 'x' }, entity: 'FULL', style: 'redact' }];
    const { hooks } = session({ rules });
    await hooks.onStart();
    expect(hooks.onQuery('copy (select x from t) to stdout')).toMatchObject({ action: 'block' });
    expect(hooks.onParse('', 'select 1')).toEqual({ action: 'allow' });
  });

  it('fails closed on a row wider than its description', async () => {
    const { hooks } = session();
    await hooks.onStart();
    const plan = hooks.onRowDescription([field('email')], src) as RowPlan;
    const row = buildDataRow(['a@b.com', 'extra a@b.com']);
    expect(cells(hooks.onDataRow(row, plan), row)).toEqual(['[EMAIL]', null]);
  });
});

describe('masking helpers', () => {
  it('reads COPY options', () => {
    expect(copyFormat("COPY public.customers (id, \"Email\") TO STDOUT WITH (FORMAT csv, NULL 'NA')")).toMatchObject({ csv: true, delimiter: 44, null: 'NA', columns: ['id', 'Email'], table: { schema: 'public', table: 'customers' } });
    expect(copyFormat('copy (select 1) to stdout')).toMatchObject({ csv: false, delimiter: 9, null: '\\N', columns: null, table: null });
    expect(isBinaryCopyOut('COPY t TO STDOUT BINARY')).toBe(true);
    expect(isBinaryCopyOut("COPY t TO STDOUT (FORMAT 'csv')")).toBe(false);
  });

  it('widens schema.table.column globs to the column part for unknown tables', () => {
    expect(columnPartOf('public.customers.email')).toBe('email');
    expect(columnPartOf('*.ssn')).toBe('ssn');
    expect(columnPartOf('public.cust*')).toBe('*');
    expect(columnPartOf('public.t.e*l')).toBe('*l');
    const rules = rulesFor('demo-pg', [
      { id: 'a', connection: null, name: 'a', enabled: true, match: { column: 'public.t.email' }, entity: 'email', style: 'HASH' },
      { id: 'b', connection: 'other', name: 'b', enabled: true, match: { columnName: 'x' } },
      { id: 'c', connection: null, name: 'c', enabled: false, match: { columnName: 'y' } },
      { id: 'd', connection: 'demo-pg', name: 'd', enabled: true, match: { columnName: 'z' }, style: 'bogus', entity: 'nope' },
    ]);
    expect(rules.map((r) => [r.id, r.entity, r.style])).toEqual([['a', 'EMAIL', 'hash'], ['d', 'FULL', 'redact']]);
    expect(conservativeRules(rules)[0]!.match).toEqual({ columnName: 'email' });
  });

  it('knows which command tags may rename tables or columns', () => {
    expect(['CREATE TABLE', 'ALTER TABLE', 'DROP VIEW', 'SELECT 24'].map(isDdlTag)).toEqual([true, true, true, false]);
    expect(isDdlTag('CREATE INDEX')).toBe(false);
  });
});

