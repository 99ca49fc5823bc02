/**
 * Plain configuration and result types. The control plane stores policies as
 * JSON and ships them to workers, so nothing here may hold functions or classes
 * (hashKey may be a Buffer on the worker side, a string in JSON).
 */

/** Entities a content detector can find. DOB and ADDRESS have no detector: column rules only. */
export const ENTITY_TYPES = [
  'EMAIL',
  'PHONE',
  'SSN',
  'CARD',
  'IBAN',
  'IP',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'GITHUB_TOKEN',
  'GITLAB_TOKEN',
  'SLACK_TOKEN',
  'JWT',
  'PRIVATE_KEY',
  'DOB',
  'ADDRESS',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Entities found by scanning content (everything except the column-rule-only ones). */
export const DETECTABLE_ENTITIES: readonly EntityType[] = ENTITY_TYPES.filter((e) => e !== 'DOB' && e !== 'ADDRESS');

export const MASK_STYLES = ['redact', 'partial', 'hash', 'null'] as const;
export type MaskStyle = (typeof MASK_STYLES)[number];

/** What a count can be about: an entity, a whole-cell FULL rule, or a fail-closed ERROR. */
export type CountKey = EntityType | 'FULL' | 'ERROR';
export type MaskCounts = Record<CountKey, number>;

export interface MaskingRule {
  id: string;
  /** Connection id or name this rule is scoped to; null/undefined = every connection. */
  connection?: string | null;
  match: {
    /** Glob on `schema.table.column` (`*` any run, `?` one char), case-insensitive. */
    column?: string;
    /** Column name only: a glob, or a regex written as `/source/flags` (always case-insensitive). */
    columnName?: string;
  };
  /**
   * The whole cell is masked as this entity (counted under it, `[EMAIL]` label…).
   * `FULL` or absent: the whole cell, labelled `[MASKED]`.
   */
  entity?: EntityType | 'FULL';
  style: MaskStyle;
  enabled: boolean;
}

export interface MaskingPolicy {
  enabled: boolean;
  /** Detectors switched on for content scanning. */
  entities: EntityType[];
  /** Style for content detections (column rules carry their own). */
  defaultStyle: MaskStyle;
  rules: MaskingRule[];
  /** Per-connection HMAC key for the `hash` style. */
  hashKey: Buffer | string;
  /** Per-entity style overrides for content detections. */
  entityStyles?: Partial<Record<EntityType, MaskStyle>>;
  /** Cells larger than this are replaced whole (fail closed). Default 4 MiB. */
  maxCellBytes?: number;
  /** Detection time budget per cell in ms; over it, the whole cell is replaced. Default 50. */
  maxCellMillis?: number;
}

/** A detected entity in a JS string; offsets are UTF-16 code-unit indices (`text.slice(start, end)`). */
export interface Span {
  entity: EntityType;
  start: number;
  end: number;
}

export interface ColumnInfo {
  schema?: string;
  table?: string;
  column: string;
  typeOid: number;
  /** Postgres format code: 0 text (default), 1 binary. */
  format?: 0 | 1;
}

export interface CellResult {
  value: Buffer | string | null;
  changed: boolean;
}

export interface MaskTextResult {
  text: string;
  spans: Span[];
  changed: boolean;
}
