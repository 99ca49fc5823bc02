import { Command, Option } from 'commander';

interface GqlResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One GraphQL call to the control plane, bearer token from AIRLOCK_TOKEN. */
export async function callApi<T>(api: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<T> {
  if (!token) throw new Error('airlock: set AIRLOCK_TOKEN to an API key or access token with the AUDITOR role');
  let res: Response;
  try {
    res = await fetch(`${api.replace(/\/$/, '')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new Error(`airlock: control plane at ${api} unreachable (${(err as Error).message})`);
  }
  const body = (await res.json().catch(() => ({}))) as GqlResult<T>;
  if (body.errors?.length) throw new Error(body.errors[0]!.message);
  if (!res.ok || !body.data) throw new Error(`airlock: control plane answered HTTP ${res.status}`);
  return body.data;
}

const VERIFY = 'query($id: ID!) { verifySession(id: $id) { sessionId ok firstBrokenSeq checked anchored } }';
const REVIEW = 'query($from: DateTime!, $to: DateTime!, $format: ReportFormat!, $connection: String, $subject: String) { accessReviewExport(from: $from, to: $to, format: $format, connection: $connection, subject: $subject) }';

function token(): string | undefined {
  return process.env.AIRLOCK_TOKEN;
}

function api(cmd: Command): string {
  return (cmd.optsWithGlobals() as { api: string }).api;
}

/** `airlock audit verify <sessionId>`: recomputes a session's hash chain on the control plane; exit 2 if broken. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('recorded sessions: tamper evidence');
  audit
    .command('verify')
    .description("verify a recorded session's hash chain and its anchor in the audit log")
    .argument('<sessionId>', 'session id')
    .action(async (sessionId: string, _opts: unknown, cmd: Command) => {
      const { verifySession: v } = await callApi<{ verifySession: { ok: boolean; firstBrokenSeq: number | null; checked: number; anchored: boolean } }>(api(cmd), token(), VERIFY, { id: sessionId });
      if (v.ok) process.stdout.write(`ok      session ${sessionId}: ${v.checked} events verify${v.anchored ? ', final hash matches its audit-log anchor' : ' (not anchored yet: session still open)'}\n`);
      else {
        process.stdout.write(`BROKEN  session ${sessionId}: first event that does not verify is seq ${v.firstBrokenSeq}\n`);
        process.exitCode = 2;
      }
    });
  return audit;
}

/** `airlock access-review --from --to [--format csv|json]`: the periodic access review, to stdout. */
export function accessReviewCommand(): Command {
  return new Command('access-review')
    .description('who held which access, and what they did with it, over a period')
    .requiredOption('--from <date>', 'start of the period (ISO date or date-time)')
    .requiredOption('--to <date>', 'end of the period, exclusive')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--connection <name>', 'only this connection')
    .option('--subject <subject>', 'only this subject (sa:<name>, user:<name>, group:<name>)')
    .action(async (opts: { from: string; to: string; format: string; connection?: string; subject?: string }, cmd: Command) => {
      const from = parseDate(opts.from, '--from');
      const to = parseDate(opts.to, '--to');
      const { accessReviewExport } = await callApi<{ accessReviewExport: string }>(api(cmd), token(), REVIEW, {
        from,
        to,
        format: opts.format.toUpperCase(),
        connection: opts.connection ?? null,
        subject: opts.subject ?? null,
      });
      process.stdout.write(accessReviewExport.endsWith('\n') ? accessReviewExport : `${accessReviewExport}\n`);
    });
}

function parseDate(v: string, flag: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`airlock: ${flag} ${v} is not a date (e.g. 2026-10-01 or 2026-10-01T00:00:00Z)`);
  return d.toISOString();
}
