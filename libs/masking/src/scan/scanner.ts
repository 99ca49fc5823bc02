/**
 * Every content detector in one walk over a cell's bytes. The walk stops only where a match can
 * start (an '@', a digit after a non-word character, '+', '(', a token's first letter…); there each
 * enabled detector's matcher tries its regex's match, and the detector's own checks run on what
 * matched. Each detector keeps its regex's `lastIndex` (a match moves it past the match, valid or
 * not), and spans are ordered as the regex detectors push them, so the spans found and their
 * resolution are exactly Detection.find's (scan.spec.ts compares the two on the corpus and on
 * generated cells). A cell with a byte >= 0x80 is not scanned (-1): its detectors read `\p{L}` and
 * count UTF-16 units, and the caller runs them instead.
 */
import { ENTITY_TYPES, type EntityType } from '../types';
import * as prefilter from '../prefilter';
import * as detectors from '../detectors';
import * as validators from '../validators';
import { C } from './chars';
import * as chars from './chars';
import { Context } from './context';
import * as dig7 from './dig7';
import * as email from './email';
import * as numbers from './numbers';
import * as secrets from './secrets';
import { Spans } from './spans';

// Imported functions as module constants: calls through the import object (`(0, m.f)(…)`) were
// measured 20–50 ns each inside the scan loop, where V8 inlined little; calls to a local constant are not.
const { bytesAt } = prefilter;
const { HINT_VERSION, hintIs } = detectors;
const { jwtHeaderValid } = validators;
const { CH, runLength } = chars;
const { dateChunk, sepBeforeLastDigit } = dig7;
const { domainAt, localStart } = email;
const { bareAt, cardAt, cardDigitsValid, cardValid, ibanCompactAt, ibanSpacedAt, ibanValidAt, intlMatch, ipv4At, latin1, nanpAt, natlAt, natlValid, ssnAt, ssnBareValid, ssnDashedValid } = numbers;
const { awsIdAt, awsSecretAt, jwtAt, tokenAt } = secrets;


/** One per regex, in the order Detection.find's detectors push their spans (its TABLE order). */
const enum R {
  PEM,
  JWT,
  GH, // GH_PAT, GLPAT, C.SLACK, C.HOOK follow: R.GH + TOKEN_RES index
  AWS_ID = GH + 5,
  AWS_SECRET,
  EMAIL,
  CARD,
  SSN,
  SSN_BARE,
  INTL,
  NANP,
  NATL,
  PHONE_BARE,
  IBAN_COMPACT,
  IBAN_SPACED,
  IPV4,
  IPV6,
  COUNT,
}

const id = (e: EntityType): number => ENTITY_TYPES.indexOf(e);
const TOKEN_ENTITY = [id('GITHUB_TOKEN'), id('GITHUB_TOKEN'), id('GITLAB_TOKEN'), id('SLACK_TOKEN'), id('SLACK_TOKEN')];

/** The entity each regex reports. */
const ENTITY_OF: readonly number[] = (() => {
  const out: number[] = [];
  out[R.PEM] = id('PRIVATE_KEY');
  out[R.JWT] = id('JWT');
  for (let t = 0; t < 5; t++) out[R.GH + t] = TOKEN_ENTITY[t];
  out[R.AWS_ID] = id('AWS_ACCESS_KEY');
  out[R.AWS_SECRET] = id('AWS_SECRET_KEY');
  out[R.EMAIL] = id('EMAIL');
  out[R.CARD] = id('CARD');
  out[R.SSN] = out[R.SSN_BARE] = id('SSN');
  out[R.INTL] = out[R.NANP] = out[R.NATL] = out[R.PHONE_BARE] = id('PHONE');
  out[R.IBAN_COMPACT] = out[R.IBAN_SPACED] = id('IBAN');
  out[R.IPV4] = out[R.IPV6] = id('IP');
  return out;
})();

/** Largest cell scanned: far below every bounded quantifier of the regexes and the time budget's threshold. */
export const SCAN_MAX = 4096;

