// The worker's masking hooks on real DataRow frames, in process: the rows of bench/masking/proxy.mjs
// ("pii": every row rewritten; "clean": every text cell scanned, nothing to mask) through
// MaskingSession.onDataRow, next to what the relay does for every row anyway (frame it and
// forward it). No sockets, no Postgres: a steady figure to iterate on between proxy runs.
//
//   npx tsc -b tsconfig.build.json && node bench/masking/rows.bench.mjs [--rows 200000] [--runs 7] [--only pii|clean]
import { parseArgs } from '../lib/common.mjs';
import { SHAPES, buildDataRow, chunks, planned, relay } from './rows-model.mjs';

const args = parseArgs();
const ROWS = Number(args.rows ?? 200_000);
const RUNS = Number(args.runs ?? 7);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [];
for (const [name, shape] of Object.entries(SHAPES).filter(([n]) => !args.only || n === args.only)) {
  const data = chunks(shape, ROWS);
  const { hooks, plan } = await planned(shape);
  relay(data);
  relay(data, hooks, plan);
  const off = [];
  const on = [];
  for (let r = 0; r < RUNS; r++) {
    let t = process.cpuUsage();
    relay(data);
    t = process.cpuUsage(t);
    off.push((t.user + t.system) / 1000);
    t = process.cpuUsage();
    relay(data, hooks, plan);
    t = process.cpuUsage(t);
    on.push((t.user + t.system) / 1000);
    hooks.onCommandComplete(`SELECT ${ROWS}`);
  }
  const ns = (ms) => ((ms * 1e6) / ROWS).toFixed(0);
  const mOff = median(off);
  const mOn = median(on);
  lines.push(
    `${name.padEnd(6)} ${(data.bytes / ROWS).toFixed(0).padStart(4)} B/row  relay only ${ns(mOff).padStart(5)} ns/row  relay+masking ${ns(mOn).padStart(5)} ns/row  masking adds ${ns(mOn - mOff).padStart(5)} ns/row`,
  );
  const sample = hooks.onDataRow(data.chunks[0].subarray(0, buildDataRow(shape.row(1)).length), plan);
  lines.push(`       first row out: ${JSON.stringify((sample ?? buildDataRow(shape.row(1))).toString('latin1').replace(/[\0-\x1f]+/g, ' ').slice(0, 120))}`);
}
process.stdout.write(`masking hooks on DataRow frames: ${ROWS} rows per shape, ${RUNS} interleaved runs, CPU-time medians, node ${process.version}\n${lines.join('\n')}\n`);
