/** The default policy and a stand-alone maskText for callers without a per-connection Masker. */
import { createMasker, type Masker, type MaskTextOptions } from './masker';
import { DETECTABLE_ENTITIES, type MaskingPolicy, type MaskTextResult } from './types';

/** All detectors on, `redact`, no rules: the default for every connection. */
export function defaultPolicy(hashKey: Buffer | string = 'airlock-default-preview-key'): MaskingPolicy {
  return { enabled: true, entities: [...DETECTABLE_ENTITIES], defaultStyle: 'redact', rules: [], hashKey };
}

export interface MaskTextWithPolicyOptions extends MaskTextOptions {
  /** Omitted: the default policy (everything on, redact). */
  policy?: MaskingPolicy;
}

let shared: Masker | undefined;

/** Free text (NoticeResponse/ErrorResponse fields, previews). Returns the masked text and the spans found in the input. */
export function maskText(text: string, opts: MaskTextWithPolicyOptions = {}): MaskTextResult {
  const { policy, ...rest } = opts;
  const m = policy ? createMasker(policy) : (shared ??= createMasker(defaultPolicy()));
  const res = m.maskText(text, rest);
  if (!policy) m.takeCounts();
  return res;
}
