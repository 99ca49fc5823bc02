// pgbench, the way the proxy benches run it: -S (select only) against a target given as PG*
// environment variables, parsed into TPS, mean latency and the proxy's CPU per transaction.
import { PG, cpuSeconds, run } from './common.mjs';

/** pgbench -i -s 1 straight to Postgres (it drops and creates tables: never through a proxy). */
export const pgbenchInit = (db) => run('pgbench', ['-i', '-q', '-s', '1', '-h', PG.host, '-U', PG.user, db]);

/** 200 transactions per target, unmeasured: connections, JIT and caches warm. */
export async function pgbenchWarmUp(targets) {
  for (const t of Object.values(targets)) await run('pgbench', ['-n', '-S', '-t', '200'], { env: { ...process.env, ...t } });
}

/** Parses pgbench's summary. */
export const parsePgbench = (stdout) => ({
  tps: Number(/tps = ([\d.]+)/.exec(stdout)?.[1]),
  lat: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]),
  txns: Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]),
});

/**
 * pgbench -n -S -M mode -c clients -T seconds against env. pid: the proxy's process, for its CPU
 * µs per transaction (the whole process, and its main thread) (0 without one). retries: runs again after a failure (a shared machine:
 * someone else's test may terminate backends mid-run), saying so.
 */
export async function pgbench({ env, mode, clients, seconds, pid, retries = 0 }) {
  try {
    const cpu0 = cpuSeconds(pid);
    const main0 = cpuSeconds(pid, pid);
    const { stdout } = await run('pgbench', ['-n', '-S', '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds)], { env: { ...process.env, ...env } });
    const r = parsePgbench(stdout);
    // Worker CPU per transaction: what the proxy costs, independent of what else loads the machine.
    // mainCpuUs: the main thread's part, where the sessions run (the rest is Node's and Airlock's other threads).
    return { ...r, cpuUs: pid === undefined ? 0 : ((cpuSeconds(pid) - cpu0) / r.txns) * 1e6, mainCpuUs: pid === undefined ? 0 : ((cpuSeconds(pid, pid) - main0) / r.txns) * 1e6 };
  } catch (err) {
    if (retries === 0) throw err;
    process.stdout.write(`pgbench failed (${String(err.message).split('\n')[1] ?? err.message}); retrying\n`);
    return pgbench({ env, mode, clients, seconds, pid, retries: retries - 1 });
  }
}

/** pgbench's connection environment straight to Postgres. */
export const directTarget = (db) => ({ PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user, PGDATABASE: db });

/** pgbench's connection environment through a worker's Postgres listener, as the bench service account. */
export const workerTarget = (port, apiKey, connection = 'bench') => ({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'bench', PGPASSWORD: apiKey, PGDATABASE: connection, PGSSLMODE: 'disable' });
