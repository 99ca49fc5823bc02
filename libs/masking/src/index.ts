export * from './types';
export { type CellWriter } from './cell-writer';
export { createMasker, type ColumnAction, type Masker, type MaskerOptions, type MaskTextOptions, type PlannedColumn, type ResultPlan, type RowCells } from './masker';
export { defaultPolicy, maskText, type MaskTextWithPolicyOptions } from './defaults';
export { emptyCounts } from './counts';
export { prefilter } from './prefilter';
export { typeClass, type TypeClass } from './pg-types';
export { type ColumnRef } from './rules';
