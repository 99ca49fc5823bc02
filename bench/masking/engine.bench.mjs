// Masking engine throughput on a realistic result-set mix (most cells clean).
// Run: npx tsc -b libs/masking/tsconfig.build.json && node bench/masking/engine.bench.mjs [cells] [runs]
// Prints medians over interleaved runs (this machine is noisy: compare within one run).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { createMasker, defaultPolicy } = require('../../libs/masking/dist/index.js');
const { Fake } = require('../../libs/masking/dist/corpus/fakes.js');

const CELLS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 5);
const strip = (s) => s.replace(/«[A-Z_]+\|([\s\S]*?)»/g, '$1');

// A users/orders-like result set: 8 columns, as a worker sees them after RowDescription.
const COLUMNS = [
  { column: 'id', typeOid: 23 },
  { column: 'full_name', typeOid: 25 },
  { column: 'contact', typeOid: 25 },
  { column: 'status', typeOid: 1043 },
  { column: 'notes', typeOid: 25 },
  { column: 'created_at', typeOid: 1184 },
  { column: 'amount', typeOid: 1700 },
  { column: 'meta', typeOid: 3802 },
];

function buildRows(n, seed) {
  const f = new Fake(seed);
  const notesClean = [
    () => `Customer asked about delivery window, order ${f.int(10000, 99999)} shipped ${f.timestamp()}.`,
    () => `Follow up next week; prefers ${f.pick(['morning', 'afternoon'])} calls.`,
    () => `Upgraded to ${f.pick(['pro', 'team', 'enterprise'])} plan (v${f.int(1, 4)}.${f.int(0, 9)}).`,
    () => '',
    () => `Ticket ${f.uuid()} resolved.`,
  ];
  const notesPii = [() => strip(`Reach me at ${f.email()} or ${f.phone()}`), () => strip(`Card ${f.card()} declined`), () => strip(`IBAN ${f.iban()}`)];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const r = f.rand();
    rows.push([
      String(i + 1),
      f.name(),
      // one contact column in ten holds an email (a CRM "contact" free-text field)
      r < 0.1 ? f.emailRaw() : f.pick(['via reseller', 'self-serve', 'partner: Acme GmbH', 'n/a']),
      f.pick(['active', 'pending', 'closed']),
      r > 0.95 ? f.pick(notesPii)() : f.pick(notesClean)(),
      `${f.timestamp()}`,
      `${f.int(1, 99999)}.${f.digits(2)}`,
      r > 0.97 ? strip(`{"owner":${JSON.stringify(f.emailRaw())},"tags":["vip"]}`) : `{"tags":["${f.pick(['b2b', 'b2c', 'trial'])}"],"score":${f.int(1, 100)},"seen":${f.epoch()}}`,
    ].map((v) => Buffer.from(v, 'utf8')));
  }
  return rows;
}

const rows = buildRows(Math.ceil(CELLS / COLUMNS.length), 7);
const totalBytes = rows.reduce((a, r) => a + r.reduce((b, c) => b + c.length, 0), 0);
const totalCells = rows.length * COLUMNS.length;

function run(masker) {
  const plan = masker.columnPlan(COLUMNS);
  let changed = 0;
  const t0 = performance.now();
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) if (masker.maskCell(plan, c, row[c]).changed) changed++;
  }
  const ms = performance.now() - t0;
  masker.takeCounts();
  return { ms, changed };
}

/** Every cell scanned as text: the worst case (no type-based skipping). */
function runAllText(masker) {
  const plan = masker.columnPlan(COLUMNS.map((c) => ({ ...c, typeOid: 25 })));
  const t0 = performance.now();
  for (const row of rows) for (let c = 0; c < row.length; c++) masker.maskCell(plan, c, row[c]);
  return { ms: performance.now() - t0 };
}

function baseline() {
  // Touch every cell the way a proxy must anyway (length read): the floor.
  let n = 0;
  const t0 = performance.now();
  for (const row of rows) for (let c = 0; c < row.length; c++) n += row[c].length;
  return { ms: performance.now() - t0, n };
}

const cleanRows = rows.map((r) => [r[1], r[3]]); // names and statuses: nothing to find
const cleanCells = cleanRows.length * 2;
const cleanBytes = cleanRows.reduce((a, r) => a + r[0].length + r[1].length, 0);
function runClean(masker) {
  const plan = masker.columnPlan([{ column: 'full_name', typeOid: 25 }, { column: 'status', typeOid: 25 }]);
  const t0 = performance.now();
  for (const row of cleanRows) for (let c = 0; c < 2; c++) masker.maskCell(plan, c, row[c]);
  return { ms: performance.now() - t0, cells: cleanCells, bytes: cleanBytes };
}

const scenarios = {
  'clean text cells only (fast path)': () => runClean(createMasker(defaultPolicy('bench-key'))),
  'masking on, redact (typed plan)': () => run(createMasker(defaultPolicy('bench-key'))),
  'masking on, hash (typed plan)': () => run(createMasker({ ...defaultPolicy('bench-key'), defaultStyle: 'hash' })),
  'masking on, every column as text': () => runAllText(createMasker(defaultPolicy('bench-key'))),
  'policy disabled': () => run(createMasker({ ...defaultPolicy('bench-key'), enabled: false })),
  'baseline (no masker)': () => baseline(),
};
const results = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
const sizes = {};
// CPU time as well as wall time: on a shared, loaded machine wall time includes time spent descheduled.
const cpuResults = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
let changed = 0;
scenarios['masking on, redact (typed plan)'](); // warm-up
for (let i = 0; i < RUNS; i++) {
  for (const [name, fn] of Object.entries(scenarios)) {
    const cpu0 = process.cpuUsage();
    const r = fn();
    const cpu = process.cpuUsage(cpu0);
    results[name].push(r.ms);
    cpuResults[name].push((cpu.user + cpu.system) / 1000);
    sizes[name] = { cells: r.cells ?? totalCells, bytes: r.bytes ?? totalBytes };
    if (r.changed !== undefined && name.includes('redact')) changed = r.changed;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(
  `masking engine: ${totalCells.toLocaleString()} cells, ${(totalBytes / 1e6).toFixed(1)} MB, ${(changed / totalCells * 100).toFixed(1)}% of cells masked, ${RUNS} interleaved runs, node ${process.version}\n`,
);
for (const [name, ms] of Object.entries(results)) {
  const m = median(ms);
  const c = median(cpuResults[name]);
  const { cells, bytes } = sizes[name];
  process.stdout.write(
    `${name.padEnd(36)} ${cells.toLocaleString().padStart(9)} cells  wall ${m.toFixed(0).padStart(5)} ms  ${(cells / m / 1000).toFixed(2).padStart(6)} M cells/s  ${(bytes / 1e6 / (m / 1000)).toFixed(0).padStart(5)} MB/s  ${((m * 1e6) / cells).toFixed(0).padStart(5)} ns/cell | cpu ${c.toFixed(0).padStart(5)} ms  ${((c * 1e6) / cells).toFixed(0).padStart(5)} ns/cell\n`,
  );
}
