import { ENTITY_TYPES, type MaskCounts } from './types';

export function emptyCounts(): MaskCounts {
  const c = {} as MaskCounts;
  for (const e of ENTITY_TYPES) c[e] = 0;
  c.FULL = 0;
  c.ERROR = 0;
  return c;
}
