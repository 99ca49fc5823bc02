/** Secret and credential detectors: vendor token formats, JWTs, PEM private keys. */
import { type Detector } from './detectors';
import { type Span } from './types';
import { jwtHeaderValid } from './validators';

const AWS_ID_RE = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET_RE = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
export const AWS_SECRET_CONTEXT = /aws.{0,24}secret|secret.?access.?key|secretaccesskey/i;

export const detectAws: Detector = (text, out, ctx) => {
  AWS_ID_RE.lastIndex = 0;
  for (let m = AWS_ID_RE.exec(text); m !== null; m = AWS_ID_RE.exec(text)) out.push({ entity: 'AWS_ACCESS_KEY', start: m.index, end: m.index + 20 });
  // A bare 40-character base64 run is as likely a SHA-1 or a random id: only a key-ish label makes it a secret.
  const hinted = ctx.hint !== undefined && AWS_SECRET_CONTEXT.test(ctx.hint);
  AWS_SECRET_RE.lastIndex = 0;
  for (let m = AWS_SECRET_RE.exec(text); m !== null; m = AWS_SECRET_RE.exec(text)) {
    if (hinted || AWS_SECRET_CONTEXT.test(text.slice(Math.max(0, m.index - 64), m.index))) {
      out.push({ entity: 'AWS_SECRET_KEY', start: m.index, end: m.index + 40 });
    }
  }
};

const TOKEN_RES: Array<[RegExp, Span['entity']]> = [
  [/(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])/g, 'GITHUB_TOKEN'],
  [/(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])/g, 'GITHUB_TOKEN'],
  [/(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,255}(?![A-Za-z0-9_-])/g, 'GITLAB_TOKEN'],
  [/(?<![A-Za-z0-9_-])(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,250}[A-Za-z0-9](?![A-Za-z0-9_-])/g, 'SLACK_TOKEN'],
  [/https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,250}[A-Za-z0-9]/g, 'SLACK_TOKEN'],
];

export const detectTokens: Detector = (text, out) => {
  for (const [re, entity] of TOKEN_RES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ entity, start: m.index, end: m.index + m[0].length });
  }
};

const JWT_RE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{2,64000}\.[A-Za-z0-9_-]{0,8000}(?![A-Za-z0-9_-])/g;

export const detectJwt: Detector = (text, out) => {
  JWT_RE.lastIndex = 0;
  for (let m = JWT_RE.exec(text); m !== null; m = JWT_RE.exec(text)) {
    const header = m[0].slice(0, m[0].indexOf('.'));
    if (jwtHeaderValid(header)) out.push({ entity: 'JWT', start: m.index, end: m.index + m[0].length });
  }
};

const PEM_LABEL = /^-----BEGIN ([A-Z0-9 ]{0,40})-----/;

/**
 * BEGIN … PRIVATE KEY blocks (PKCS#1 RSA, SEC1 EC, PKCS#8 incl. ENCRYPTED,
 * OPENSSH, PGP … PRIVATE KEY BLOCK). Public keys and certificates carry no
 * secret and stay. A block with no END is masked to the end of the text: a
 * truncated key is still a key.
 */
export const detectPem: Detector = (text, out) => {
  let i = text.indexOf('-----BEGIN ');
  while (i !== -1) {
    const m = PEM_LABEL.exec(text.slice(i, i + 60));
    if (m && /PRIVATE KEY( BLOCK)?$/.test(m[1])) {
      const endMarker = `-----END ${m[1]}-----`;
      const e = text.indexOf(endMarker, i + m[0].length);
      const end = e === -1 ? text.length : e + endMarker.length;
      out.push({ entity: 'PRIVATE_KEY', start: i, end });
      i = text.indexOf('-----BEGIN ', end);
    } else {
      i = text.indexOf('-----BEGIN ', i + 11);
    }
  }
};
