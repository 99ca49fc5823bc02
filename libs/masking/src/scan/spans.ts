/**
 * The scanner's spans in typed arrays, and detect.ts `resolve` over them: secrets first, then the
 * other spans that overlap no secret, each set resolved greedily (earliest start, then longest; a
 * longer span that began inside the previous one extends it). A cell without a hit allocates nothing.
 */
import { ENTITY_TYPES, type EntityType } from '../types';

const SECRETS: readonly EntityType[] = ['PRIVATE_KEY', 'JWT', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'GITHUB_TOKEN', 'GITLAB_TOKEN', 'SLACK_TOKEN'];
const SECRET = new Uint8Array(ENTITY_TYPES.length);
for (const e of SECRETS) SECRET[ENTITY_TYPES.indexOf(e)] = 1;

export class Spans {
  /** Found, in push order. `rank` orders spans of equal extent as the regex detectors push them. */
  private n = 0;
  private ent = new Uint8Array(16);
  private st = new Int32Array(16);
  private en = new Int32Array(16);
  private rank = new Uint8Array(16);
  private order = new Int32Array(16);
  /** Resolved: sorted by start, disjoint. */
  count = 0;
  entity = new Uint8Array(16);
  start = new Int32Array(16);
  end = new Int32Array(16);

  clear(): void {
    this.n = 0;
    this.count = 0;
  }

  push(entity: number, start: number, end: number, rank: number): void {
    if (this.n === this.ent.length) this.grow();
    const k = this.n++;
    this.ent[k] = entity;
    this.st[k] = start;
    this.en[k] = end;
    this.rank[k] = rank;
  }

  private grow(): void {
    const size = this.ent.length * 2;
    const copy = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.ent = copy(this.ent, (n) => new Uint8Array(n));
    this.st = copy(this.st, (n) => new Int32Array(n));
    this.en = copy(this.en, (n) => new Int32Array(n));
    this.rank = copy(this.rank, (n) => new Uint8Array(n));
    this.order = new Int32Array(size);
    this.entity = copy(this.entity, (n) => new Uint8Array(n));
    this.start = copy(this.start, (n) => new Int32Array(n));
    this.end = copy(this.end, (n) => new Int32Array(n));
  }

  /** Resolves what was pushed; returns the count. */
  resolve(): number {
    const n = this.n;
    if (n === 0) return 0;
    if (n === 1) {
      this.emit(0);
      return this.count;
    }
    if (n === 2) return this.resolveTwo();
    this.sort();
    let secrets = 0;
    for (let k = 0; k < n; k++) secrets += SECRET[this.ent[k]];
    if (secrets === 0) {
      this.greedy(-1);
      return this.count;
    }
    this.greedy(1);
    if (secrets === n) return this.count;
    const firstRest = this.count;
    this.greedy(0);
    this.mergeRest(firstRest);
    return this.count;
  }

  /** resolve() for two spans (the common case after one): the same steps, without the sort and the passes. */
  private resolveTwo(): number {
    const { ent, st, en, rank } = this;
    // sort()'s order: 1 first only when it sorts strictly before 0.
    const a = (st[0] - st[1] || en[1] - en[0] || rank[0] - rank[1]) > 0 ? 1 : 0;
    const c = 1 - a;
    const secretA = SECRET[ent[a]];
    if (secretA === SECRET[ent[c]]) {
      // One greedy pass over both.
      this.emit(a);
      if (st[c] >= en[a]) this.emit(c);
      else if (en[c] > en[a] && en[c] - st[c] > en[a] - st[a]) {
        this.entity[0] = ent[c];
        this.end[0] = en[c];
      }
      return this.count;
    }
    // A secret, and the other span unless it overlaps it; then by start.
    const secret = secretA === 1 ? a : c;
    const other = secretA === 1 ? c : a;
    if (st[other] < en[secret] && st[secret] < en[other]) this.emit(secret);
    else if (st[other] < st[secret]) {
      this.emit(other);
      this.emit(secret);
    } else {
      this.emit(secret);
      this.emit(other);
    }
    return this.count;
  }

  /** Stable sort by (start, -end): push order is the regex detectors' order within a rank. */
  private sort(): void {
    const { order, st, en, rank } = this;
    for (let k = 0; k < this.n; k++) {
      let j = k;
      while (j > 0) {
        const o = order[j - 1];
        const d = st[o] - st[k] || en[k] - en[o] || rank[o] - rank[k] || o - k;
        if (d <= 0) break;
        order[j] = o;
        j--;
      }
      order[j] = k;
    }
  }

  private emit(k: number): void {
    const c = this.count++;
    this.entity[c] = this.ent[k];
    this.start[c] = this.st[k];
    this.end[c] = this.en[k];
  }

  /**
   * detect.ts greedy over the spans in sorted order: all of them (-1), the secrets (1), or the
   * others that overlap none of the secrets already resolved (0). Appends to the resolved list.
   */
  private greedy(which: number): void {
    const first = this.count;
    const secretEnd = this.count;
    let lastEnd = -1;
    for (let j = 0; j < this.n; j++) {
      const k = this.order[j];
      if (which >= 0 && SECRET[this.ent[k]] !== which) continue;
      if (which === 0 && this.overlapsSecret(k, secretEnd)) continue;
      const s = this.st[k];
      const e = this.en[k];
      if (s >= lastEnd) {
        this.emit(k);
        lastEnd = e;
      } else if (this.count > first && e > lastEnd && e - s > this.end[this.count - 1] - this.start[this.count - 1]) {
        // A longer span that began inside the previous one (a card swallowing a phone-shaped prefix).
        this.entity[this.count - 1] = this.ent[k];
        this.end[this.count - 1] = e;
        lastEnd = e;
      }
    }
  }

  private overlapsSecret(k: number, secretEnd: number): boolean {
    for (let c = 0; c < secretEnd; c++) if (this.st[k] < this.end[c] && this.start[c] < this.en[k]) return true;
    return false;
  }

  /** Secrets are [0, firstRest), the rest after: merge them by start (in place; no two start together, none overlap). */
  private mergeRest(firstRest: number): void {
    const { entity, start, end } = this;
    for (let k = firstRest; k < this.count; k++) {
      const e = entity[k];
      const s = start[k];
      const x = end[k];
      let j = k;
      for (; j > 0 && start[j - 1] > s; j--) {
        entity[j] = entity[j - 1];
        start[j] = start[j - 1];
        end[j] = end[j - 1];
      }
      entity[j] = e;
      start[j] = s;
      end[j] = x;
    }
  }
}
