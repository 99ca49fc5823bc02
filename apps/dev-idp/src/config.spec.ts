import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the documented quickstart values', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      issuer: 'http://127.0.0.1:8090',
      port: 8090,
      host: '127.0.0.1',
      audience: 'airlock',
      agentSecret: 'demo-agent-dev-secret',
      passwords: { alice: 'alice-dev-password', bob: 'bob-dev-password' },
      consoleRedirects: [],
      defaults: { agentSecret: true, alice: true, bob: true },
    });
    expect(c.dataDir).toMatch(/\.airlock[\\/]dev-idp$/);
  });

  it('reads every override from the environment', () => {
    const c = loadConfig({
      OIDC_ISSUER: 'http://localhost:9999/',
      DEV_IDP_PORT: '19999',
      DEV_IDP_HOST: '0.0.0.0',
      OIDC_AUDIENCE: 'airlock-test',
      DEV_IDP_DATA_DIR: '/tmp/x',
      DEV_IDP_AGENT_SECRET: 's3cret',
      DEV_IDP_ALICE_PASSWORD: 'a',
      DEV_IDP_BOB_PASSWORD: 'b',
      DEV_IDP_CONSOLE_REDIRECTS: 'http://127.0.0.1:3000/cb, http://127.0.0.1:4000/cb',
    });
    expect(c).toMatchObject({
      issuer: 'http://localhost:9999',
      port: 19999,
      host: '0.0.0.0',
      audience: 'airlock-test',
      dataDir: '/tmp/x',
      agentSecret: 's3cret',
      passwords: { alice: 'a', bob: 'b' },
      consoleRedirects: ['http://127.0.0.1:3000/cb', 'http://127.0.0.1:4000/cb'],
      defaults: { agentSecret: false, alice: false, bob: false },
    });
  });

  it('takes the listen port from OIDC_ISSUER when DEV_IDP_PORT is unset', () => {
    expect(loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:18090' }).port).toBe(18090);
  });

  it('fails fast on bad values', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'not a url' })).toThrow(/^airlock: .*OIDC_ISSUER/);
    expect(() => loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:8090/idp' })).toThrow(/without a path/);
    expect(() => loadConfig({ DEV_IDP_PORT: 'eighty' })).toThrow(/DEV_IDP_PORT/);
    expect(() => loadConfig({ DEV_IDP_CONSOLE_REDIRECTS: 'nope' })).toThrow(/DEV_IDP_CONSOLE_REDIRECTS/);
  });
});
