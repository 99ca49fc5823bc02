import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { PgProtocolError, SqlState } from './errors';

// Client side of upstream authentication ("53.3 SASL Authentication", RFC 5802 / RFC 7677).

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

/** Password answer to AuthenticationMD5Password ("53.2.1 Start-up"). */
export function md5Password(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user, 'utf8').digest('hex');
  return 'md5' + createHash('md5').update(inner, 'utf8').update(salt).digest('hex');
}

// RFC 4013 tables B.1 (mapped to nothing) and C.1.2 (non-ASCII spaces).
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
const PROHIBITED = /[\u0000-\u001F\u007F-\u009F\uE000-\uF8FF\uFFF9-\uFFFD]/;

/**
 * SASLprep as Postgres applies it: normalize, and when the result is not a valid prepared
 * string fall back to the raw password (what libpq and the server do, so both sides agree).
 * Bidi and unassigned-codepoint checks of RFC 4013 are not implemented.
 */
export function saslPrep(password: string): string {
  const prepared = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  return prepared === '' || PROHIBITED.test(prepared) ? password : prepared;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function parseAttributes(message: string, what: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new PgProtocolError(`malformed SCRAM ${what} message`);
    attrs.set(part[0], part.slice(2));
  }
  return attrs;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * SCRAM-SHA-256 client without channel binding (gs2 header "n,,"). Flow:
 * `clientFirstMessage()` → SASLInitialResponse; SASLContinue data → `clientFinalMessage()` →
 * SASLResponse; SASLFinal data → `verifyServerFinal()`, which throws unless the server proved it
 * knows the password (a gateway must not talk to an impostor upstream).
 */
export class ScramClient {
  private readonly nonce: string;
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | null = null;

  /**
   * @param username Postgres ignores the SCRAM user name (it uses the startup user), so '' is fine.
   * @param nonce only for test vectors; by default 18 random bytes.
   */
  constructor(
    private readonly password: string,
    options: { username?: string; nonce?: string } = {},
  ) {
    this.nonce = options.nonce ?? randomBytes(18).toString('base64');
    const user = (options.username ?? '').replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.clientFirstBare = `n=${user},r=${this.nonce}`;
  }

  get mechanism(): string {
    return SCRAM_SHA_256;
  }

  clientFirstMessage(): string {
    return 'n,,' + this.clientFirstBare;
  }

  /** Consumes the server-first-message (AuthenticationSASLContinue data). */
  clientFinalMessage(serverFirst: Buffer | string): string {
    const serverFirstMessage = serverFirst.toString();
    const attrs = parseAttributes(serverFirstMessage, 'server-first');
    const serverNonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterText = attrs.get('i');
    if (attrs.has('m')) throw new PgProtocolError('SCRAM server requires an unsupported extension');
    if (serverNonce === undefined || salt === undefined || iterText === undefined) {
      throw new PgProtocolError('malformed SCRAM server-first message: missing r, s or i');
    }
    if (!serverNonce.startsWith(this.nonce) || serverNonce.length === this.nonce.length) {
      throw new PgProtocolError('SCRAM server nonce does not extend the client nonce', SqlState.InvalidAuthorizationSpecification);
    }
    if (!BASE64.test(salt) || salt === '') throw new PgProtocolError('malformed SCRAM salt');
    const iterations = Number(iterText);
    if (!/^[1-9][0-9]{0,9}$/.test(iterText) || iterations > 10_000_000) {
      throw new PgProtocolError(`bad SCRAM iteration count ${JSON.stringify(iterText)}`);
    }
    const salted = pbkdf2Sync(saslPrep(this.password), Buffer.from(salt, 'base64'), iterations, 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${serverNonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirstMessage},${withoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.allocUnsafe(32);
    for (let i = 0; i < 32; i++) proof[i] = clientKey[i] ^ clientSignature[i];
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server-final-message (AuthenticationSASLFinal data); throws 28000 on mismatch. */
  verifyServerFinal(serverFinal: Buffer | string): void {
    if (this.serverSignature === null) throw new PgProtocolError('SCRAM server-final before server-first');
    const attrs = parseAttributes(serverFinal.toString(), 'server-final');
    const error = attrs.get('e');
    if (error !== undefined) throw new PgProtocolError(`SCRAM authentication failed: ${error}`, SqlState.InvalidAuthorizationSpecification);
    const v = attrs.get('v');
    if (v === undefined || !BASE64.test(v)) throw new PgProtocolError('malformed SCRAM server-final message');
    const got = Buffer.from(v, 'base64');
    if (got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new PgProtocolError('SCRAM server signature does not match: upstream did not prove it knows the password', SqlState.InvalidAuthorizationSpecification);
    }
  }
}
