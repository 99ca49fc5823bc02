import type { SnapshotRule } from '@airlock/contracts';
import type { GuardrailRule } from '@airlock/sql-guard';
import { z } from 'zod';

// The control plane validates rules before it publishes them; the worker checks them again because
// it must never run a rule it misreads. sql-guard's own type is the contract (see policy-compiler.ts).
const Match = z
  .object({
    kinds: z.array(z.string()).optional(),
    objects: z.array(z.string()).optional(),
    functions: z.array(z.string()).optional(),
    identities: z.array(z.string()).optional(),
    groups: z.array(z.string()).optional(),
    writes: z.boolean().optional(),
    whereConstantOnly: z.boolean().optional(),
    missingWhere: z.boolean().optional(),
    findings: z.array(z.string()).optional(),
  })
  .strict();

const Rule = z.object({
  id: z.string(),
  name: z.string(),
  connection: z.string().nullable(),
  priority: z.number().int(),
  enabled: z.boolean(),
  action: z.enum(['allow', 'review', 'block']),
  message: z.string(),
  match: Match,
});

export interface RuleSet {
  rules: GuardrailRule[];
  /** Rules that failed the schema, as `name: reason`; a connection with any of them fails closed. */
  invalid: string[];
}

/** Global rules plus `connection`'s own, as sql-guard expects them. */
export function rulesFor(snapshotRules: readonly SnapshotRule[], connection: string): RuleSet {
  const rules: GuardrailRule[] = [];
  const invalid: string[] = [];
  for (const raw of snapshotRules) {
    if (raw.connection !== null && raw.connection !== connection) continue;
    const parsed = Rule.safeParse(raw);
    if (parsed.success) rules.push(parsed.data as GuardrailRule);
    else invalid.push(`${raw.name}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  }
  return { rules, invalid };
}
