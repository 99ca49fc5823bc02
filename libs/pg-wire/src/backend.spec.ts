import { Parser } from 'pg-protocol/dist/parser';
import { describe, expect, it } from 'vitest';
import * as w from './index';

// Backend builders are checked by node-postgres's own parser, and every parser inverts its builder.

function pgParse(buf: Buffer): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // DatabaseError keeps `message` as a non-enumerable Error property: copy it explicitly.
  new Parser().parse(buf, (m) => out.push({ ...(m as unknown as Record<string, unknown>), message: (m as { message?: string }).message }));
  return out;
}

const fields: w.FieldDescription[] = [
  { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
  { name: 'e', tableOid: 0, columnAttr: 0, typeOid: 3802, typeSize: -1, typeModifier: -1, format: 1 },
];

describe('backend builders parse identically in pg-protocol', () => {
  it('authentication requests', () => {
    const [ok, clear, md5, sasl, cont, fin] = pgParse(
      Buffer.concat([
        w.buildAuthenticationOk(),
        w.buildAuthenticationCleartextPassword(),
        w.buildAuthenticationMD5Password(Buffer.from([9, 8, 7, 6])),
        w.buildAuthenticationSASL(['SCRAM-SHA-256']),
        w.buildAuthenticationSASLContinue('r=n,s=c2FsdA==,i=1'),
        w.buildAuthenticationSASLFinal('v=c2ln'),
      ]),
    );
    expect(ok.name).toBe('authenticationOk');
    expect(clear.name).toBe('authenticationCleartextPassword');
    expect(md5).toMatchObject({ name: 'authenticationMD5Password', salt: Buffer.from([9, 8, 7, 6]) });
    expect(sasl).toMatchObject({ name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] });
    expect(cont).toMatchObject({ name: 'authenticationSASLContinue', data: 'r=n,s=c2FsdA==,i=1' });
    expect(fin).toMatchObject({ name: 'authenticationSASLFinal', data: 'v=c2ln' });
  });

  it('start-up status messages', () => {
    const [ps, key, rfq] = pgParse(Buffer.concat([w.buildParameterStatus('TimeZone', 'UTC'), w.buildBackendKeyData(99, 12345), w.readyForQuery('T')]));
    expect(ps).toMatchObject({ name: 'parameterStatus', parameterName: 'TimeZone', parameterValue: 'UTC' });
    expect(key).toMatchObject({ name: 'backendKeyData', processID: 99, secretKey: 12345 });
    expect(rfq).toMatchObject({ name: 'readyForQuery', status: 'T' });
  });

  it('query results', () => {
    const msgs = pgParse(
      Buffer.concat([
        w.buildRowDescription(fields),
        w.buildDataRow(['1', null]),
        w.buildCommandComplete('SELECT 1'),
        w.buildParameterDescription([23, 25]),
        w.buildParseComplete(),
        w.buildBindComplete(),
        w.buildCloseComplete(),
        w.buildNoData(),
        w.buildPortalSuspended(),
        w.buildEmptyQueryResponse(),
        w.buildNotificationResponse(7, 'ch', 'hi'),
      ]),
    );
    expect(msgs.map((m) => m.name)).toEqual([
      'rowDescription', 'dataRow', 'commandComplete', 'parameterDescription', 'parseComplete', 'bindComplete',
      'closeComplete', 'noData', 'portalSuspended', 'emptyQuery', 'notification',
    ]);
    const rd = msgs[0].fields as Record<string, unknown>[];
    expect(rd.map((f) => ({ ...f }))).toEqual([
      { name: 'id', tableID: 16384, columnID: 1, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
      { name: 'e', tableID: 0, columnID: 0, dataTypeID: 3802, dataTypeSize: -1, dataTypeModifier: -1, format: 'binary' },
    ]);
    expect(msgs[1].fields).toEqual(['1', null]);
    expect(msgs[2].text).toBe('SELECT 1');
    expect(msgs[3].dataTypeIDs).toEqual([23, 25]);
    expect(msgs[10]).toMatchObject({ processId: 7, channel: 'ch', payload: 'hi' });
  });

  it('ErrorResponse and NoticeResponse with every field code', () => {
    const all: w.NoticeFields = {
      severity: 'ERROR', severityNonLocalized: 'ERROR', code: '23505', message: 'dup', detail: 'd', hint: 'h', position: '3',
      internalPosition: '4', internalQuery: 'iq', where: 'w', schema: 'public', table: 't', column: 'c', dataType: 'dt',
      constraint: 'pk', file: 'f.c', line: '10', routine: 'r',
    };
    const [err, notice] = pgParse(Buffer.concat([w.buildErrorResponse(all), w.buildNoticeResponse({ ...all, severity: 'NOTICE' })]));
    const { severityNonLocalized: _v, ...pgKnown } = all;
    expect(err).toMatchObject({ name: 'error', ...pgKnown });
    expect(notice).toMatchObject({ name: 'notice', ...pgKnown, severity: 'NOTICE' });
    expect(w.parseErrorResponse(w.buildErrorResponse(all))).toEqual({ type: 'errorResponse', ...all });
  });

  it('COPY responses and data', () => {
    const [cin, cout, data, done] = pgParse(
      Buffer.concat([w.buildCopyResponse('copyInResponse', 0, [0, 0]), w.buildCopyResponse('copyOutResponse', 1, [1]), w.buildCopyData('x\n'), w.buildCopyDone()]),
    );
    expect(cin).toMatchObject({ name: 'copyInResponse', binary: false, columnTypes: [0, 0] });
    expect(cout).toMatchObject({ name: 'copyOutResponse', binary: true, columnTypes: [1] });
    expect(data).toMatchObject({ name: 'copyData', chunk: Buffer.from('x\n') });
    expect(done.name).toBe('copyDone');
  });
});

describe('backend round trips', () => {
  it('every sample decodes through parseBackendMessage and rebuilds to the same bytes', () => {
    const rebuilt: Record<string, (m: never) => Buffer> = {
      parameterStatus: (m: w.ParameterStatus) => w.buildParameterStatus(m.name, m.value),
      backendKeyData: (m: w.BackendKeyData) => w.buildBackendKeyData(m.processId, m.secretKey),
      readyForQuery: (m: w.ReadyForQuery) => w.readyForQuery(m.status),
      rowDescription: (m: w.RowDescription) => w.buildRowDescription(m.fields),
      parameterDescription: (m: w.ParameterDescription) => w.buildParameterDescription(m.typeOids),
      dataRow: (m: w.DataRow) => w.buildDataRow(m.values),
      commandComplete: (m: w.CommandComplete) => w.buildCommandComplete(m.tag),
      notificationResponse: (m: w.NotificationResponse) => w.buildNotificationResponse(m.processId, m.channel, m.payload),
      functionCallResponse: (m: w.FunctionCallResponse) => w.buildFunctionCallResponse(m.result),
      errorResponse: (m: w.ErrorResponse) => w.buildErrorResponse(m),
      noticeResponse: (m: w.NoticeResponse) => w.buildNoticeResponse(m),
      negotiateProtocolVersion: (m: w.NegotiateProtocolVersion) => w.buildNegotiateProtocolVersion(m.newestMinorVersion, m.unrecognizedOptions),
      copyInResponse: (m: w.CopyResponse) => w.buildCopyResponse(m.type, m.overallFormat, m.columnFormats),
      copyOutResponse: (m: w.CopyResponse) => w.buildCopyResponse(m.type, m.overallFormat, m.columnFormats),
      copyBothResponse: (m: w.CopyResponse) => w.buildCopyResponse(m.type, m.overallFormat, m.columnFormats),
      copyData: (m: w.CopyData) => w.buildCopyData(m.data),
    };
    const samples = [
      w.buildParameterStatus('a', 'b'), w.buildBackendKeyData(1, Buffer.alloc(32, 7)), w.readyForQuery('E'),
      w.buildRowDescription(fields), w.buildParameterDescription([]), w.buildDataRow([Buffer.alloc(0), null, 'z']),
      w.buildCommandComplete('INSERT 0 1'), w.buildNotificationResponse(1, '', ''), w.buildFunctionCallResponse(null),
      w.buildErrorResponse({ severity: 'FATAL', code: '08P01', message: 'm', unknown: [['X', 'future']] }),
      w.buildNoticeResponse({ message: 'only' }), w.buildNegotiateProtocolVersion(0, ['_pq_.a', '_pq_.b']),
      w.buildCopyResponse('copyInResponse', 0, [0]), w.buildCopyResponse('copyOutResponse', 0, []), w.buildCopyResponse('copyBothResponse', 1, [1, 1]),
      w.buildCopyData(Buffer.from([0, 255])),
    ];
    for (const s of samples) {
      const [frame] = [{ code: s[0], length: s.length - 1, bytes: s }];
      const msg = w.parseBackendMessage(frame);
      expect(rebuilt[msg.type](msg as never).equals(s), msg.type).toBe(true);
    }
  });

  it('authentication variants', () => {
    expect(w.parseAuthentication(w.buildAuthenticationSASL(['A', 'B']))).toEqual({ type: 'authenticationSASL', mechanisms: ['A', 'B'] });
    expect(w.parseAuthentication(w.buildAuthenticationMD5Password(Buffer.from('salt')))).toEqual({ type: 'authenticationMD5Password', salt: Buffer.from('salt') });
    expect(w.parseAuthentication(w.buildAuthenticationSASLFinal('v=x'))).toEqual({ type: 'authenticationSASLFinal', data: Buffer.from('v=x') });
    expect(w.parseAuthentication(w.buildAuthenticationOk())).toEqual({ type: 'authenticationOk' });
    const unknown = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 99]);
    expect(() => w.parseAuthentication(unknown)).toThrow(/unknown authentication request 99/);
  });

  it('errorResponse convenience and protocolErrorResponse', () => {
    const e = w.parseErrorResponse(w.errorResponse({ severity: 'ERROR', code: '42501', message: 'airlock: blocked by rule r1', hint: 'request access' }));
    expect(e).toEqual({ type: 'errorResponse', severity: 'ERROR', severityNonLocalized: 'ERROR', code: '42501', message: 'airlock: blocked by rule r1', hint: 'request access' });
    const p = w.parseErrorResponse(w.protocolErrorResponse(new w.PgProtocolError('bad frame')));
    expect(p).toMatchObject({ severity: 'FATAL', code: '08P01', message: 'airlock: bad frame' });
  });

  it('rejects a bad transaction status and oversized cancel keys', () => {
    expect(() => w.parseReadyForQuery(Buffer.from([0x5a, 0, 0, 0, 5, 0x51]))).toThrow(/transaction status/);
    const key = Buffer.concat([Buffer.from([0x4b, 0, 0, 1, 12]), Buffer.alloc(264)]);
    expect(() => w.parseBackendKeyData(key)).toThrow(w.PgProtocolError);
  });
});
