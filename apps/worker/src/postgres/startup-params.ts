/**
 * Which startup parameters a client's StartupMessage may pass on to the target.
 *
 * Only session settings every role may change with SET are forwarded (lower-case names; Postgres
 * compares setting names case-insensitively). Anything else is dropped: `replication`, `role`,
 * `session_authorization` and settings that need privileges never reach the target.
 *
 * `options` itself is never forwarded; its `-c name=value` / `--name=value` switches are read the
 * way Postgres reads them (pg_split_opts: whitespace separates, a backslash escapes the next
 * character) and each allowed setting is forwarded as its own startup parameter, which Postgres
 * treats the same. Explicit startup parameters win over `options`, as in Postgres.
 */
const SESSION_SETTINGS = new Set([
  'application_name',
  'client_encoding',
  'datestyle',
  'timezone',
  'extra_float_digits',
  'intervalstyle',
  'bytea_output',
  'search_path',
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'idle_session_timeout',
  'default_transaction_isolation',
  'default_transaction_read_only',
  'default_transaction_deferrable',
]);

export function allowedSetting(name: string): boolean {
  return SESSION_SETTINGS.has(name.toLowerCase());
}

/** Splits an `options` value like Postgres' pg_split_opts. */
export function splitOptions(options: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const ch = options[i]!;
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '\\' && i + 1 < options.length) cur += options[++i];
    else cur += ch;
  }
  if (inWord) out.push(cur);
  return out;
}

/** The `name=value` settings an `options` value carries (`-c x=y`, `-cx=y`, `--x=y`); other switches are ignored. */
export function optionSettings(options: string): Array<[string, string]> {
  const words = splitOptions(options);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let setting: string | undefined;
    if (w === '-c') setting = words[++i];
    else if (w.startsWith('-c')) setting = w.slice(2);
    else if (w.startsWith('--')) setting = w.slice(2);
    if (!setting) continue;
    const eq = setting.indexOf('=');
    if (eq <= 0) continue;
    // Postgres accepts '-' for '_' in names given on the command line.
    out.push([setting.slice(0, eq).replace(/-/g, '_'), setting.slice(eq + 1)]);
  }
  return out;
}

/** The parameters to send upstream, and the names that were dropped (for the log). */
export function upstreamParameters(params: Readonly<Record<string, string | undefined>>): { params: Record<string, string>; dropped: string[] } {
  const out: Record<string, string> = {};
  const dropped: string[] = [];
  const set = (name: string, value: string) => {
    for (const k of Object.keys(out)) if (k.toLowerCase() === name.toLowerCase()) delete out[k];
    out[name] = value;
  };
  if (params['options'] !== undefined) {
    for (const [name, value] of optionSettings(params['options'])) {
      if (allowedSetting(name)) set(name, value);
      else dropped.push(`options:${name}`);
    }
  }
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || name === 'user' || name === 'database' || name === 'options' || name.startsWith('_pq_.')) continue;
    if (allowedSetting(name)) set(name, value);
    else dropped.push(name);
  }
  return { params: out, dropped };
}
