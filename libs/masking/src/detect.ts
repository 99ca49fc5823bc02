/** Runs the detectors a prefilter allows and resolves overlaps into a sorted, disjoint span list. */
import { detectBarePhone, detectBareSsn, detectCard, detectEmail, detectIban, detectIpv4, detectIpv6, detectPhone, detectSsn, type DetectContext, type Detector } from './detectors';
import { F_AT, F_B64_40, F_BARE, F_COLON, F_DIG7, F_ESCAPE, F_IBAN, F_IPV4, F_LONG, F_PEM, F_TOKEN } from './prefilter';
import { detectAws, detectJwt, detectPem, detectTokens } from './secrets';
import { type EntityType, type Span } from './types';
import { countDigits } from './validators';

interface Entry {
  /** Prefilter flags any of which make this detector worth running. */
  flags: number;
  entities: readonly EntityType[];
  run: Detector;
}

// F_ESCAPE never reaches here for plain text; JSON leaves are decoded before detection.
const ALL = F_AT | F_IPV4 | F_DIG7 | F_LONG | F_BARE | F_IBAN | F_TOKEN | F_B64_40 | F_COLON | F_PEM | F_ESCAPE;

const TABLE: readonly Entry[] = [
  { flags: F_PEM, entities: ['PRIVATE_KEY'], run: detectPem },
  { flags: F_TOKEN, entities: ['JWT'], run: detectJwt },
  { flags: F_TOKEN, entities: ['GITHUB_TOKEN', 'GITLAB_TOKEN', 'SLACK_TOKEN'], run: detectTokens },
  { flags: F_TOKEN | F_B64_40, entities: ['AWS_ACCESS_KEY', 'AWS_SECRET_KEY'], run: detectAws },
  { flags: F_AT, entities: ['EMAIL'], run: detectEmail },
  { flags: F_DIG7 | F_LONG, entities: ['CARD'], run: detectCard },
  { flags: F_DIG7, entities: ['SSN'], run: detectSsn },
  { flags: F_BARE, entities: ['SSN'], run: detectBareSsn },
  { flags: F_DIG7, entities: ['PHONE'], run: detectPhone },
  { flags: F_BARE, entities: ['PHONE'], run: detectBarePhone },
  { flags: F_IBAN, entities: ['IBAN'], run: detectIban },
  { flags: F_IPV4, entities: ['IP'], run: detectIpv4 },
  { flags: F_COLON, entities: ['IP'], run: detectIpv6 },
];

export class Detection {
  private readonly entries: readonly Entry[];
  readonly enabled: ReadonlySet<EntityType>;
  /** Every detector's every entity is on: no need to filter what they report. */
  private readonly allEnabled: boolean;

  constructor(entities: readonly EntityType[]) {
    this.enabled = new Set(entities);
    this.entries = TABLE.filter((e) => e.entities.some((x) => this.enabled.has(x)));
    this.allEnabled = TABLE.every((e) => e.entities.every((x) => this.enabled.has(x)));
  }

  /** Flags that matter for this policy: a cell whose prefilter result misses all of them is clean. */
  get relevantFlags(): number {
    return this.entries.reduce((f, e) => f | e.flags, 0) | (this.entries.length ? F_ESCAPE : 0);
  }

  /** `flags` from the prefilter, or ALL to run everything that is enabled. */
  find(text: string, flags: number = ALL, ctx: DetectContext = {}, deadline = Infinity): Span[] {
    const found: Span[] = [];
    const c: DetectContext = { hint: ctx.hint, digits: flags & (F_DIG7 | F_LONG | F_BARE) ? countDigits(text) : undefined };
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i].flags & flags) entries[i].run(text, found, c);
    }
    // Checked once per string: detectors are linear, so this bounds big cells, not pathological ones.
    if (deadline !== Infinity && performance.now() > deadline) throw new BudgetExceeded();
    if (found.length === 0) return found;
    return resolve(this.allEnabled ? found : found.filter((s) => this.enabled.has(s.entity)));
  }
}

export class BudgetExceeded extends Error {
  constructor() {
    super('masking time budget exceeded');
  }
}

const SECRET = new Set<EntityType>(['PRIVATE_KEY', 'JWT', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'GITHUB_TOKEN', 'GITLAB_TOKEN', 'SLACK_TOKEN']);

/**
 * Secrets first (a token in a URL's userinfo must not be swallowed by an
 * email-shaped match around it), then the rest where they do not overlap.
 */
export function resolve(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  const secrets = greedy(spans.filter((s) => SECRET.has(s.entity)));
  if (secrets.length === 0 || secrets.length === spans.length) return secrets.length ? secrets : greedy(spans);
  const rest = greedy(spans.filter((s) => !SECRET.has(s.entity) && !secrets.some((x) => s.start < x.end && x.start < s.end)));
  return [...secrets, ...rest].sort((a, b) => a.start - b.start);
}

/** Earliest start wins; on equal start the longest. Overlapping later spans are dropped. */
function greedy(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  let lastEnd = -1;
  for (const s of spans) {
    if (s.start >= lastEnd) {
      out.push(s);
      lastEnd = s.end;
    } else if (s.end > lastEnd && s.end - s.start > out[out.length - 1].end - out[out.length - 1].start) {
      // A longer span that began inside the previous one (a card swallowing a phone-shaped prefix).
      out[out.length - 1] = { entity: s.entity, start: out[out.length - 1].start, end: s.end };
      lastEnd = s.end;
    }
  }
  return out;
}
