// Test support only (not exported from index): one valid instance of every message per side,
// shared by the split, fuzz and dispatch specs.
import * as w from '../index';

export function frontendSamples(): Buffer[] {
  return [
    w.buildQuery('SELECT 1; SELECT \'é\''),
    w.buildParse({ name: 's1', sql: 'SELECT $1::int, $2', paramTypes: [23, 0] }),
    w.buildBind({ portal: 'p1', statement: 's1', paramFormats: [0, 1], params: ['42', null], resultFormats: [1] }),
    w.buildDescribe('S', 's1'),
    w.buildDescribe('P', ''),
    w.buildExecute('p1', 100),
    w.buildClose('P', 'p1'),
    w.buildSync(),
    w.buildFlush(),
    w.buildFunctionCall({ functionOid: 1598, argFormats: [1], args: [Buffer.from([0, 0, 0, 1]), null], resultFormat: 1 }),
    w.buildCopyData(Buffer.from('1\tfoo\n')),
    w.buildCopyDone(),
    w.buildCopyFail('client gave up'),
    w.buildPasswordMessage('secret'),
    w.buildTerminate(),
  ];
}

export function backendSamples(): Buffer[] {
  return [
    w.buildAuthenticationSASL(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']),
    w.buildAuthenticationSASLContinue('r=abc,s=c2FsdA==,i=4096'),
    w.buildAuthenticationSASLFinal('v=c2ln'),
    w.buildAuthenticationMD5Password(Buffer.from([1, 2, 3, 4])),
    w.buildAuthenticationOk(),
    w.buildParameterStatus('server_version', '18.0'),
    w.buildBackendKeyData(4242, 0x1234567),
    w.readyForQuery('I'),
    w.buildRowDescription([
      { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
      { name: 'email', tableOid: 16384, columnAttr: 2, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
    ]),
    w.buildDataRow(['1', 'ann@example.com']),
    w.buildDataRow([null, '']),
    w.buildCommandComplete('SELECT 2'),
    w.buildParseComplete(),
    w.buildBindComplete(),
    w.buildParameterDescription([23, 25]),
    w.buildNoData(),
    w.buildCloseComplete(),
    w.buildPortalSuspended(),
    w.buildEmptyQueryResponse(),
    w.buildCopyResponse('copyInResponse', 0, [0, 0]),
    w.buildCopyResponse('copyOutResponse', 1, [1]),
    w.buildCopyResponse('copyBothResponse', 0, []),
    w.buildCopyData('x'),
    w.buildCopyDone(),
    w.buildNotificationResponse(77, 'jobs', 'payload'),
    w.buildFunctionCallResponse(Buffer.from([0, 0, 0, 9])),
    w.buildFunctionCallResponse(null),
    w.buildNegotiateProtocolVersion(0, ['_pq_.foo']),
    w.buildNoticeResponse({ severity: 'NOTICE', severityNonLocalized: 'NOTICE', code: '00000', message: 'hello' }),
    w.errorResponse({ severity: 'ERROR', code: '42501', message: 'airlock: blocked', detail: 'rule r1', hint: 'ask' }),
  ];
}
