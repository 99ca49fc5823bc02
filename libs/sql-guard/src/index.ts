export { initSqlGuard, isSqlGuardReady, classify } from './classify';
export { createGuard, decide, rulesForPreset } from './guard';
export { STANDARD_RULES } from './presets';
export { shapeKey } from './shape';
export type {
  Verdict, StatementKind, FindingCode, Finding, StatementInfo, Classification, GuardrailMatch, GuardrailRule,
  Preset, RuleRef, StatementDecision, Decision, EvaluateContext, GuardOptions, Guard,
} from './types';
export { VERDICT_RANK } from './types';
