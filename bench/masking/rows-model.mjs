// What bench/masking/rows.bench.mjs and instructions.mjs share: a masking session of the worker's
// hooks, the proxy bench's row shapes as DataRow frames in socket-sized chunks, and the relay's
// per-chunk work around the hook.
import path from 'node:path';
import { require, requireBuilt, root } from '../lib/common.mjs';

requireBuilt('apps/worker/dist/masking/masking-hooks.js');

const dist = (p) => require(path.join(root, 'apps/worker/dist', p));
const { maskingHooks } = dist('masking/masking-hooks.js');
const { PolicyIndex } = dist('policy/policy-index.js');
const { snapshotFixture } = dist('policy/snapshot-fixture.js');
const { CatalogRegistry } = dist('masking/catalog.js');
const { createLogger } = dist('logger.js');
export const { buildDataRow, FrameReader, ForwardRun } = require('@airlock/pg-wire');
const { generatePoolKeyPair, seal } = require('@airlock/contracts');

export function session() {
  const pool = generatePoolKeyPair();
  const snap = snapshotFixture({ pool: 'p', version: 1, poolPublicKey: pool.publicKey, connection: { masking: true, maskingKeySealed: seal(Buffer.alloc(32, 7).toString('base64'), pool.publicKey) } });
  const index = new PolicyIndex(snap, pool.privateKey);
  const log = createLogger('silent', {});
  const hooks = maskingHooks({ policy: () => index, poolPrivateKey: pool.privateKey, catalogs: new CatalogRegistry(log, async () => new Map()), log })({
    sessionId: 's', connection: snap.connections[0], profile: 'readonly',
  });
  return hooks;
}

const field = (name, typeOid) => ({ name, tableOid: 0, columnAttr: 0, typeOid, typeSize: -1, typeModifier: -1, format: 0 });
const ts = '2026-11-27 07:52:22.181655+00';
// The same columns and values as the proxy bench's queries (text format, as Postgres sends them).
export const SHAPES = {
  pii: {
    fields: [field('id', 23), field('email', 25), field('phone', 25), field('card', 25), field('notes', 25), field('balance_cents', 20), field('created_at', 1184)],
    row: (g) => [String(g), `user${g}@example.com`, `+1 (415) 555-${String(g % 10000).padStart(4, '0')}`, '4111111111111111', `called about order ${g}; reply to user${g}@example.com`, String((g * 7919) % 1000000), ts],
  },
  clean: {
    fields: [field('id', 23), field('name', 25), field('notes', 25), field('body', 25), field('balance_cents', 20), field('created_at', 1184)],
    row: (g) => [String(g), `customer ${g}`, 'status shipped, tracking pending, warehouse B', 'lorem ipsum '.repeat(8), String((g * 7919) % 1000000), ts],
  },
};

// Frames in 64 KiB chunks, as a socket delivers them; the relay's FrameReader hands out subarrays.
export function chunks(shape, rows) {
  const frames = [];
  for (let g = 1; g <= rows; g++) frames.push(buildDataRow(shape.row(g)));
  const out = [];
  let cur = [];
  let size = 0;
  for (const f of frames) {
    cur.push(f);
    size += f.length;
    if (size >= 65536) {
      out.push(Buffer.concat(cur));
      cur = [];
      size = 0;
    }
  }
  if (cur.length) out.push(Buffer.concat(cur));
  return { chunks: out, bytes: frames.reduce((a, f) => a + f.length, 0) };
}

/**
 * What the relay does per chunk: frame each row, pass it to the masking hook when there is one,
 * coalesce rows that sit side by side (untouched ones in the chunk, rewritten ones in the hook's
 * slab) into runs and send the chunk's runs as one buffer
 * (apps/worker/src/postgres/relay.ts, pumpUpstream). Returns the bytes sent.
 */
export function relay(data, hooks = null, plan = null) {
  const reader = new FrameReader({ startup: false, maxMessageLength: 1 << 30 });
  const run = new ForwardRun();
  const row = { buf: Buffer.alloc(0), start: 0, end: 0 };
  let sent = 0;
  for (const c of data.chunks) {
    reader.push(c);
    const parts = [];
    while (reader.nextCode() >= 0) {
      // As the relay does: the frame as a range of its chunk, through the hook's onDataRowRange.
      row.buf = reader.frameBuf;
      row.start = reader.frameStart;
      row.end = reader.frameEnd;
      if (hooks !== null) hooks.onDataRowRange(row, plan);
      const done = run.appendRange(row.buf, row.start, row.end);
      if (done !== null) parts.push(done);
    }
    const rest = run.take();
    if (rest !== null) parts.push(rest);
    sent += (parts.length === 1 ? parts[0] : Buffer.concat(parts)).length;
  }
  return sent;
}

/** A started session and its plan for a shape's RowDescription. */
export async function planned(shape) {
  const hooks = session();
  await hooks.onStart();
  const plan = hooks.onRowDescription(shape.fields, { kind: 'query', name: '', sql: 'select' });
  return { hooks, plan };
}
