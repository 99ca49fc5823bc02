import os from 'node:os';
import path from 'node:path';

/** Where the CLI keeps its state: AIRLOCK_CONFIG_DIR, else $XDG_CONFIG_HOME/airlock, else ~/.config/airlock. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRLOCK_CONFIG_DIR) return env.AIRLOCK_CONFIG_DIR;
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'airlock');
}

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'credentials.json');
}
