// pg-wire framing and DataRow masking throughput. Build first: npx tsc -b libs/pg-wire/tsconfig.build.json
// Run: node bench/pg-wire/frame.bench.mjs [--runs 5] [--ms 1000]
// Prints MB/s medians over interleaved runs, as ratios against baselines:
//   framing: FrameReader vs node-postgres's Parser (which decodes every message) on a result stream
//            cut into 64 KiB socket-sized chunks;
//   masking: rewriteDataRow of 1 cell of 6 vs decoding every cell to a string and rebuilding the row.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const w = require('../../libs/pg-wire/dist/index.js');
const { Parser } = require('pg-protocol/dist/parser');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 5);
const MS = arg('ms', 1000);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Repeats fn for about MS milliseconds; returns MB/s given bytes per call. */
function rate(bytes, fn) {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < MS) {
    fn();
    n++;
  }
  return (n * bytes) / 1e6 / ((performance.now() - start) / 1000);
}

const row = w.buildDataRow(['12345', 'Ann Example', 'ann@example.com', '+44 20 7946 0958', '2026-11-27 05:00:00+00', 'free text note']);
const stream = Buffer.concat([...Array.from({ length: 20000 }, () => row), w.buildCommandComplete('SELECT 20000'), w.readyForQuery('I')]);
const chunks = [];
for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536));

function frameReader() {
  const r = new w.FrameReader();
  const run = new w.ForwardRun();
  let out = 0;
  for (const c of chunks) {
    r.push(c);
    for (let f = r.next(); f !== null; f = r.next()) {
      const done = run.append(f.bytes);
      if (done !== null) out += done.length;
    }
    const tail = run.take();
    if (tail !== null) out += tail.length;
  }
  if (out !== stream.length) throw new Error('lost bytes');
}

function pgParser() {
  const p = new Parser();
  let n = 0;
  for (const c of chunks) p.parse(c, () => n++);
}

const cells = new w.DataRowCells();
const replacement = new Map([[2, '***']]);
function maskRewrite() {
  for (let i = 0; i < 1000; i++) w.rewriteDataRow(row, replacement, cells.scan(row));
}
function maskDecodeAll() {
  for (let i = 0; i < 1000; i++) {
    const values = w.parseDataRow(row).values.map((v) => (v === null ? null : v.toString('utf8')));
    values[2] = '***';
    w.buildDataRow(values);
  }
}

const results = { frameReader: [], pgParser: [], maskRewrite: [], maskDecodeAll: [] };
for (let i = 0; i < RUNS; i++) {
  results.frameReader.push(rate(stream.length, frameReader));
  results.pgParser.push(rate(stream.length, pgParser));
  results.maskRewrite.push(rate(row.length * 1000, maskRewrite));
  results.maskDecodeAll.push(rate(row.length * 1000, maskDecodeAll));
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
process.stdout.write(
  [
    `framing  FrameReader+ForwardRun ${m.frameReader.toFixed(0)} MB/s, pg-protocol Parser ${m.pgParser.toFixed(0)} MB/s, ratio ${(m.frameReader / m.pgParser).toFixed(2)}x`,
    `masking  rewriteDataRow ${m.maskRewrite.toFixed(0)} MB/s, decode-all+rebuild ${m.maskDecodeAll.toFixed(0)} MB/s, ratio ${(m.maskRewrite / m.maskDecodeAll).toFixed(2)}x`,
    '',
  ].join('\n'),
);
