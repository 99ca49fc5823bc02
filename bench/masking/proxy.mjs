// Masking through the proxy: a 1M-row result read directly, through a worker with masking off,
// and through the same worker with masking on (every detector, style redact), in one run.
//
//   npx tsc -b apps/worker/tsconfig.build.json   (the bench runs the built worker)
//   node bench/masking/proxy.mjs [--reps 3] [--rows 1000000]
//
// Two results: "pii" — every row holds an email, a phone, a card and a note with an email in it
// (the worst case: every row is rewritten) — and "clean" — text columns with nothing to mask
// (the common case: every cell is scanned, no row is rewritten). Targets are interleaved within
// each repetition; medians over repetitions. Needs the local Postgres (trust on 127.0.0.1:5432)
// and Redis. Goal: masking on keeps >= 60% of the unmasked proxy's throughput.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PG, benchMain, createDatabase, parseArgs, requireBuilt } from '../lib/common.mjs';
import { readResult } from '../lib/read-result.mjs';
import { interleave, median, pad } from '../lib/stats.mjs';
import { benchKeys, benchSnapshot, builtLibs, pgConnection, publishSnapshot, startWorkerProcess } from '../lib/worker.mjs';

const args = parseArgs();
const REPS = Number(args.reps ?? 3);
const ROWS = Number(args.rows ?? 1_000_000);
/** --profile <dir>: the worker writes a V8 CPU profile there when it exits. */
const PROFILE = args.profile;

const workerMain = requireBuilt('apps/worker/dist/main.js');

const QUERIES = {
  pii: `SELECT g AS id, 'user' || g || '@example.com' AS email, '+1 (415) 555-' || lpad((g % 10000)::text, 4, '0') AS phone,
    '4111111111111111' AS card, 'called about order ' || g || '; reply to user' || g || '@example.com' AS notes,
    (g::int8 * 7919) % 1000000 AS balance_cents, now() AS created_at FROM generate_series(1, ${ROWS}) g`,
  clean: `SELECT g AS id, 'customer ' || g AS name, 'status shipped, tracking pending, warehouse B' AS notes,
    repeat('lorem ipsum ', 8) AS body, (g::int8 * 7919) % 1000000 AS balance_cents, now() AS created_at FROM generate_series(1, ${ROWS}) g`,
};

benchMain(async ({ db, prefix, work, cleanups }) => {
  await createDatabase(db, cleanups);

  const { pool, key } = benchKeys();
  const conn = (name, masking) =>
    pgConnection({ name, db, pool, masking, maskingKeySealed: builtLibs().contracts.seal(randomBytes(32).toString('base64'), pool.publicKey) });
  await publishSnapshot(prefix, benchSnapshot({ key, connections: [conn('masked', true), conn('clear', false)] }), cleanups);
  const { port } = await startWorkerProcess({
    entry: workerMain, nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [],
    prefix, privateKey: pool.privateKey, stateDir: path.join(work, 'worker'), cleanups,
  });

  const targets = {
    direct: (sql) => readResult(PG.port, db, PG.user, '', sql),
    'masking off': (sql) => readResult(port, 'clear', 'bench', key.key, sql),
    'masking on': (sql) => readResult(port, 'masked', 'bench', key.key, sql),
  };
  const cells = Object.entries(QUERIES).filter(([q]) => !args.only || q === args.only);
  const results = await interleave({ reps: REPS, cells, names: Object.keys(targets), measure: (t, sql) => targets[t](sql) });

  const lines = [`${ROWS} rows per result, ${REPS} interleaved repetitions, medians. ratio = throughput vs masking off (goal >= 0.60); +ttfr = time to first row added vs direct`];
  lines.push(pad('result', 8) + pad('target', 13) + pad('rows/s', 11) + pad('MB/s', 8) + pad('vs direct', 11) + pad('vs off', 8) + pad('ttfr ms', 9) + '+ttfr ms');
  for (const [q, byTarget] of Object.entries(results)) {
    const rps = (t) => median(byTarget[t].map((r) => r.rows / (r.ms / 1000)));
    const mbs = (t) => median(byTarget[t].map((r) => r.bytes / 1e6 / (r.ms / 1000)));
    const ttfr = (t) => median(byTarget[t].map((r) => r.first));
    for (const t of Object.keys(targets)) {
      lines.push(
        pad(q, 8) + pad(t, 13) + pad(rps(t).toFixed(0), 11) + pad(mbs(t).toFixed(1), 8) + pad((rps(t) / rps('direct')).toFixed(2), 11) +
          pad(t === 'direct' ? '' : (rps(t) / rps('masking off')).toFixed(2), 8) + pad(ttfr(t).toFixed(2), 9) + (t === 'direct' ? '' : (ttfr(t) - ttfr('direct')).toFixed(2)),
      );
    }
    lines.push(`  first masked row: ${JSON.stringify(byTarget['masking on'][0].sample.replace(/[\0-\x1f]+/g, ' ').slice(0, 160))}`);
  }
  process.stdout.write('\n' + lines.join('\n') + '\n');
});