/** Handed back to the detectors: the cell holds what the scanner does not model (see Scanner.scan). */
export const HAND_BACK = -1;

export class Scanner {
  readonly spans = new Spans();
  /** Per regex: its detector is on. */
  private readonly on = new Uint8Array(R.COUNT);
  /** Per regex: where its next match may start (its lastIndex); `moved` has a bit per regex set since the last scan. */
  private readonly next = new Int32Array(R.COUNT);
  private moved = 0;
  /** The character classes the walk stops at. */
  private readonly stop: number;
  // A Buffer from the start: the field then only ever holds one kind of array (the worker passes Buffers).
  private b: Uint8Array = Buffer.alloc(0);
  private from = 0;
  private to = 0;
  private hint: string | undefined;
  private readonly context = new Context();
  /** The context holds this cell (reset on first use: most cells never ask). */
  private contextReady = false;
  private colons = 0;
  private handBack = false;
  /** The end of a '+' INTL or a NANP match inside which no matcher is tried (see phone()); 0 for none. */
  private skipTo = 0;

  constructor(enabled: ReadonlySet<EntityType>) {
    for (let r = 0; r < R.COUNT; r++) this.on[r] = enabled.has(ENTITY_TYPES[ENTITY_OF[r]]) ? 1 : 0;
    const any = (...rs: R[]): boolean => rs.some((r) => this.on[r] === 1);
    let stop = C.D_HIGH;
    if (any(R.EMAIL)) stop |= C.D_AT;
    if (any(R.CARD, R.SSN, R.SSN_BARE, R.INTL, R.PHONE_BARE, R.IPV4)) stop |= C.DIGIT;
    if (any(R.INTL)) stop |= C.D_PLUS | C.D_PAREN;
    if (any(R.IBAN_COMPACT, R.AWS_ID)) stop |= C.UPPER;
    if (any(R.JWT, R.GH, R.GH + 1, R.GH + 2, R.GH + 3)) stop |= C.D_TOKEN;
    if (any(R.GH + 4)) stop |= C.D_HOOK;
    if (any(R.AWS_SECRET)) stop |= C.B64;
    if (any(R.PEM)) stop |= C.D_DASH;
    if (any(R.IPV6)) stop |= C.D_COLON;
    this.stop = stop;
  }

  /**
   * Spans of b[from, to), resolved into this.spans (offsets from `from`); their count, or HAND_BACK.
   *
   * The scanner runs every enabled detector where Detection.find runs only those the prefilter's
   * flags allow. The two agree because every span the scanner reports is one whose flag the
   * prefilter sets (an '@', a token's literal, a run of 9 or 12 digits, a dotted quad…), except
   * for a number with separators, which needs F_DIG7: that one is checked (dig7), and a cell where
   * it does not hold is handed back. So are cells over SCAN_MAX, with a byte >= 0x80 (`\p{L}`
   * email parts, UTF-16 offsets), with '-----BEGIN' (PEM) or that may hold an IPv6 address ('::'
   * or 7 colons): the caller runs the detectors on those.
   */
  scan(b: Uint8Array, from: number, to: number, hint: string | undefined): number {
    if (to - from > SCAN_MAX) return HAND_BACK;
    this.b = b;
    this.from = from;
    this.to = to;
    this.hint = hint;
    this.contextReady = false;
    this.colons = 0;
    this.handBack = false;
    this.skipTo = 0;
    for (let m = this.moved; m !== 0; m &= m - 1) this.next[31 - Math.clz32(m & -m)] = 0;
    this.moved = 0;
    this.spans.clear();
    const end = to | 0;
    // A secret key is a run of exactly 40: in a shorter cell no word start can begin one.
    const stop = end - from >= 40 ? this.stop : this.stop & ~C.B64;
    // Only the first character of a run of letters and digits can start a match, but for the
    // webhook's 'h' (its regex has no lookbehind): the rest of the run is skipped in a tight loop.
    const hook = (stop & C.D_HOOK) !== 0;
    // The start of the last run of letters and digits: an email's local part most often ends with it.
    let run = from;
    for (let i = from | 0; i < end; i++) {
      const c = CH[b[i]];
      const k = c & stop;
      if ((c & C.ALNUM) === 0) {
        if (k === 0) continue;
        if (k & (C.D_HIGH | C.D_DASH | C.D_COLON)) {
          if (this.rare(i, k)) return HAND_BACK;
          continue;
        }
        if (k & ~C.B64) this.at(i, k & ~C.B64, run);
        // '/' or '+'
        if (k & C.B64) this.secretAt(i);
        continue;
      }
      run = i;
      let j = i + 1;
      while (j < end && CH[b[j]] & C.ALNUM) j++;
      if (k !== 0) {
        if (k & ~C.B64) {
          this.at(i, k & ~C.B64, run);
          // The walk goes on after a phone number where no matcher is tried (see phone()), and so
          // does the local part an email there may have (in `run`).
          if (j < this.skipTo) run = j = this.skipTo;
        }
        // A secret key is a run of exactly 40 [A-Za-z0-9/+]: this one is 40 long or goes on with '/' or '+'
        // (most words of prose do neither).
        if (k & C.B64 && (j - i >= 40 || (j < end && (b[j] === 43 || b[j] === 47)))) this.secretAt(i);
      }
      // Inside the run, a webhook can only start at the 'http' or 'https' that ends it before a ':'.
      if (hook && j < end && b[j] === 58) this.hookInWord(i, j);
      i = j - 1;
    }
    return this.handBack ? HAND_BACK : this.spans.resolve();
  }

