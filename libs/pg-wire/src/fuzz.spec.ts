import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '@airlock/testing';
import * as w from './index';
import { backendSamples, frontendSamples } from './testing/samples';

// Hostile input may only ever raise PgProtocolError: any RangeError or TypeError escaping the
// codec would crash a worker's connection handler instead of answering with a native 08P01.

const PARSERS: ((b: Buffer) => unknown)[] = [
  w.parseQuery, w.parseParse, w.parseBind, w.parseDescribe, w.parseExecute, w.parseClose, w.parseFunctionCall,
  w.parseCopyData, w.parseCopyFail, w.parsePasswordMessage, w.parseSASLInitialResponse, w.parseSASLResponse,
  w.parseAuthentication, w.parseParameterStatus, w.parseBackendKeyData, w.parseReadyForQuery, w.parseRowDescription,
  w.parseParameterDescription, w.parseDataRow, w.parseCommandComplete, w.parseNotificationResponse,
  w.parseFunctionCallResponse, w.parseErrorResponse, w.parseNoticeResponse, w.parseNegotiateProtocolVersion,
  w.parseStartupPacket, (b) => w.parseCopyResponse(b, 'copyOutResponse'), (b) => w.rewriteDataRow(b, ['x']),
  (b) => new w.DataRowCells().scan(b),
];

function onlyProtocolErrors(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof w.PgProtocolError)) throw e;
    expect(e.sqlState).toMatch(/^[0-9A-Z]{5}$/);
    expect(e.message.startsWith('airlock: ')).toBe(true);
  }
}

function decodeAll(input: Buffer, startup: boolean, backend: boolean, rand: () => number): void {
  const r = new w.FrameReader({ startup, maxMessageLength: 1 << 20 });
  let pos = 0;
  while (pos < input.length) {
    const step = 1 + Math.floor(rand() * 64);
    r.push(input.subarray(pos, pos + step));
    pos += step;
    for (let f = r.next(); f !== null; f = r.next()) {
      const frame = f;
      if (frame.code === w.STARTUP_FRAME) onlyProtocolErrors(() => w.parseStartupPacket(frame.bytes));
      else if (backend) onlyProtocolErrors(() => w.parseBackendMessage(frame));
      else for (const ctx of ['password', 'saslInitialResponse', 'saslResponse'] as const) onlyProtocolErrors(() => w.parseFrontendMessage(frame, ctx));
    }
  }
}

function mutate(buf: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(buf);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * out.length);
    const kind = rand();
    if (kind < 0.5) out[at] = Math.floor(rand() * 256);
    else if (kind < 0.7) out[at] = rand() < 0.5 ? 0 : 0xff;
    else if (kind < 0.85 && out.length > 5) out.writeInt32BE(Math.floor(rand() * 2 ** 32) - 2 ** 31, Math.min(at, out.length - 4));
    else return rand() < 0.5 ? out.subarray(0, at) : Buffer.concat([out, out.subarray(at)]);
  }
  return out;
}

describe('fuzz', () => {
  const frontend = frontendSamples();
  const backend = backendSamples();
  const startup = [w.buildSSLRequest(), w.buildGSSENCRequest(), w.buildCancelRequest(1, Buffer.alloc(8, 1)), w.buildStartupMessage({ user: 'u', database: 'd' })];

  it('random bytes through framing and every dispatcher: 2000 iterations', () => {
    const rand = rng(1);
    for (let i = 0; i < 2000; i++) {
      const input = Buffer.alloc(Math.floor(rand() * 200));
      for (let j = 0; j < input.length; j++) input[j] = Math.floor(rand() * 256);
      onlyProtocolErrors(() => decodeAll(input, i % 3 === 0, i % 2 === 0, rand));
      for (const parse of PARSERS) onlyProtocolErrors(() => void parse(input));
    }
  });

  it('mutated valid frames through framing and every parser: 2000 iterations', () => {
    const rand = rng(2);
    for (let i = 0; i < 2000; i++) {
      const side = i % 3;
      const pool = side === 0 ? frontend : side === 1 ? backend : startup;
      const sample = pool[Math.floor(rand() * pool.length)];
      const mutated = mutate(sample, rand);
      onlyProtocolErrors(() => decodeAll(Buffer.concat([mutated, sample]), side === 2, side === 1, rand));
      for (const parse of PARSERS) onlyProtocolErrors(() => void parse(mutated));
    }
  });

  it('random SCRAM server messages: 2000 iterations', () => {
    const rand = rng(3);
    const alphabet = 'rsie=,vm abc0123456789+/AQ==';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = Math.floor(rand() * 40);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const c = new w.ScramClient('pw', { nonce: 'r' });
      onlyProtocolErrors(() => c.clientFinalMessage(s.replace(/i=\d{4,}/g, 'i=9')));
      onlyProtocolErrors(() => c.verifyServerFinal(s));
    }
  });
});
