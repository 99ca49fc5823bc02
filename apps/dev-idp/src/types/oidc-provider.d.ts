// oidc-provider ships no type declarations and @types/oidc-provider is not installed; its surface is used
// through the narrow local interfaces in ../provider-types.ts.
declare module 'oidc-provider';
