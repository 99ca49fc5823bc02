/** Where maskInto writes a changed cell of column `col` (pg-wire's DataRowWriter is one). */
export interface CellWriter {
  null(col: number): void;
  text(col: number, s: string): void;
  bytes(col: number, b: Buffer): void;
  /** src[from, to) with its `count` ranges [from + start[k], from + end[k]) (sorted, disjoint) replaced by pieces[piece[k]]. */
  spliced(col: number, src: Buffer, from: number, to: number, count: number, piece: ArrayLike<number>, start: ArrayLike<number>, end: ArrayLike<number>, pieces: readonly Buffer[]): void;
}
