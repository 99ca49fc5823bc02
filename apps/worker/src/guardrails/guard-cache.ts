import type { SnapshotConnection } from '@airlock/contracts';
import { createGuard, type Decision, type EvaluateContext, type Guard } from '@airlock/sql-guard';
import type { PolicyIndex } from '../policy/policy-index';
import { rulesFor } from './snapshot-rules';

const INVALID_POLICY_RULE = { id: 'airlock.invalid-policy', name: 'invalid guardrail policy', message: 'airlock: this connection\'s guardrail rules could not be read; statements are blocked until the policy is fixed' };

/** A guard that blocks everything: a connection whose rules the worker cannot read fails closed. */
function failClosed(reason: string): Guard {
  return {
    evaluate: (): Decision => ({ verdict: 'block', rule: INVALID_POLICY_RULE, reason, statements: [], fingerprint: null }),
  };
}

interface Entry {
  index: PolicyIndex;
  guard: Guard;
}

/**
 * One guard per (connection, snapshot): built on first use, replaced when the snapshot changes.
 * Sessions share it, and with it the decision cache, so a worker parses each statement shape once.
 */
export class GuardCache {
  private readonly guards = new Map<string, Entry>();

  constructor(private readonly cacheSize?: number) {}

  /**
   * The guard for `connection` under `index` (the worker's current snapshot). A connection that the
   * current snapshot no longer has keeps the settings its session started with, under the current rules.
   */
  guardFor(connection: SnapshotConnection, index: PolicyIndex | undefined): Guard {
    const name = connection.name;
    const hit = this.guards.get(name);
    if (hit !== undefined && hit.index === index) return hit.guard;
    const conn = index?.connections.get(name) ?? connection;
    const { rules, invalid } = rulesFor(index?.snapshot.guardrailRules ?? [], name);
    const guard = invalid.length > 0
      ? failClosed(`invalid guardrail rules: ${invalid.join('; ')}`)
      : createGuard({ preset: conn.guardrails, rules, cacheSize: this.cacheSize });
    if (index !== undefined) this.guards.set(name, { index, guard });
    return guard;
  }

  evaluate(connection: SnapshotConnection, index: PolicyIndex | undefined, sql: string, ctx: EvaluateContext): Decision {
    return this.guardFor(connection, index).evaluate(sql, ctx);
  }
}
