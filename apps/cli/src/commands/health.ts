import { Command } from 'commander';

interface Probe {
  name: string;
  url: string;
}

/** `airlock health`: asks the control plane and a worker whether they are up. */
export function healthCommand(): Command {
  return new Command('health')
    .description('check that the control plane and a worker answer their /healthz')
    .option('--worker <url>', 'worker health URL', process.env.AIRLOCK_WORKER_HEALTH_URL ?? 'http://127.0.0.1:8081')
    .action(async (opts: { worker: string }, cmd: Command) => {
      const api = (cmd.optsWithGlobals() as { api: string }).api;
      const results = await Promise.all([probe({ name: 'control plane', url: `${api}/healthz` }), probe({ name: 'worker', url: `${opts.worker}/healthz` })]);
      for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'DOWN'}  ${r.name.padEnd(14)} ${r.detail}\n`);
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
}

export async function probe(p: Probe): Promise<{ name: string; ok: boolean; detail: string }> {
  try {
    const res = await fetch(p.url, { signal: AbortSignal.timeout(3000) });
    const body = await res.text();
    return { name: p.name, ok: res.ok, detail: `${p.url} ${res.status} ${body.slice(0, 200)}` };
  } catch (err) {
    return { name: p.name, ok: false, detail: `${p.url} unreachable (${(err as Error).message}); is it running? try: npm run quickstart` };
  }
}
