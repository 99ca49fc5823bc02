import { describe, expect, it } from 'vitest';
import * as w from './index';

describe('startup-phase packets', () => {
  it('round-trips StartupMessage with its parameters in order', () => {
    const params = { user: 'agent', database: 'orders', application_name: 'psql', options: '-c search_path=x' };
    const msg = w.parseStartupPacket(w.buildStartupMessage(params));
    expect(msg).toEqual({ type: 'startup', majorVersion: 3, minorVersion: 0, parameters: params });
    expect(Object.keys((msg as w.StartupMessage).parameters)).toEqual(Object.keys(params));
  });

  it('accepts protocol 3.2 and lists _pq_ options for NegotiateProtocolVersion', () => {
    const msg = w.parseStartupPacket(w.buildStartupMessage({ user: 'u', '_pq_.compression': 'on' }, 2)) as w.StartupMessage;
    expect(msg.minorVersion).toBe(2);
    expect(w.protocolOptions(msg)).toEqual(['_pq_.compression']);
    const reply = w.parseNegotiateProtocolVersion(w.buildNegotiateProtocolVersion(0, w.protocolOptions(msg)));
    expect(reply).toEqual({ type: 'negotiateProtocolVersion', newestMinorVersion: 0, unrecognizedOptions: ['_pq_.compression'] });
  });

  it('decodes SSLRequest, GSSENCRequest and CancelRequest (3.0 and 3.2 key sizes)', () => {
    expect(w.parseStartupPacket(w.buildSSLRequest())).toEqual({ type: 'sslRequest' });
    expect(w.parseStartupPacket(w.buildGSSENCRequest())).toEqual({ type: 'gssencRequest' });
    const c30 = w.parseStartupPacket(w.buildCancelRequest(77, 0x01020304));
    expect(c30).toEqual({ type: 'cancelRequest', processId: 77, secretKey: Buffer.from([1, 2, 3, 4]) });
    const key = Buffer.alloc(256, 0xab);
    expect(w.parseStartupPacket(w.buildCancelRequest(78, key))).toEqual({ type: 'cancelRequest', processId: 78, secretKey: key });
  });

  it('rejects cancel keys outside 4..256 bytes', () => {
    expect(() => w.buildCancelRequest(1, Buffer.alloc(3))).toThrow(w.PgProtocolError);
    const bad = Buffer.alloc(16 + 257 - 4);
    bad.writeInt32BE(bad.length, 0);
    bad.writeInt32BE(w.CANCEL_REQUEST_CODE, 4);
    expect(() => w.parseStartupPacket(bad)).toThrow(/cancel key of 257 bytes/);
  });

  it('rejects unsupported protocol versions with 0A000', () => {
    const v2 = Buffer.alloc(9);
    v2.writeInt32BE(9, 0);
    v2.writeInt32BE(2 << 16, 4);
    try {
      w.parseStartupPacket(v2);
      throw new Error('accepted protocol 2.0');
    } catch (e) {
      expect(e).toBeInstanceOf(w.PgProtocolError);
      expect((e as w.PgProtocolError).sqlState).toBe('0A000');
      expect((e as Error).message).toBe('airlock: unsupported frontend protocol 2.0: server supports 3.0');
    }
  });

  it('requires a user and a terminated parameter list', () => {
    expect(() => w.parseStartupPacket(w.buildStartupMessage({ database: 'x' }))).toThrow(/no PostgreSQL user name/);
    const unterminated = w.buildStartupMessage({ user: 'u' }).subarray(0, -1);
    unterminated.writeInt32BE(unterminated.length, 0);
    expect(() => w.parseStartupPacket(unterminated)).toThrow(w.PgProtocolError);
  });

  it('does not let a __proto__ parameter reach Object.prototype', () => {
    const msg = w.parseStartupPacket(w.buildStartupMessage({ user: 'u', ['__proto__']: 'x' })) as w.StartupMessage;
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf(msg.parameters)).toBeNull();
  });
});
