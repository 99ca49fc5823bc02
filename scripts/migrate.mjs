#!/usr/bin/env node
// Applies Prisma migrations (`prisma migrate deploy`) to DATABASE_URL.
// Prisma 6's WASM schema engine lingers ~10 s after it has finished; we wait for
// its final line and stop it then, keeping its exit status meaningful.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function migrate({ databaseUrl = process.env.DATABASE_URL, quiet = false } = {}) {
  if (!databaseUrl) return Promise.reject(new Error('airlock: DATABASE_URL is not set'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const onData = (chunk) => {
      out += chunk;
      if (!done && /All migrations have been successfully applied|No pending migrations to apply/.test(out)) {
        done = true;
        child.kill('SIGTERM');
        if (!quiet) process.stdout.write('airlock: migrations applied\n');
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      if (done) return;
      if (code === 0) return resolve();
      reject(new Error(`airlock: prisma migrate deploy failed (exit ${code}):\n${out.trim()}`));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  migrate().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
