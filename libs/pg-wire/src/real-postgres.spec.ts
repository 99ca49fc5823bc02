import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as w from './index';

// Speaks to the machine's real Postgres (127.0.0.1:5432, trust auth) with nothing but this
// library: our builders must be accepted and our framing must decode what a real server sends.

const HOST = process.env.PGHOST ?? '127.0.0.1';
const PORT = Number(process.env.PGPORT ?? 5432);

class Conn {
  readonly reader = new w.FrameReader();
  private waiters: (() => void)[] = [];
  private queue: w.Frame[] = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (let f = this.reader.next(); f !== null; f = this.reader.next()) this.queue.push(f);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  static open(): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect(PORT, HOST, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  /** Reads raw bytes before framing starts (the 'S'/'N' answer to SSLRequest). */
  async byte(): Promise<number> {
    const b = await new Promise<number>((resolve) => this.socket.once('data', (d: Buffer) => resolve(d[0])));
    return b;
  }

  /** Collects backend messages up to and including ReadyForQuery. */
  async untilReady(): Promise<w.BackendMessage[]> {
    const out: w.BackendMessage[] = [];
    for (;;) {
      while (this.queue.length > 0) {
        const m = w.parseBackendMessage(this.queue.shift() as w.Frame);
        out.push(m);
        if (m.type === 'readyForQuery') return out;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

let conn: Conn | undefined;
afterEach(() => conn?.socket.destroy());

async function login(): Promise<Conn> {
  const c = await Conn.open();
  c.socket.write(w.buildStartupMessage({ user: 'postgres', database: 'postgres', application_name: 'airlock-pg-wire-test' }));
  const msgs = await c.untilReady();
  expect(msgs[0].type).toBe('authenticationOk');
  expect(msgs.some((m) => m.type === 'parameterStatus' && m.name === 'server_version')).toBe(true);
  expect(msgs.some((m) => m.type === 'backendKeyData')).toBe(true);
  return c;
}

describe('against the local Postgres (trust auth)', () => {
  it('answers SSLRequest and GSSENCRequest with a single byte', async () => {
    conn = await Conn.open();
    conn.socket.write(w.buildSSLRequest());
    expect([w.SSL_ACCEPT, w.SSL_REJECT]).toContain(await conn.byte());
    conn.socket.destroy();
    conn = await Conn.open();
    conn.socket.write(w.buildGSSENCRequest());
    expect([w.GSSENC_ACCEPT, w.SSL_REJECT]).toContain(await conn.byte());
  });

  it('runs a simple query and masks a cell with rewriteDataRow', async () => {
    conn = await login();
    conn.socket.write(w.buildQuery("SELECT 1 AS id, 'ann@example.com' AS email, NULL::text AS nothing"));
    const msgs = await conn.untilReady();
    expect(msgs.map((m) => m.type)).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    const rd = msgs[0] as w.RowDescription;
    expect(rd.fields.map((f) => [f.name, f.typeOid])).toEqual([['id', 23], ['email', 25], ['nothing', 25]]);
    const row = w.buildDataRow((msgs[1] as w.DataRow).values);
    const masked = w.parseDataRow(w.rewriteDataRow(row, new Map([[1, '***']])));
    expect(masked.values.map((v) => v?.toString() ?? null)).toEqual(['1', '***', null]);
    expect((msgs[2] as w.CommandComplete).tag).toBe('SELECT 1');
    expect((msgs[3] as w.ReadyForQuery).status).toBe('I');
  });

  it('runs the extended protocol with binary and NULL parameters', async () => {
    conn = await login();
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(41);
    conn.socket.write(
      Buffer.concat([
        w.buildParse({ name: 'st', sql: 'SELECT $1::int4 + 1 AS n, $2::text IS NULL AS isnull', paramTypes: [23, 25] }),
        w.buildBind({ portal: 'pt', statement: 'st', paramFormats: [1, 0], params: [int4, null], resultFormats: [0] }),
        w.buildDescribe('P', 'pt'),
        w.buildExecute('pt', 0),
        w.buildClose('S', 'st'),
        w.buildSync(),
      ]),
    );
    const msgs = await conn.untilReady();
    expect(msgs.map((m) => m.type)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'closeComplete', 'readyForQuery']);
    expect((msgs[3] as w.DataRow).values.map((v) => v?.toString())).toEqual(['42', 't']);
  });

  it('decodes a real ErrorResponse with its SQLSTATE and position', async () => {
    conn = await login();
    conn.socket.write(w.buildQuery('SELEC 1'));
    const msgs = await conn.untilReady();
    const err = msgs[0] as w.ErrorResponse;
    expect(err).toMatchObject({ type: 'errorResponse', severity: 'ERROR', severityNonLocalized: 'ERROR', code: '42601', position: '1' });
    expect(err.message).toMatch(/syntax error/);
    expect(err.file).toBeTruthy();
  });

  it('decodes COPY OUT and NOTIFY traffic', async () => {
    conn = await login();
    conn.socket.write(w.buildQuery("LISTEN airlock_pg_wire; NOTIFY airlock_pg_wire, 'hello'; COPY (SELECT 1, 'a') TO STDOUT"));
    const msgs = await conn.untilReady();
    const types = msgs.map((m) => m.type);
    expect(types).toContain('notificationResponse');
    expect(types).toContain('copyOutResponse');
    const data = msgs.find((m) => m.type === 'copyData') as w.CopyData;
    expect(data.data.toString()).toBe('1\ta\n');
    expect(msgs.find((m) => m.type === 'notificationResponse')).toMatchObject({ channel: 'airlock_pg_wire', payload: 'hello' });
  });
});