  /** The Slack webhook at the 'http'/'https' that ends the run of letters and digits [w, j), after its first byte. */
  private hookInWord(w: number, j: number): void {
    const b = this.b;
    const s = b[j - 1] === 115 ? j - 5 : j - 4;
    if (s > w && b[s] === 104 && b[s + 1] === 116 && b[s + 2] === 116 && b[s + 3] === 112 && this.want(R.GH + 4, s)) this.token(4, s);
  }

  /** A byte >= 0x80, '-----BEGIN', or '::' / a seventh ':' (a superset of the prefilter's F_COLON). */
  private rare(i: number, k: number): boolean {
    if (k & C.D_HIGH) return true;
    if (k & C.D_DASH) return i + 1 < this.to && this.b[i + 1] === 45 && bytesAt(this.b, i, this.to, '-----BEGIN');
    return ++this.colons >= 7 || (i > this.from && this.b[i - 1] === 58);
  }

  /** The matchers that may start at i, of the classes k; `run` is where the last run of letters and digits starts. */
  private at(i: number, k: number, run: number): void {
    const b = this.b;
    if (k & C.D_AT) return this.email(i, i > this.from && CH[b[i - 1]] & C.ALNUM ? run : i);
    // Inside a phone number that nothing found there can change (see phone()).
    if (i < this.skipTo) return;
    // Every regex but the Slack webhook's starts after a character its lookbehind checks; all of
    // those exclude letters and digits.
    if (k & C.D_HOOK && this.want(R.GH + 4, i)) this.token(4, i);
    // The walk stops at the first character of a run of letters and digits only.
    const afterWord = i > this.from && (CH[b[i - 1]] & C.WORD) !== 0;
    if (k & C.DIGIT) {
      if (!afterWord) this.number(i);
    } else if (k & (C.D_PLUS | C.D_PAREN)) this.phone(i, 0, 0);
    if (k & C.UPPER) this.upper(i, afterWord);
    if (k & C.D_TOKEN) this.letter(i);
  }

  /** The AWS secret key at i, a character of its class. */
  private secretAt(i: number): void {
    if (i + 40 <= this.to && this.b64Probe(i) && !(i > this.from && CH[this.b[i - 1]] & C.B64) && this.want(R.AWS_SECRET, i)) this.awsSecret(i);
  }

