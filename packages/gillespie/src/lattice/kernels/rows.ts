/**
 * Allocation-free row index of a single-occupancy lattice, for the original's row-biased picks (spec 2.3) in O(1):
 * per class k (0 = free sites) and row r a dense list of the row's sites of that class, and per class a dense list
 * of the rows holding at least one such site. A pick draws a row uniformly from that list, then a site uniformly
 * from the row's list: exactly "a row uniformly among the rows with a match, then a match uniformly within the
 * row", without scanning the lattice. Rows are slabs of axis 0 (`rowLength` consecutive sites). No validation.
 */
import type { Rng } from '../../rng.ts';
import type { OccupancyArrays } from './occupancy.ts';

/** The arrays of a row index over `classes` classes (0 = free), `rows` rows of `rowLength` sites. */
export interface RowIndex {
  readonly size: number;
  readonly rowLength: number;
  readonly rows: number;
  readonly classes: number;
  /** `lists[k * size + r * rowLength + p]` for p < `rowCount[k * rows + r]`: the sites of class k in row r. */
  readonly lists: Int32Array;
  /** Position of each site in its (class, row) list. */
  readonly position: Int32Array;
  /** Sites of class k in row r at `k * rows + r`. */
  readonly rowCount: Int32Array;
  /** `nonEmpty[k * rows + i]` for i < `nonEmptyCount[k]`: the rows holding class k. */
  readonly nonEmpty: Int32Array;
  /** Position of row r in the `nonEmpty` list of class k, at `k * rows + r` (−1 when absent). */
  readonly nonEmptyPosition: Int32Array;
  readonly nonEmptyCount: Int32Array;
}

/** Allocates a row index (call {@link rebuildRowIndex} before use). */
export function createRowIndex(size: number, rowLength: number, classes: number): RowIndex {
  const rows = size / rowLength;
  return {
    size,
    rowLength,
    rows,
    classes,
    lists: new Int32Array(classes * size),
    position: new Int32Array(size),
    rowCount: new Int32Array(classes * rows),
    nonEmpty: new Int32Array(classes * rows),
    nonEmptyPosition: new Int32Array(classes * rows),
    nonEmptyCount: new Int32Array(classes),
  };
}

/** Rebuilds the whole index from occupancy codes in one sequential pass (O(size + classes · rows)). */
export function rebuildRowIndex(ix: RowIndex, occupancy: Uint8Array): void {
  const { lists, position, rowCount, rowLength, rows, size } = ix;
  rowCount.fill(0);
  for (let r = 0, base = 0; r < rows; r++, base += rowLength) {
    for (let i = base; i < base + rowLength; i++) {
      const k = occupancy[i];
      const p = rowCount[k * rows + r]++;
      lists[k * size + base + p] = i;
      position[i] = p;
    }
  }
  rebuildNonEmptyRows(ix);
}

/**
 * Rebuilds the class lists of `s` (as `rebuildLists` does) and the row index together, in one sequential pass over
 * the occupancy codes: cheaper than two passes after a sweep on a large lattice.
 */
export function rebuildListsAndRowIndex(s: OccupancyArrays, ix: RowIndex): void {
  const { occupancy, lists, position, counts, size } = s;
  const { rowCount, rowLength, rows } = ix;
  const rowLists = ix.lists;
  const rowPosition = ix.position;
  counts.fill(0);
  rowCount.fill(0);
  for (let r = 0, base = 0; r < rows; r++, base += rowLength) {
    for (let i = base; i < base + rowLength; i++) {
      const k = occupancy[i];
      const p = counts[k]++;
      lists[k * size + p] = i;
      position[i] = p;
      const q = rowCount[k * rows + r]++;
      rowLists[k * size + base + q] = i;
      rowPosition[i] = q;
    }
  }
  rebuildNonEmptyRows(ix);
}

function rebuildNonEmptyRows(ix: RowIndex): void {
  const { rowCount, nonEmpty, nonEmptyPosition, nonEmptyCount, rows, classes } = ix;
  for (let k = 0; k < classes; k++) {
    let n = 0;
    for (let r = 0; r < rows; r++) {
      if (rowCount[k * rows + r] > 0) {
        nonEmpty[k * rows + n] = r;
        nonEmptyPosition[k * rows + r] = n++;
      } else nonEmptyPosition[k * rows + r] = -1;
    }
    nonEmptyCount[k] = n;
  }
}

/** Moves `site` (in row `row`) from class `from` to class `to` in the index (the occupancy code is the caller's). */
export function rowIndexMove(ix: RowIndex, site: number, row: number, from: number, to: number): void {
  const { lists, position, rowCount, nonEmpty, nonEmptyPosition, nonEmptyCount, rows, size } = ix;
  const base = row * ix.rowLength;
  // swap-remove from (from, row)
  const fromRow = from * rows + row;
  const last = --rowCount[fromRow];
  const p = position[site];
  const moved = lists[from * size + base + last];
  lists[from * size + base + p] = moved;
  position[moved] = p;
  if (last === 0) {
    const q = nonEmptyPosition[fromRow];
    const tail = nonEmpty[from * rows + --nonEmptyCount[from]];
    nonEmpty[from * rows + q] = tail;
    nonEmptyPosition[from * rows + tail] = q;
    nonEmptyPosition[fromRow] = -1;
  }
  // append to (to, row)
  const toRow = to * rows + row;
  const n = rowCount[toRow]++;
  lists[to * size + base + n] = site;
  position[site] = n;
  if (n === 0) {
    const q = nonEmptyCount[to]++;
    nonEmpty[to * rows + q] = row;
    nonEmptyPosition[toRow] = q;
  }
}

/**
 * A site of class k picked the original's way: a row uniformly among the rows holding class k, then a site of
 * class k uniformly within that row (two uniform draws). −1 when the class is empty (no draw then).
 */
export function rowIndexPick(ix: RowIndex, k: number, rng: Rng): number {
  const rowsWith = ix.nonEmptyCount[k];
  if (rowsWith === 0) return -1;
  const row = ix.nonEmpty[k * ix.rows + Math.floor(rng.nextFloat64() * rowsWith)];
  const n = ix.rowCount[k * ix.rows + row];
  return ix.lists[k * ix.size + row * ix.rowLength + Math.floor(rng.nextFloat64() * n)];
}
