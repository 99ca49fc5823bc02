import { Command } from 'commander';
import { applyCommand } from './commands/apply';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/auth';
import { accessReviewCommand, auditCommand } from './commands/audit';
import { healthCommand } from './commands/health';
import { connectionsCommand, grantsCommand, workersCommand } from './commands/list';

export const VERSION = '0.1.0';

/** The `airlock` command. Each subcommand lives in commands/. */
export function buildProgram(): Command {
  const program = new Command('airlock')
    .description('Airlock: access gateway for agents and people — the command line')
    .version(VERSION)
    .option('--api <url>', 'control plane URL', process.env.AIRLOCK_API_URL ?? 'http://127.0.0.1:8080')
    .showHelpAfterError();
  program.addCommand(healthCommand());
  program.addCommand(auditCommand());
  program.addCommand(accessReviewCommand());
  program.addCommand(loginCommand());
  program.addCommand(logoutCommand());
  program.addCommand(whoamiCommand());
  program.addCommand(applyCommand());
  program.addCommand(connectionsCommand());
  program.addCommand(grantsCommand());
  program.addCommand(workersCommand());
  // Commander's own usage errors follow the house form too (addCommand does not inherit output settings).
  for (const cmd of [program, ...program.commands]) {
    cmd.showHelpAfterError().configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'airlock: ')) });
  }
  return program;
}
