/** Masking of one decoded string (plain text or a JSON document) under a policy's detectors and styles. */
import { type Detection } from './detect';
import { maskJson } from './json';
import { F_ESCAPE } from './prefilter';
import { Hasher, label, render } from './styles';
import { emptyCounts } from './counts';
import { type EntityType, type MaskCounts, type MaskingPolicy, type MaskStyle, type Span } from './types';

export interface StringResult {
  text: string;
  spans: Span[];
  changed: boolean;
  /** A `null`-styled entity was found in plain text: the whole cell becomes NULL. */
  nulled: boolean;
}

export class Core {
  readonly hasher: Hasher;
  counts: MaskCounts = emptyCounts();

  constructor(
    readonly policy: MaskingPolicy,
    readonly detection: Detection,
  ) {
    this.hasher = new Hasher(policy.hashKey);
  }

  styleFor(e: EntityType): MaskStyle {
    return this.policy.entityStyles?.[e] ?? this.policy.defaultStyle;
  }

  /**
   * `flags` from the prefilter. `freeText`: there is no NULL to give (notices,
   * previews), so `null`-styled entities render as redact.
   */
  maskString(text: string, flags: number, hint: string | undefined, tryJson: boolean, deadline: number, freeText: boolean): StringResult {
    // The raw text is a superset test for the JSON walk (keys sit right before their values, so
    // label contexts still apply): most JSON cells that tripped the prefilter on an epoch or a
    // timestamp stop here without a parse. Escapes (\u0040) can hide characters, so they always walk.
    if (tryJson && !(flags & F_ESCAPE) && this.detection.find(text, flags, { hint }, deadline).length === 0) {
      return { text, spans: [], changed: false, nulled: false };
    }
    if (tryJson) {
      const res = maskJson(text, {
        find: (s, f, h) => this.detection.find(s, f, { hint: h ?? hint }, deadline),
        render: (v, e, isKey) => {
          this.counts[e]++;
          const st = this.styleFor(e);
          if (st === 'null') return isKey || freeText ? label(e) : null;
          return render(v, e, st, this.hasher);
        },
      });
      if (res) return { text: res.text, spans: res.spans, changed: res.spans.length > 0, nulled: false };
    }
    const spans = this.detection.find(text, flags, { hint }, deadline);
    if (spans.length === 0) return { text, spans, changed: false, nulled: false };
    let out = '';
    let last = 0;
    let nulled = false;
    for (const s of spans) {
      this.counts[s.entity]++;
      let st = this.styleFor(s.entity);
      if (st === 'null') {
        nulled = !freeText;
        st = 'redact';
      }
      out += text.slice(last, s.start) + render(text.slice(s.start, s.end), s.entity, st, this.hasher);
      last = s.end;
    }
    return { text: out + text.slice(last), spans, changed: true, nulled };
  }
}
