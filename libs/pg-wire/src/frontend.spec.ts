import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import * as w from './index';

// Builders must match node-postgres byte for byte where it serializes the same message, and every
// parser must invert its builder.

describe('frontend builders match pg-protocol serialize', () => {
  const cases: [string, Buffer, Buffer][] = [
    ['startup', w.buildStartupMessage({ user: 'ann', database: 'demo', client_encoding: 'UTF8' }), serialize.startup({ user: 'ann', database: 'demo' })],
    ['password', w.buildPasswordMessage('pässword'), serialize.password('pässword')],
    ['ssl', w.buildSSLRequest(), serialize.requestSsl()],
    ['sasl initial', w.buildSASLInitialResponse('SCRAM-SHA-256', 'n,,n=*,r=abc'), serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc')],
    ['sasl response', w.buildSASLResponse('c=biws,r=abc,p=xyz'), serialize.sendSCRAMClientFinalMessage('c=biws,r=abc,p=xyz')],
    ['query', w.buildQuery('SELECT 1 — ünïcode'), serialize.query('SELECT 1 — ünïcode')],
    ['parse', w.buildParse({ name: 's', sql: 'SELECT $1', paramTypes: [23, 25] }), serialize.parse({ name: 's', text: 'SELECT $1', types: [23, 25] })],
    ['parse unnamed', w.buildParse({ name: '', sql: 'SELECT 1', paramTypes: [] }), serialize.parse({ text: 'SELECT 1' })],
    [
      'bind',
      w.buildBind({ portal: 'p', statement: 's', paramFormats: [0, 0, 1], params: ['1', null, Buffer.from([1, 2])], resultFormats: [1] }),
      serialize.bind({ portal: 'p', statement: 's', values: ['1', null, Buffer.from([1, 2])], binary: true }),
    ],
    ['bind empty', w.buildBind({ resultFormats: [0] }), serialize.bind()],
    ['execute', w.buildExecute('p', 10), serialize.execute({ portal: 'p', rows: 10 })],
    ['execute default', w.buildExecute(), serialize.execute()],
    ['describe S', w.buildDescribe('S', 'st'), serialize.describe({ type: 'S', name: 'st' })],
    ['describe P', w.buildDescribe('P'), serialize.describe({ type: 'P' })],
    ['close', w.buildClose('S', 'st'), serialize.close({ type: 'S', name: 'st' })],
    ['flush', w.buildFlush(), serialize.flush()],
    ['sync', w.buildSync(), serialize.sync()],
    ['terminate', w.buildTerminate(), serialize.end()],
    ['copyData', w.buildCopyData(Buffer.from('a\tb\n')), serialize.copyData(Buffer.from('a\tb\n'))],
    ['copyDone', w.buildCopyDone(), serialize.copyDone()],
    ['copyFail', w.buildCopyFail('nope'), serialize.copyFail('nope')],
    ['cancel', w.buildCancelRequest(1234, 0x7eadbeef), serialize.cancel(1234, 0x7eadbeef)],
  ];
  for (const [name, ours, theirs] of cases) {
    it(name, () => expect(ours.toString('hex')).toBe(theirs.toString('hex')));
  }
});

describe('frontend round trips', () => {
  it('Query', () => expect(w.parseQuery(w.buildQuery('SELECT \'€\''))).toEqual({ type: 'query', sql: 'SELECT \'€\'' }));

  it('Parse', () => {
    const msg = { name: 'stmt', sql: 'SELECT $1', paramTypes: [0, 23, 4294967295] };
    expect(w.parseParse(w.buildParse(msg))).toEqual({ type: 'parse', ...msg });
  });

  it('Bind with NULL, text and binary parameters', () => {
    const b = w.parseBind(w.buildBind({ portal: 'p', statement: 's', paramFormats: [0, 1, 0], params: ['x', Buffer.from([0, 1]), null], resultFormats: [0, 1] }));
    expect(b).toEqual({
      type: 'bind',
      portal: 'p',
      statement: 's',
      paramFormats: [0, 1, 0],
      params: [Buffer.from('x'), Buffer.from([0, 1]), null],
      resultFormats: [0, 1],
    });
  });

  it('Describe, Close, Execute', () => {
    expect(w.parseDescribe(w.buildDescribe('P', 'portal'))).toEqual({ type: 'describe', target: 'P', name: 'portal' });
    expect(w.parseClose(w.buildClose('S', 's'))).toEqual({ type: 'close', target: 'S', name: 's' });
    expect(w.parseExecute(w.buildExecute('', 5))).toEqual({ type: 'execute', portal: '', maxRows: 5 });
  });

  it('FunctionCall', () => {
    const msg = { functionOid: 1598, argFormats: [1], args: [Buffer.from([0, 0, 0, 1]), null], resultFormat: 1 };
    expect(w.parseFunctionCall(w.buildFunctionCall(msg))).toEqual({ type: 'functionCall', ...msg });
  });

  it('copy messages', () => {
    expect(w.parseCopyData(w.buildCopyData('row\n'))).toEqual({ type: 'copyData', data: Buffer.from('row\n') });
    expect(w.parseCopyFail(w.buildCopyFail('bad'))).toEqual({ type: 'copyFail', message: 'bad' });
  });

  it('password, SASLInitialResponse (with and without data), SASLResponse', () => {
    expect(w.parsePasswordMessage(w.buildPasswordMessage('md5abc'))).toEqual({ type: 'password', password: 'md5abc' });
    expect(w.parseSASLInitialResponse(w.buildSASLInitialResponse('SCRAM-SHA-256', 'n,,n=,r=x'))).toEqual({
      type: 'saslInitialResponse',
      mechanism: 'SCRAM-SHA-256',
      data: Buffer.from('n,,n=,r=x'),
    });
    expect(w.parseSASLInitialResponse(w.buildSASLInitialResponse('SCRAM-SHA-256', null)).data).toBeNull();
    expect(w.parseSASLResponse(w.buildSASLResponse('c=biws'))).toEqual({ type: 'saslResponse', data: Buffer.from('c=biws') });
  });

  it('dispatches every frontend sample by code', () => {
    const r = new w.FrameReader();
    r.push(Buffer.concat([w.buildQuery('q'), w.buildSync(), w.buildFlush(), w.buildTerminate(), w.buildCopyDone(), w.buildSASLResponse('x')]));
    const types: string[] = [];
    for (let f = r.next(); f !== null; f = r.next()) types.push(w.parseFrontendMessage(f, f.code === w.FrontendCode.Password ? 'saslResponse' : 'password').type);
    expect(types).toEqual(['query', 'sync', 'flush', 'terminate', 'copyDone', 'saslResponse']);
  });

  it('rejects a wrong code, a bad length field, trailing bytes and embedded NULs', () => {
    expect(() => w.parseQuery(w.buildSync())).toThrow(/expected Query message \('Q'\)/);
    const q = w.buildQuery('x');
    q.writeInt32BE(99, 1);
    expect(() => w.parseQuery(q)).toThrow(w.PgProtocolError);
    const trailing = w.buildExecute('', 0);
    const padded = Buffer.concat([trailing, Buffer.from([0])]);
    padded.writeInt32BE(padded.length - 1, 1);
    expect(() => w.parseExecute(padded)).toThrow(/trailing/);
    expect(() => w.buildQuery('a\0b')).toThrow(w.PgProtocolError);
    expect(() => w.parseDescribe(Buffer.from([0x44, 0, 0, 0, 6, 0x58, 0]))).toThrow(/target must be/);
  });
});