  /** Five bytes of a 40-byte base64 run at i (i + 40 <= to): most words end long before. */
  private b64Probe(i: number): boolean {
    const b = this.b;
    return (CH[b[i + 39]] & CH[b[i + 7]] & CH[b[i + 15]] & CH[b[i + 23]] & CH[b[i + 31]] & C.B64) !== 0;
  }

  /** The context of this cell. */
  private ctx(): Context {
    if (!this.contextReady) {
      this.context.reset(this.b, this.from, this.to, this.hint);
      this.contextReady = true;
    }
    return this.context;
  }

  /** The regex's detector is on and it may start a match at i. */
  private want(r: R, i: number): boolean {
    return this.on[r] === 1 && i >= this.next[r];
  }

  private add(r: R, start: number, end: number): void {
    this.spans.push(ENTITY_OF[r], start - this.from, end - this.from, r);
  }

  /** The email at the '@' at `at`, whose local part holds [run, at) (the run of letters and digits before it). */
  private email(at: number, run: number): void {
    if (at < this.next[R.EMAIL]) return;
    const s = localStart(this.b, at, this.from, run);
    const e = s < at ? domainAt(this.b, at, this.to) : -1;
    const ok = e >= 0;
    if (ok) this.add(R.EMAIL, s, e);
    this.next[R.EMAIL] = ok ? e : at + 1;
    this.moved |= 1 << R.EMAIL;
  }

  /** A regex's match ending at `end` (or none, -1): it resumes after it. */
  private matched(r: R, end: number): boolean {
    if (end < 0) return false;
    this.next[r] = end;
    this.moved |= 1 << r;
    return true;
  }

  /**
   * The numeric regexes at i, a digit after a non-word character. Each needs a first digit run of
   * a length it can use, followed by a character it can use: checked first, from one run length.
   */
  private number(i: number): void {
    const { b, from, to } = this;
    const run = runLength(b, i, to, C.DIGIT);
    const after = i + run < to ? b[i + run] : 0;
    // 13 digits in a row, or a ' '/'-' and another digit.
    // (cardAt needs 13 bytes; a matcher that gives up before reading moves nothing, so the checks
    // here and in phone() only skip calls whose answer is -1.)
    const cardLike = run >= 13 || (to - i >= 13 && (after === 32 || after === 45) && i + run + 1 < to && (CH[b[i + run + 1]] & C.DIGIT) !== 0);
    if (cardLike && this.want(R.CARD, i)) {
      const e = cardAt(b, i, from, to, run);
      if (this.matched(R.CARD, e) && (e - i === run ? cardDigitsValid(b, i, e) : cardValid(b, i, e))) {
        // 13+ digits in a row set the prefilter's F_LONG: only a card with separators needs F_DIG7.
        if (e - i === run) this.add(R.CARD, i, e);
        else this.dig7(R.CARD, i, e);
      }
    }
    // SSN, SSN_BARE, INTL, NANP, NATL and PHONE_BARE all start with (?<![\w.+/-]).
    const clear = i === from || (CH[b[i - 1]] & C.NUM_BEFORE) === 0;
    if (run === 3 && (after === 45 || after === 32) && clear && i + 6 < to && b[i + 6] === after && this.want(R.SSN, i)) {
      const e = ssnAt(b, i, from, to);
      if (this.matched(R.SSN, e) && ssnDashedValid(b, i)) this.dig7(R.SSN, i, e);
    }
    if (run === 9 && clear && this.want(R.SSN_BARE, i)) {
      const e = bareAt(b, i, from, to, 9, 9);
      if (this.matched(R.SSN_BARE, e) && this.ctx().bareSsn(i - from) && ssnBareValid(b, i)) this.add(R.SSN_BARE, i, e);
    }
    if (!clear) {
      this.ipv4(i, run, after);
      return;
    }
    this.phone(i, run, after);
    if ((run === 10 || run === 11) && this.want(R.PHONE_BARE, i)) {
      const e = bareAt(b, i, from, to, 10, 11);
      if (this.matched(R.PHONE_BARE, e) && this.ctx().barePhone(i - from, e - from)) this.add(R.PHONE_BARE, i, e);
    }
    this.ipv4(i, run, after);
  }

