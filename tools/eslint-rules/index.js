// Nx's ESLint plugin loads workspace rules from tools/eslint-rules by
// convention (as @nx/workspace-<name>); eslint.config.mjs registers the same
// rules through plugin.mjs. CommonJS because that loader require()s this file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = { rules: { 'require-roles': require('./require-roles.mjs').default } };
