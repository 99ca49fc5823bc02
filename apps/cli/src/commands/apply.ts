import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { execute, fetchState } from '../apply/apply';
import { parseAirlockFile } from '../apply/config-file';
import { plan, renderPlan } from '../apply/plan';
import { apiFrom } from '../lib/api';
import { CliError } from '../lib/errors';

interface ApplyOptions {
  file: string;
  dryRun?: boolean;
  prune?: boolean;
  rotateSecrets?: boolean;
}

/** `airlock apply -f airlock.yaml`: connections, service accounts and grants as code. */
export function applyCommand(): Command {
  return new Command('apply')
    .description('make the control plane match a config file (connections, policies, service accounts, grants)')
    .requiredOption('-f, --file <path>', 'the config file, e.g. airlock.yaml')
    .option('--dry-run', 'print what would change, change nothing')
    .option('--prune', 'also delete connections and revoke standing grants that the file does not list')
    .option('--rotate-secrets', 're-send every credential secret (secrets cannot be compared: the API never returns them)')
    .addHelpText(
      'after',
      '\nSecrets come from the environment, never the file: `password: ${env:DEMO_PG_PASSWORD}`.\nService accounts are created when missing; --prune never deletes them.',
    )
    .action(async (opts: ApplyOptions, cmd: Command) => {
      const api = apiFrom(cmd.optsWithGlobals<{ api: string }>());
      let text: string;
      try {
        text = await readFile(opts.file, 'utf8');
      } catch (err) {
        throw new CliError(`airlock: cannot read ${opts.file} (${(err as NodeJS.ErrnoException).code}): check the path given to -f`);
      }
      const desired = parseAirlockFile(text, opts.file);
      const p = plan(desired, await fetchState(api), { prune: opts.prune, rotateSecrets: opts.rotateSecrets });
      const write = (line: string) => process.stdout.write(`${line}\n`);
      if (!p.changes.length) {
        for (const w of p.warnings) write(`! ${w}`);
        write(`No changes: the control plane already matches ${opts.file}.`);
        return;
      }
      if (opts.dryRun) {
        process.stdout.write(renderPlan(p));
        write('Dry run: nothing was changed. Run without --dry-run to apply.');
        return;
      }
      await execute(api, p, write);
      for (const w of p.warnings) write(`! ${w}`);
      write(`Applied ${p.changes.length} change${p.changes.length === 1 ? '' : 's'} from ${opts.file}.`);
    });
}
