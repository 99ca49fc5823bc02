import { Command } from 'commander';
import { healthCommand } from './commands/health';

export const VERSION = '0.1.0';

/** The `airlock` command. Each subcommand lives in commands/. */
export function buildProgram(): Command {
  const program = new Command('airlock')
    .description('Airlock: access gateway for agents and people — the command line')
    .version(VERSION)
    .option('--api <url>', 'control plane URL', process.env.AIRLOCK_API_URL ?? 'http://127.0.0.1:8080')
    .showHelpAfterError();
  program.addCommand(healthCommand());
  return program;
}
