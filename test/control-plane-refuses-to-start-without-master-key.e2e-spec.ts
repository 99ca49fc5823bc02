import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

describe('control plane configuration at boot', () => {
  it('exits with one clear line and no stack trace when AIRLOCK_MASTER_KEY is missing outside dev mode', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres', AIRLOCK_HTTP_PORT: '0' };
    const res = spawnSync(process.execPath, ['apps/control-plane/dist/main.js'], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });
    expect(res.status).toBe(78);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^airlock: AIRLOCK_MASTER_KEY is not set: /);
  });

  it('names a malformed variable', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATABASE_URL: 'not a url', AIRLOCK_DEV_MODE: '1' };
    const res = spawnSync(process.execPath, ['apps/control-plane/dist/main.js'], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });
    expect(res.status).toBe(78);
    expect(res.stderr.trim()).toMatch(/^airlock: invalid configuration: DATABASE_URL: /);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });
});
