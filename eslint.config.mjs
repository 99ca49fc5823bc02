import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import airlock from './tools/lint-rules/plugin.mjs';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.nx/**', 'tmp/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@airlock/testing'],
          banTransitiveDependencies: false,
          depConstraints: [
            // Libraries are shared utilities: they never reach into an app.
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:control-plane', onlyDependOnLibsWithTags: ['scope:shared', 'scope:control-plane'] },
            { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:shared', 'scope:worker'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared', 'scope:cli'] },
            { sourceTag: 'scope:dev', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dev'] },
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared', 'scope:console'] },
            // Policy engines run unchanged in a worker, a dry-run and a unit test: no framework, no I/O.
            {
              sourceTag: 'policy:pure',
              onlyDependOnLibsWithTags: ['scope:shared'],
              bannedExternalImports: ['@nestjs/*', '@prisma/*', 'prisma', 'ioredis', 'bullmq', 'pg', 'node:net', 'node:fs', 'node:http'],
            },
          ],
        },
      ],
    },
  },
  {
    // Nest reads constructor types at run time (emitDecoratorMetadata): an `import type` there breaks DI.
    files: ['apps/control-plane/**/*.ts'],
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
  },
  {
    files: ['libs/**/*.ts', 'apps/worker/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Every GraphQL operation says who may run it (tools/lint-rules/require-roles.mjs).
    files: ['apps/control-plane/src/**/*.ts'],
    plugins: { airlock },
    rules: { 'airlock/require-roles': 'error' },
  },
];
