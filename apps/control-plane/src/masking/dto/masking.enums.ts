import { registerEnumType } from '@nestjs/graphql';

/** Mask styles; stored and shipped lower-case (the engine's spelling). */
export enum MaskStyleEnum {
  REDACT = 'REDACT',
  PARTIAL = 'PARTIAL',
  HASH = 'HASH',
  NULL = 'NULL',
}

/** What a rule labels and counts the whole cell as; FULL is `[MASKED]`. Values equal @airlock/masking's EntityType. */
export enum MaskingEntity {
  FULL = 'FULL',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  SSN = 'SSN',
  CARD = 'CARD',
  IBAN = 'IBAN',
  IP = 'IP',
  AWS_ACCESS_KEY = 'AWS_ACCESS_KEY',
  AWS_SECRET_KEY = 'AWS_SECRET_KEY',
  GITHUB_TOKEN = 'GITHUB_TOKEN',
  GITLAB_TOKEN = 'GITLAB_TOKEN',
  SLACK_TOKEN = 'SLACK_TOKEN',
  JWT = 'JWT',
  PRIVATE_KEY = 'PRIVATE_KEY',
  DOB = 'DOB',
  ADDRESS = 'ADDRESS',
}

registerEnumType(MaskStyleEnum, { name: 'MaskStyle', description: 'REDACT `[EMAIL]`; PARTIAL keeps the last 4; HASH `tok_…` (HMAC with the connection key: equal values, equal tokens); NULL the cell becomes SQL NULL.' });
registerEnumType(MaskingEntity, { name: 'MaskingEntity' });