  private ipv4(i: number, run: number, after: number): void {
    if (run <= 3 && after === 46 && this.want(R.IPV4, i) && !(this.hint !== undefined && hintIs(this.hint, HINT_VERSION))) {
      const e = ipv4At(this.b, i, this.from, this.to);
      if (this.matched(R.IPV4, e < -1 ? -e - 1 : e) && e >= 0 && !this.ctx().versionBefore(i - this.from)) this.add(R.IPV4, i, e);
    }
  }

  /**
   * The three phone regexes of detectPhone at i: a '+' or '(' (run 0), or a digit whose run of
   * `run` digits is followed by `after`.
   *
   * Inside an INTL match [s, e) that starts with '+', is reported whole and is followed by neither
   * a phone character nor a base64 one ("+1 (415) 555-0123", the common shape), no matcher is
   * tried (at() returns): nothing one could find there changes the result.
   * - Inside are digits and ' ().-' only (no '--': intlOk held on the whole match), where only
   *   the numeric matchers (CARD, SSN, SSN_BARE, NANP, NATL, PHONE_BARE, IPV4; INTL resumes at e)
   *   and the AWS secret key's can start. A numeric match is a run of those characters, so it
   *   ends by e: its span lies within the INTL span and starts after it, and its regex would
   *   resume by e, so at e and after every regex is tried as before.
   * - No secret overlaps [s, e): INTL's lookbehind keeps every secret's class off s - 1, only an
   *   AWS secret key can start at '+' or a digit, and the base64 run there ends by e, short of 40.
   * - No other span holds s but an email, whose local part then holds all of [s, e) and whose
   *   domain ends past e. So resolution keeps the INTL span or a span reaching past it, and drops
   *   the spans inside either way.
   * - Their F_DIG7 checks (dig7) are INTL's: each of those matches with a separator has one
   *   before its last digit or starts with '(', and its prefilter chunk is the one INTL's match
   *   lies in.
   * Inside a reported NANP match [s, e) followed by neither ("(415) 555-0123", "415-555-0123"), no
   * regex matches at all, so none is tried: its groups (an optional '1', then 3, 3 and 4 digits,
   * single separators) are too few and short for a card, an SSN, a bare number, an IPv4 address
   * or an INTL number ('00' and at least 7 more), a NATL number would start with the '0' that a
   * reported area code or exchange cannot have, or a line that no separator follows, an AWS
   * secret key's run ends by e, and NANP itself resumes at e.
   * scan.spec.ts generates these shapes and the ones next to them.
   */
  private phone(i: number, run: number, after: number): void {
    const { b, from, to } = this;
    const c = b[i];
    const sepAfter = (CH[after] & C.NUM_SEP) !== 0;
    // Each regex starts with '+', '(', '0' or '1', but for NANP's area code (3 digits and a separator),
    // and after none of [\w.+/-].
    if (c !== 43 && c !== 40 && c !== 48 && c !== 49 && !(run === 3 && sepAfter)) return;
    if (i > from && CH[b[i - 1]] & C.NUM_BEFORE) return;
    // '+' or '00'
    if ((c === 43 || (c === 48 && run >= 3 && b[i + 1] === 48)) && this.want(R.INTL, i)) {
      const m = intlMatch(b, i, from, to);
      const e = m < 0 ? -1 : i + (m & 31);
      if (this.matched(R.INTL, e)) {
        const end = i + (m >> 5) - 1;
        if (end >= i) {
          this.dig7(R.INTL, i, end);
          if (c === 43 && end === e) this.skipAfter(e);
        }
      }
    }
    // '(', 3 digits and a separator, or '1' and the rest: "1 ", "1(", "1415 "
    const nanp = c === 40 || (run === 3 && sepAfter) || (c === 49 && (run === 1 || (run === 4 && sepAfter)));
    if (nanp && this.want(R.NANP, i)) {
      const e = nanpAt(b, i, from, to);
      if (this.matched(R.NANP, e < -1 ? -e - 1 : e) && e >= 0) {
        this.dig7(R.NANP, i, e);
        this.skipAfter(e);
      }
    }
    // '(' or a trunk '0' of 2–5 digits and ' ' or '-'
    if (((c === 40 && b[i + 1] === 48) || (c === 48 && run >= 2 && run <= 5 && (after === 32 || after === 45))) && this.want(R.NATL, i)) {
      const e = natlAt(b, i, from, to);
      if (this.matched(R.NATL, e) && natlValid(b, i, e)) this.dig7(R.NATL, i, e);
    }
  }

