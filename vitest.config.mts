import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const __dirname = path.dirname(fileURLToPath(import.meta.url));

const libs = ['contracts', 'pg-wire', 'sql-guard', 'masking', 'audit', 'identity'];
const apps = ['control-plane', 'worker', 'cli', 'dev-idp'];

// Tests run against library sources, never a stale dist/.
const alias = {
  ...Object.fromEntries(libs.map((l) => [`@airlock/${l}`, path.resolve(__dirname, `libs/${l}/src/index.ts`)])),
  '@airlock/testing': path.resolve(__dirname, 'test/support/index.ts'),
};

const unit = (dir: string, name: string) => ({
  extends: true as const,
  test: { name, root: path.resolve(__dirname, dir), include: ['src/**/*.spec.ts'] },
});

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: [path.resolve(__dirname, 'test/support/global-setup.ts')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      ...libs.map((l) => unit(`libs/${l}`, l)),
      ...apps.map((a) => unit(`apps/${a}`, a)),
      { extends: true, test: { name: 'tools', root: path.resolve(__dirname, 'tools'), include: ['**/*.spec.ts'] } },
      {
        extends: true,
        test: { name: 'e2e', root: path.resolve(__dirname, 'test'), include: ['**/*.e2e-spec.ts'], testTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
});
