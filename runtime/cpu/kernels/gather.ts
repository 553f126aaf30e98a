/** Embedding lookup (row gather) and its backward (row scatter-add). */
import type { FloatArray } from './types.ts';

/**
 * Reads id `r` (stored as a float) and checks it names one of `tableRows` rows; the comparison
 * form rejects NaN too. Fractional ids truncate.
 */
function rowId(kernel: string, ids: FloatArray, idsOff: number, r: number, tableRows: number): number {
  const id = ids[idsOff + r]!;
  if (!(id >= 0 && id < tableRows))
    throw new RangeError(`${kernel}: row ${r} has id ${id}, outside the table of ${tableRows} rows`);
  return id | 0;
}

/**
 * Rows of `d` elements that fit in `table` after `tableOff`: the default table size. With
 * `d = 0` the buffer says nothing about the row count, so any non-negative id passes.
 */
function rowsInBuffer(table: FloatArray, tableOff: number, d: number): number {
  return d > 0 ? Math.floor((table.length - tableOff) / d) : Infinity;
}

/**
 * `out[r, :] = table[ids[r], :]` for `r` in `[0, rows)`: `table` is `[tableRows, d]`, `out`
 * `[rows, d]`, `ids` holds `rows` row ids as floats. `tableRows` defaults to the rows that fit in
 * the buffer after `tableOff`; pass it when the table shares an arena with other tensors, or a
 * bad id could read a neighbour. Throws `RangeError` naming the row, id and table size for an id
 * outside `[0, tableRows)` (earlier rows are already written). `rows ≤ 0` does nothing; with
 * `d = 0` only the ids are checked. Does not allocate (except the error).
 */
export function gather(
  rows: number,
  d: number,
  table: FloatArray,
  tableOff: number,
  ids: FloatArray,
  idsOff: number,
  out: FloatArray,
  outOff: number,
  tableRows: number = rowsInBuffer(table, tableOff, d),
): void {
  for (let r = 0; r < rows; r++) {
    const src = tableOff + rowId('gather', ids, idsOff, r, tableRows) * d;
    const dst = outOff + r * d;
    for (let j = 0; j < d; j++) out[dst + j] = table[src + j]!;
  }
}

/**
 * Backward of {@link gather}: `dTable[ids[r], :] += dOut[r, :]` for `r` in `[0, rows)`, so a
 * row looked up several times receives the sum of its gradients. `dTable` is `[tableRows, d]`
 * (default: the rows that fit after `dTableOff`), `dOut` `[rows, d]`. Always accumulates; the
 * caller zeroes `dTable` when it starts a fresh gradient. Bad ids throw like {@link gather}.
 * `rows ≤ 0` does nothing. Does not allocate (except the error).
 */
export function scatterAdd(
  rows: number,
  d: number,
  dOut: FloatArray,
  dOutOff: number,
  ids: FloatArray,
  idsOff: number,
  dTable: FloatArray,
  dTableOff: number,
  tableRows: number = rowsInBuffer(dTable, dTableOff, d),
): void {
  for (let r = 0; r < rows; r++) {
    const dst = dTableOff + rowId('scatterAdd', ids, idsOff, r, tableRows) * d;
    const src = dOutOff + r * d;
    for (let j = 0; j < d; j++) dTable[dst + j] = dTable[dst + j]! + dOut[src + j]!;
  }
}