  /** No matcher inside the phone number that ends at e when neither a phone nor a base64 character follows (see phone()). */
  private skipAfter(e: number): void {
    if (e === this.to || (CH[this.b[e]] & (C.PHONE | C.B64)) === 0) this.skipTo = e;
  }

  /**
   * A number with separators, which Detection.find only looks for under the prefilter's F_DIG7 (7
   * digits and a separator in one chunk of digits and ' .-()/+', ISO-date digits not counted).
   * Its span has the digits; the flag also needs the separator before its last digit and no date
   * at the start of its chunk. When that cannot be shown here the cell is handed back.
   */
  private dig7(r: R, s: number, e: number): void {
    this.add(r, s, e);
    if (!sepBeforeLastDigit(this.b, s, e) || dateChunk(this.b, this.from, this.to, s)) this.handBack = true;
  }

  /** IBANs (after a non-word character) and AWS access key ids (after a non-alphanumeric one). */
  private upper(i: number, afterWord: boolean): void {
    const { b, from, to } = this;
    // [A-Z]{2}\d{2} or AKIA/ASIA: both need a second capital.
    if (i + 4 > to || !(CH[b[i + 1]] & C.UPPER)) return;
    if (!afterWord && this.want(R.IBAN_COMPACT, i)) {
      const e = ibanCompactAt(b, i, from, to);
      if (this.matched(R.IBAN_COMPACT, e) && ibanValidAt(b, i, e)) this.add(R.IBAN_COMPACT, i, e);
    }
    if (!afterWord && this.want(R.IBAN_SPACED, i)) {
      const e = ibanSpacedAt(b, i, from, to);
      if (this.matched(R.IBAN_SPACED, e) && ibanValidAt(b, i, e)) this.add(R.IBAN_SPACED, i, e);
    }
    if (b[i] === 65 && this.want(R.AWS_ID, i)) {
      const e = awsIdAt(b, i, from, to);
      if (this.matched(R.AWS_ID, e)) this.add(R.AWS_ID, i, e);
    }
  }

  /** g, x, e after a non-alphanumeric character: GitHub, GitLab and Slack tokens, JWTs. */
  private letter(i: number): void {
    const { b, from, to } = this;
    // The second letter of every prefix: 'gh', 'gi', 'gl', 'xo', 'xa', 'ey'.
    const c2 = i + 1 < to ? b[i + 1] : 0;
    if (b[i] === 103 ? c2 !== 104 && c2 !== 105 && c2 !== 108 : b[i] === 120 ? c2 !== 111 && c2 !== 97 : c2 !== 121) return;
    if (b[i] === 101) {
      if (!this.want(R.JWT, i)) return;
      const e = jwtAt(b, i, from, to);
      if (this.matched(R.JWT, e) && jwtHeaderValid(latin1(b, i, b.indexOf(46, i)))) this.add(R.JWT, i, e);
      return;
    }
    for (let t = 0; t < 4; t++) if (this.want(R.GH + t, i)) this.token(t, i);
  }

  private token(t: number, i: number): void {
    const e = tokenAt(t, this.b, i, this.from, this.to);
    if (this.matched(R.GH + t, e)) this.add(R.GH + t, i, e);
  }

  private awsSecret(i: number): void {
    const e = awsSecretAt(this.b, i, this.from, this.to);
    if (this.matched(R.AWS_SECRET, e) && this.ctx().awsSecret(i - this.from)) this.add(R.AWS_SECRET, i, e);
  }

}
