import { describe, expect, it } from 'vitest';
import { formatPath, parseAirlockFile } from './config-file';

const env = { DEMO_PG_PASSWORD: 's3cret-from-env', OTHER: 'x' };

const good = `
connections:
  - name: demo
    kind: postgres
    host: 127.0.0.1
    port: 5432
    database: demo
    credentials:
      - profile: readonly
        username: demo_ro
        password: \${env:DEMO_PG_PASSWORD}
    policy:
      guardrails: STANDARD
      masking: true
serviceAccounts:
  - name: bot
grants:
  - subject: sa:bot
    connection: demo
    profile: readonly
`;

describe('parseAirlockFile', () => {
  it('parses a file, fills defaults and substitutes ${env:…} references', () => {
    const f = parseAirlockFile(good, 'airlock.yaml', env);
    expect(f.connections[0]).toMatchObject({ name: 'demo', kind: 'POSTGRES', pool: 'default', credentials: [{ profile: 'readonly', password: 's3cret-from-env' }] });
    expect(f.serviceAccounts).toEqual([{ name: 'bot' }]);
    expect(f.grants).toHaveLength(1);
  });

  it('names a missing environment variable and where it is referenced', () => {
    expect(() => parseAirlockFile(good, 'airlock.yaml', {})).toThrow(/^airlock: airlock\.yaml:11: connections\[0\]\.credentials\[0\]\.password references \$\{env:DEMO_PG_PASSWORD\}, but DEMO_PG_PASSWORD is not set/);
  });

  it('refuses a literal secret without echoing it', () => {
    const text = good.replace('${env:DEMO_PG_PASSWORD}', 'hunter2-literal');
    let message = '';
    try {
      parseAirlockFile(text, 'airlock.yaml', env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^airlock: airlock\.yaml:11: connections\[0\]\.credentials\[0\]\.password is a literal secret/);
    expect(message).toContain('${env:');
    expect(message).not.toContain('hunter2-literal');
  });

  it('refuses a secret that mixes a literal with a reference, and literal tokens and keys anywhere', () => {
    expect(() => parseAirlockFile(good.replace('${env:DEMO_PG_PASSWORD}', 'pre-${env:DEMO_PG_PASSWORD}'), 'f.yaml', env)).toThrow(/literal secret/);
    expect(() => parseAirlockFile(good.replace('username: demo_ro', 'token: abc'), 'f.yaml', env)).toThrow(/credentials\[0\]\.token is a literal secret/);
    expect(() => parseAirlockFile(good.replace('username: demo_ro', 'privateKey: 12345'), 'f.yaml', env)).toThrow(/privateKey is a literal secret/);
  });

  it('reports schema errors with their YAML path and line', () => {
    const text = good.replace('port: 5432', 'port: "five"').replace('subject: sa:bot', 'subject: bot').replace('masking: true', 'maskng: true');
    let message = '';
    try {
      parseAirlockFile(text, 'airlock.yaml', env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^airlock: airlock\.yaml is not a valid Airlock config/);
    expect(message).toMatch(/airlock\.yaml:6: connections\[0\]\.port: .*number/);
    expect(message).toMatch(/connections\[0\]\.policy: .*maskng/);
    expect(message).toMatch(/airlock\.yaml:\d+: grants\[0\]\.subject: must be sa:<name>/);
  });

  it('reports broken YAML with a line number', () => {
    expect(() => parseAirlockFile('connections:\n  - name: [oops\n', 'a.yaml', env)).toThrow(/^airlock: a\.yaml:\d+: not valid YAML/);
  });

  it('accepts an empty file as "nothing declared"', () => {
    expect(parseAirlockFile('', 'a.yaml', env)).toEqual({ connections: [], serviceAccounts: [], grants: [] });
  });

  it('formats paths', () => {
    expect(formatPath(['connections', 0, 'credentials', 1, 'password'])).toBe('connections[0].credentials[1].password');
    expect(formatPath([])).toBe('(top level)');
  });
});
