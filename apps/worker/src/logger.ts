import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Secret-bearing keys are redacted wherever they appear. */
export function createLogger(level: string, base: Record<string, unknown>): Logger {
  return pino({
    name: 'worker',
    level,
    base: { pid: process.pid, ...base },
    redact: { paths: ['*.password', '*.token', '*.privateKey', '*.secret', 'password', 'token'], censor: '[redacted]' },
  });
}
