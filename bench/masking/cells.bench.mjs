// Per-cell cost of the masking engine on the proxy bench's "pii" and "clean" cells: Masker.maskBytes
// on each column's cells in place, as the worker calls it, through the byte scanner (the default
// redact policy) and through the regex detectors it replaced (the same policy with a PRIVATE_KEY
// style other than redact, which no cell here holds: the engine then takes the detectors' path).
// CPU-time medians over interleaved runs; the machine is shared and noisy, compare within one run.
//
//   npx tsc -b libs/masking/tsconfig.build.json && node bench/masking/cells.bench.mjs [--rows 100000] [--runs 7]
import { parseArgs, require } from '../lib/common.mjs';
import { SHAPES } from './rows-model.mjs';

const { createMasker, defaultPolicy } = require('@airlock/masking');
const args = parseArgs();
const ROWS = Number(args.rows ?? 100_000);
const RUNS = Number(args.runs ?? 7);

const engines = {
  scanner: () => createMasker(defaultPolicy('bench-key')),
  detectors: () => createMasker({ ...defaultPolicy('bench-key'), entityStyles: { PRIVATE_KEY: 'partial' } }),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [];
for (const [name, shape] of Object.entries(SHAPES)) {
  // Every text cell of the shape, one Buffer per column (cells sit at offsets inside it, as in a frame).
  const columns = shape.fields.map((field, c) => {
    const values = Array.from({ length: ROWS }, (_, g) => Buffer.from(shape.row(g + 1)[c]));
    const starts = [];
    const ends = [];
    let pos = 0;
    for (const v of values) {
      starts.push(pos);
      ends.push((pos += v.length));
    }
    return { field, buf: Buffer.concat(values), starts, ends };
  });
  const fields = shape.fields.map((f) => ({ column: f.name, typeOid: f.typeOid }));
  const times = {};
  for (let r = 0; r < RUNS + 1; r++) {
    for (const [engine, make] of Object.entries(engines)) {
      const m = make();
      const plan = m.columnPlan(fields);
      columns.forEach((col, c) => {
        const t = process.cpuUsage();
        for (let k = 0; k < ROWS; k++) m.maskBytes(plan, c, col.buf, col.starts[k], col.ends[k]);
        const u = process.cpuUsage(t);
        // The first run warms up.
        if (r > 0) ((times[engine] ??= {})[col.field.name] ??= []).push(((u.user + u.system) * 1000) / ROWS);
      });
      m.takeCounts();
    }
  }
  lines.push(`${name}: ns per cell (median of ${RUNS})`);
  lines.push(`  ${'column'.padEnd(14)}${Object.keys(engines).map((e) => e.padStart(11)).join('')}`);
  for (const col of columns) {
    lines.push(`  ${col.field.name.padEnd(14)}${Object.keys(engines).map((e) => median(times[e][col.field.name]).toFixed(0).padStart(11)).join('')}`);
  }
  const row = (e) => columns.reduce((a, col) => a + median(times[e][col.field.name]), 0);
  lines.push(`  ${'row'.padEnd(14)}${Object.keys(engines).map((e) => row(e).toFixed(0).padStart(11)).join('')}`);
}
process.stdout.write(`masking engine per cell: ${ROWS} rows per shape, node ${process.version}\n${lines.join('\n')}\n`);
