/**
 * What some detectors read around a match besides the match: a label in the column name or in the
 * text before it (bare SSNs and phone numbers, AWS secret keys), a version word before a dotted
 * quad. Rare, so it reads the cell as a string, decoded once per cell and only when asked.
 */
import { HINT_PHONE, HINT_SSN, PHONE_LABEL, PHONE_WORD, PRODUCT_BEFORE, SSN_CONTEXT, VERSION_BEFORE, bareOk, hintIs } from '../detectors';
import { AWS_SECRET_CONTEXT } from '../secrets';
import { latin1 } from './numbers';
import { countDigits } from '../validators';

/** Per cell, decided on first use: -1 unknown, 0 no, 1 yes. */
const UNKNOWN = -1;

export class Context {
  private b: Uint8Array = Buffer.alloc(0);
  private from = 0;
  private to = 0;
  private hint: string | undefined;
  private text: string | null = null;
  private ssnGate = UNKNOWN;
  private phoneGate = UNKNOWN;
  private awsHinted = UNKNOWN;

  reset(b: Uint8Array, from: number, to: number, hint: string | undefined): void {
    this.b = b;
    this.from = from;
    this.to = to;
    this.hint = hint;
    this.text = null;
    this.ssnGate = this.phoneGate = this.awsHinted = UNKNOWN;
  }

  private decoded(): string {
    return (this.text ??= latin1(this.b, this.from, this.to));
  }

  /** detectBareSsn's label for the nine digits at `at` (offsets into the cell). */
  bareSsn(at: number): boolean {
    const text = this.decoded();
    const hinted = this.hint !== undefined && hintIs(this.hint, HINT_SSN);
    if (this.ssnGate === UNKNOWN) this.ssnGate = hinted || (countDigits(text) !== text.length && SSN_CONTEXT.test(text)) ? 1 : 0;
    return this.ssnGate === 1 && (hinted || SSN_CONTEXT.test(text.slice(Math.max(0, at - 32), at)));
  }

  /** detectBarePhone's checks for the digits [at, end): a phone-ish column name or a label right before. */
  barePhone(at: number, end: number): boolean {
    const text = this.decoded();
    const hinted = this.hint !== undefined && hintIs(this.hint, HINT_PHONE);
    if (this.phoneGate === UNKNOWN) this.phoneGate = hinted || (countDigits(text) !== text.length && PHONE_WORD.test(text)) ? 1 : 0;
    return this.phoneGate === 1 && bareOk(text.slice(at, end)) && (hinted || PHONE_LABEL.test(text.slice(Math.max(0, at - 24), at)));
  }

  /** detectAws: a key-ish column name or label makes a 40-character run at `at` a secret key. */
  awsSecret(at: number): boolean {
    if (this.awsHinted === UNKNOWN) this.awsHinted = this.hint !== undefined && AWS_SECRET_CONTEXT.test(this.hint) ? 1 : 0;
    return this.awsHinted === 1 || AWS_SECRET_CONTEXT.test(this.decoded().slice(Math.max(0, at - 64), at));
  }

  /** detectIpv4: "version 1.2.3.4", "Chrome/120.0.0.0" before `at` are not hosts. */
  versionBefore(at: number): boolean {
    const before = this.decoded().slice(Math.max(0, at - 24), at);
    return VERSION_BEFORE.test(before) || PRODUCT_BEFORE.test(before);
  }
}
