import { Duplex } from 'node:stream';
import {
  buildBind,
  buildCommandComplete,
  buildDataRow,
  buildExecute,
  buildParse,
  buildQuery,
  buildRowDescription,
  buildSync,
  DataRowCells,
  errorResponse,
  FrameReader,
  parseDataRow,
  readyForQuery,
  rewriteDataRow,
} from '@airlock/pg-wire';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RowPlan, SessionHooks, SessionStats } from './hooks';
import { Relay } from './relay';

/** One end of an in-memory socket pair: what one end writes, the other reads, chunk by chunk. */
class MemSocket extends Duplex {
  peer!: MemSocket;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.peer.push(Buffer.from(chunk));
    cb();
  }
  override _read(): void {}
}
function pair(): [MemSocket, MemSocket] {
  const a = new MemSocket();
  const b = new MemSocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

const field = (name: string) => ({ name, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 });

function setup(hooks: SessionHooks[] = []) {
  const [app, clientSide] = pair();
  const [upstreamSide, server] = pair();
  const stats: SessionStats = { bytesIn: 0, bytesOut: 0, statements: 0 };
  const ended: string[] = [];
  const relay = new Relay({
    client: clientSide,
    clientReader: new FrameReader(),
    upstream: upstreamSide,
    upstreamReader: new FrameReader(),
    hooks,
    stats,
    log: pino({ level: 'silent' }),
    blockMarker: 'airlock_blocked_test',
    onEnd: (r) => ended.push(r),
  });
  relay.start();
  relays.set(stats, relay);
  const collect = (s: MemSocket) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    return () => Buffer.concat(chunks);
  };
  return { app, server, stats, ended, fromServer: collect(app), fromApp: collect(server) };
}

const relays = new WeakMap<SessionStats, Relay>();
const relayOf = (t: { stats: SessionStats }) => relays.get(t.stats)!;
const tick = () => new Promise((r) => setImmediate(r));

