import requireRoles from './require-roles.mjs';

/** Airlock's own lint rules, registered in eslint.config.mjs as the `airlock` plugin. */
export default {
  meta: { name: 'airlock' },
  rules: { 'require-roles': requireRoles },
};
