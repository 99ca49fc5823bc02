import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgHarness, type PgHarness } from './harness';

const run = promisify(execFile);

describe('psql and pgbench through the worker', () => {
  let h: PgHarness;
  const dir = mkdtempSync(path.join(tmpdir(), 'airlock-psql-'));
  beforeAll(async () => {
    h = await startPgHarness();
    // pgbench -i drops and creates tables: run it against Postgres directly (NOTES).
    await run('pgbench', ['-i', '-s', '1', '-q', '-h', '127.0.0.1', '-U', 'postgres', h.db.name]);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a scripted psql session with \\copy in and out', async () => {
    const input = path.join(dir, 'in.tsv');
    const output = path.join(dir, 'out.tsv');
    writeFileSync(input, Array.from({ length: 1000 }, (_, i) => `${i}\tname ${i}\n`).join(''));
    const script = `
CREATE TABLE agents (id int PRIMARY KEY, name text);
\\copy agents FROM '${input}'
SELECT count(*) AS n FROM agents \\gset
\\echo rows=:n
BEGIN;
UPDATE agents SET name = upper(name) WHERE id < 10;
SAVEPOINT s1;
INSERT INTO agents VALUES (5000, 'x');
ROLLBACK TO s1;
COMMIT;
\\copy (SELECT * FROM agents ORDER BY id) TO '${output}'
SELECT name FROM agents WHERE id = 3;
SELECT $$dollar 'quoted'$$ AS q;
\\echo done
`;
    const child = execFile('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { env: h.env(), encoding: 'utf8' });
    child.stdin!.end(script);
    const result = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('rows=1000');
    expect(result.out).toContain('NAME 3');
    expect(result.out).toContain("dollar 'quoted'");
    expect(result.out).toContain('done');
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[3]).toBe('3\tNAME 3');
  });

  it('psql stops on the first error with ON_ERROR_STOP', async () => {
    const err = await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', 'SELECT 1/0', '-c', 'SELECT 1'], { env: h.env(), encoding: 'utf8' }).catch((e) => e as { code: number; stderr: string });
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain('division by zero');
  });

  for (const mode of ['simple', 'extended', 'prepared']) {
    it(`pgbench -S -M ${mode} -t 200`, async () => {
      const { stdout } = await run('pgbench', ['-n', '-S', '-M', mode, '-t', '200', '-c', '4'], { env: h.env(), encoding: 'utf8' });
      expect(stdout).toMatch(/number of transactions actually processed: 800\/800/);
      expect(stdout).toMatch(/number of failed transactions: 0/);
    });
  }
});