describe('Relay framing', () => {
  const request = Buffer.concat([
    buildQuery('SELECT 1'),
    buildParse({ name: 's', sql: 'SELECT $1::text', paramTypes: [] }),
    buildBind({ statement: 's', params: ['x'] }),
    buildExecute(),
    buildSync(),
  ]);
  const response = Buffer.concat([buildRowDescription([field('a'), field('email')]), buildDataRow(['1', 'a@b.c']), buildDataRow([null, 'x@y.z']), buildCommandComplete('SELECT 2'), readyForQuery('I')]);

  it('forwards a pipelined request split at every byte boundary unchanged', async () => {
    for (let cut = 1; cut < request.length; cut++) {
      const t = setup();
      t.app.write(request.subarray(0, cut));
      await tick();
      t.app.write(request.subarray(cut));
      await tick();
      expect(t.fromApp().equals(request)).toBe(true);
      expect(t.stats.statements).toBe(2);
      expect(t.stats.bytesIn).toBe(request.length);
    }
  });

  it('forwards a response split at every byte boundary unchanged', async () => {
    for (let cut = 1; cut < response.length; cut++) {
      const t = setup();
      t.server.write(response.subarray(0, cut));
      await tick();
      t.server.write(response.subarray(cut));
      await tick();
      expect(t.fromServer().equals(response)).toBe(true);
      expect(t.stats.bytesOut).toBe(response.length);
    }
  });

  it('rewrites rows of a planned result at every split', async () => {
    const cells = new DataRowCells();
    const mask: SessionHooks = {
      onRowDescription: (fields) => ({ fields }) as RowPlan,
      onDataRow: (frame) => rewriteDataRow(frame, [undefined, '***'], cells.scan(frame)),
    };
    for (let cut = 1; cut < response.length; cut += 3) {
      const t = setup([mask]);
      t.app.write(buildQuery('SELECT a, email FROM t'));
      await tick();
      t.server.write(response.subarray(0, cut));
      await tick();
      t.server.write(response.subarray(cut));
      await tick();
      const r = new FrameReader();
      r.push(t.fromServer());
      const rows = [];
      for (let f = r.next(); f; f = r.next()) if (f.code === 0x44) rows.push(parseDataRow(f.bytes).values.map((v) => v?.toString() ?? null));
      expect(rows).toEqual([['1', '***'], [null, '***']]);
    }
  });

  it('gives each result its own columns when shapes alternate, and a repeated shape its fields again', async () => {
    const seen: (readonly { name: string }[])[] = [];
    const t = setup([{ onRowDescription: (fields) => (seen.push(fields), null) }]);
    const one = buildRowDescription([field('a')]);
    const two = buildRowDescription([field('b'), field('c')]);
    for (const desc of [one, one, two, one, two, two]) {
      t.app.write(buildQuery('SELECT'));
      await tick();
      t.server.write(Buffer.concat([desc, buildCommandComplete('SELECT 0'), readyForQuery('I')]));
      await tick();
    }
    expect(seen.map((f) => f.map((x) => x.name).join(','))).toEqual(['a', 'a', 'b,c', 'a', 'b,c', 'b,c']);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[5]).toBe(seen[4]);
  });

  it('gives each CommandComplete its own tag when tags repeat and alternate, and refuses a malformed one', async () => {
    const tags: string[] = [];
    const t = setup([{ onCommandComplete: (tag) => void tags.push(tag) }]);
    const sent = ['SELECT 1', 'SELECT 1', 'SELECT 2', 'INSERT 0 5', 'SELECT 2', 'SELECT 1', 'UPDATE 10', 'UPDATE 10'];
    for (const tag of sent) {
      t.app.write(buildQuery('SELECT'));
      await tick();
      t.server.write(Buffer.concat([buildCommandComplete(tag), readyForQuery('I')]));
      await tick();
    }
    expect(tags).toEqual(sent);
    // The last tag's bytes without their terminating NUL: not the cached tag, and not a tag at all.
    const bad = Buffer.from(buildCommandComplete('UPDATE 10').subarray(0, -1));
    bad.writeInt32BE(bad.length - 1, 1);
    t.server.write(bad);
    await tick();
    expect(t.ended).toEqual(['protocol violation (upstream)']);
    expect(tags).toHaveLength(sent.length);
  });

  it('switches from pass-through to framing mid-frame when a block is due, at every split', async () => {
    const hooks: SessionHooks[] = [{ onQuery: (sql) => (sql.includes('forbidden') ? { action: 'block', message: 'no' } : { action: 'allow' }) }];
    const marked = errorResponse({ severity: 'ERROR', code: '42601', message: 'syntax error at or near "airlock_blocked_test"' });
    const ours = errorResponse({ severity: 'ERROR', code: '42501', message: 'airlock: no' });
    const stream = Buffer.concat([response, marked, readyForQuery('I')]);
    for (let cut = 1; cut <= response.length; cut++) {
      const t = setup(hooks);
      t.server.write(stream.subarray(0, cut));
      await tick();
      t.app.write(buildQuery('SELECT forbidden'));
      await tick();
      expect(t.fromApp().equals(buildQuery('airlock_blocked_test'))).toBe(true);
      t.server.write(stream.subarray(cut));
      await tick();
      expect(t.fromServer().equals(Buffer.concat([response, ours, readyForQuery('I')]))).toBe(true);
    }
  });

  it('places its own message between frames while passing a frame through', async () => {
    const t = setup();
    const row = buildDataRow(['x'.repeat(100)]);
    t.server.write(row.subarray(0, 50));
    await tick();
    const notice = errorResponse({ severity: 'FATAL', code: '57P01', message: 'airlock: bye' });
    relayOf(t).sendToClient(notice, 'expired');
    expect(t.ended).toEqual([]);
    t.server.write(Buffer.concat([row.subarray(50), row]));
    await tick();
    expect(t.fromServer().subarray(0, row.length + notice.length).equals(Buffer.concat([row, notice]))).toBe(true);
    expect(t.ended).toEqual(['expired']);
  });

  it('closes the session with 08P01 on an oversized client frame without allocating it', async () => {
    const [app, clientSide] = pair();
    const [upstreamSide] = pair();
    const ended: string[] = [];
    new Relay({
      client: clientSide,
      clientReader: new FrameReader({ maxMessageLength: 1024 }),
      upstream: upstreamSide,
      upstreamReader: new FrameReader(),
      hooks: [],
      stats: { bytesIn: 0, bytesOut: 0, statements: 0 },
      log: pino({ level: 'silent' }),
      blockMarker: 'm',
      onEnd: (r) => ended.push(r),
    }).start();
    const got: Buffer[] = [];
    app.on('data', (c: Buffer) => got.push(c));
    const header = Buffer.from([0x51, 0x7f, 0, 0, 0]);
    app.write(header);
    await tick();
    expect(ended).toEqual(['protocol violation (client)']);
    expect(Buffer.concat(got).toString('latin1')).toContain('08P01');
  });
});
