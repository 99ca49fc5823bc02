// Instructions per row and per masked cell of the worker's masking hooks, counted by callgrind:
// stable on this shared, noisy machine where wall-clock figures are not. Each configuration runs
// in two processes that differ only in the number of measured passes over the same frames; the
// difference divided by the extra rows is the steady-state cost (start-up, frame building and
// JIT warm-up cancel out).
//
//   npx tsc -b tsconfig.build.json && node bench/masking/instructions.mjs [--rows 20000] [--only pii|clean]
//
// "relay" is the per-row work the relay does anyway; "masking adds" is what the hooks add on top,
// and "per PII cell" divides it by the four PII cells of a "pii" row.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../lib/common.mjs';
import { SHAPES, chunks, planned, relay } from './rows-model.mjs';

const args = parseArgs();
const ROWS = Number(args.rows ?? 20_000);
const PII_CELLS = 4;

if (args.child) {
  // One measured configuration: warm up, then `passes` passes.
  const shape = SHAPES[args.shape];
  const data = chunks(shape, ROWS);
  const { hooks, plan } = await planned(shape);
  const masked = args.child === 'on';
  for (let w = 0; w < 3; w++) relay(data, masked ? hooks : null, plan);
  for (let p = 0; p < Number(args.passes); p++) relay(data, masked ? hooks : null, plan);
  process.exit(0);
}

function instructions(mode, shape, passes) {
  const self = fileURLToPath(import.meta.url);
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, self, '--child', mode, '--shape', shape, '--passes', String(passes), '--rows', String(ROWS)];
  const res = spawnSync('valgrind', args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /Collected : (\d+)/.exec(res.stderr);
  if (res.status !== 0 || !m) throw new Error(`callgrind failed (${res.status}):\n${res.stderr}`);
  return Number(m[1]);
}

const perRow = (mode, shape) => (instructions(mode, shape, 3) - instructions(mode, shape, 1)) / (2 * ROWS);
const lines = [];
for (const shape of Object.keys(SHAPES).filter((n) => !args.only || n === args.only)) {
  const off = perRow('off', shape);
  const on = perRow('on', shape);
  const pii = shape === 'pii' ? `  per PII cell ${((on - off) / PII_CELLS).toFixed(0).padStart(6)}` : '';
  lines.push(`${shape.padEnd(6)} relay ${off.toFixed(0).padStart(6)} instr/row  relay+masking ${on.toFixed(0).padStart(6)} instr/row  masking adds ${(on - off).toFixed(0).padStart(6)} instr/row${pii}`);
}
process.stdout.write(`callgrind instruction counts, ${ROWS} rows per pass, steady state (3 passes minus 1)\n${lines.join('\n')}\n`);
