/** Glob → RegExp: `*` matches within one dotted part, `**` matches anything, `?` one character. Case-insensitive. */
const cache = new Map<string, RegExp>();

export function globMatch(glob: string, value: string): boolean {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\?/g, '.')).join('[^.]*'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    cache.set(glob, re);
  }
  return re.test(value);
}

/** Names an unqualified reference may stand for: `t` is `public.t` and `*.t`; qualified names are themselves. */
export function candidates(name: string, defaultSchema: string): string[] {
  return name.includes('.') ? [name] : [name, `${defaultSchema}.${name}`];
}

/**
 * Does a pattern list cover a name? An unqualified name matches a pattern `public.t` (its likely
 * schema) and `*.t` (any schema); a pattern without a dot matches the bare name in any schema.
 */
export function anyGlob(globs: readonly string[], name: string, defaultSchema: string): boolean {
  const bare = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  return globs.some((g) => {
    if (!g.includes('.')) return globMatch(g, bare);
    return candidates(name, defaultSchema).some((c) => globMatch(g, c));
  });
}
