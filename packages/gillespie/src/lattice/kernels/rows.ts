/**
 * Allocation-free row index of a single-occupancy lattice, for the original's row-biased picks (spec 2.3) without
 * scanning the lattice: per row the number of sites of every class (0 = free), per species k ≥ 1 and row a dense
 * list of the row's sites of that species, and per class a dense list of the rows holding at least one such site.
 * A pick draws a row uniformly from that list, then a site uniformly within the row: exactly "a row uniformly among
 * the rows with a match, then a match uniformly within the row". Species picks take the row's list (O(1)); free
 * sites, usually the bulk of a lattice, have no lists (so a rebuild touches only the particles): a free site of the
 * row is drawn by rejection (a uniform column until an empty one, at most two tries expected) when at least half
 * the row is free, else found by counting along the row (O(row length)). Rows are slabs of axis 0 (`rowLength`
 * consecutive sites). No validation.
 */
import type { Rng } from '../../rng.ts';
import { clearMovedFlags, LITTLE_ENDIAN } from './occupancy.ts';

/** The arrays of a row index over `classes` classes (0 = free), `rows` rows of `rowLength` sites. */
export interface RowIndex {
  readonly size: number;
  readonly rowLength: number;
  readonly rows: number;
  readonly classes: number;
  /** The occupancy codes the index describes (read by free-site picks). */
  readonly occupancy: Uint8Array;
  /** `lists[(k − 1) * size + r * rowLength + p]` for p < `rowCount[k * rows + r]`: the sites of species k in row r. */
  readonly lists: Int32Array;
  /** Position of each occupied site in its (species, row) list. */
  readonly position: Int32Array;
  /** Sites of class k in row r at `k * rows + r`. */
  readonly rowCount: Int32Array;
  /** `nonEmpty[k * rows + i]` for i < `nonEmptyCount[k]`: the rows holding class k. */
  readonly nonEmpty: Int32Array;
  /** Position of row r in the `nonEmpty` list of class k, at `k * rows + r` (−1 when absent). */
  readonly nonEmptyPosition: Int32Array;
  readonly nonEmptyCount: Int32Array;
}

/**
 * Allocates a row index over `occupancy` (call {@link rebuildRowIndex} before use).
 *
 * @example
 * ```ts
 * const ix = createRowIndex(state.occupancy, 40, 3); // 40 × 40 lattice, free + two species
 * rebuildRowIndex(ix);
 * rowIndexPick(ix, 1, createRng(1)); // a site of species 1, the original's way
 * ```
 */
export function createRowIndex(occupancy: Uint8Array, rowLength: number, classes: number): RowIndex {
  const size = occupancy.length;
  const rows = size / rowLength;
  return {
    size,
    rowLength,
    rows,
    classes,
    occupancy,
    lists: new Int32Array((classes - 1) * size),
    position: new Int32Array(size),
    rowCount: new Int32Array(classes * rows),
    nonEmpty: new Int32Array(classes * rows),
    nonEmptyPosition: new Int32Array(classes * rows),
    nonEmptyCount: new Int32Array(classes),
  };
}

/**
 * Rebuilds the whole index from the occupancy codes in one sequential pass (O(size + classes · rows)); writes only
 * for the particles, so after a sweep it costs much less than rebuilding the class lists.
 */
export function rebuildRowIndex(ix: RowIndex): void {
  const { occupancy, lists, position, rowCount, rowLength, rows, size } = ix;
  rowCount.fill(0);
  for (let r = 0, base = 0; r < rows; r++, base += rowLength) {
    let free = 0; // in a local: free sites are most of a large lattice
    for (let i = base; i < base + rowLength; i++) {
      const k = occupancy[i];
      if (k === 0) {
        free++;
        continue;
      }
      const p = rowCount[k * rows + r]++;
      lists[(k - 1) * size + base + p] = i;
      position[i] = p;
    }
    rowCount[r] = free;
  }
  rebuildNonEmptyRows(ix);
}

/**
 * {@link rebuildRowIndex} after a sweep that marked moved particles with a flag bit (0x80) in their occupancy codes:
 * clears the flags in the same pass. Reads four codes at a time and skips all-empty words when rows are whole words;
 * otherwise clears the flags in a pass of its own first. Same index as clearing the flags and rebuilding.
 *
 * @example
 * ```ts
 * rebuildRowIndexClearingFlags(ix); // after a sweep that wrote codes | 0x80
 * ```
 */
export function rebuildRowIndexClearingFlags(ix: RowIndex): void {
  const { occupancy, lists, position, rowCount, rowLength, rows, size } = ix;
  if (rowLength % 4 !== 0 || occupancy.byteOffset % 4 !== 0 || !LITTLE_ENDIAN) {
    clearMovedFlags(occupancy);
    rebuildRowIndex(ix);
    return;
  }
  const words = new Uint32Array(occupancy.buffer, occupancy.byteOffset, size >>> 2);
  const wordsPerRow = rowLength >>> 2;
  rowCount.fill(0);
  for (let r = 0, w = 0, base = 0; r < rows; r++, base += rowLength) {
    let particles = 0; // in a local: free sites are most of a large lattice
    for (let end = w + wordsPerRow; w < end; w++) {
      let word = words[w];
      if (word === 0) continue;
      word &= 0x7f7f7f7f;
      words[w] = word;
      const site0 = w << 2;
      // Visit only the non-zero codes, lowest byte first (the order of the byte-by-byte pass): no branch per empty
      // site, which the lattice's random emptiness pattern would mispredict.
      while (word !== 0) {
        // (a flagged 0, a consumed site, is 0 after clearing the flags)
        const shift = (31 - Math.clz32(word & -word)) & 24; // bit offset of the lowest non-zero byte
        const k = (word >>> shift) & 0xff;
        word ^= k << shift;
        const site = site0 + (shift >>> 3);
        const p = rowCount[k * rows + r]++;
        lists[(k - 1) * size + base + p] = site;
        position[site] = p;
        particles++;
      }
    }
    rowCount[r] = rowLength - particles;
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

/**
 * Writes the number of sites of every class (summed over the rows) into `counts[0 … classes − 1]`.
 *
 * @example
 * ```ts
 * countsFromRowIndex(ix, state.counts); // after rebuildRowIndex, when the sweep changed only occupancy codes
 * ```
 */
export function countsFromRowIndex(ix: RowIndex, counts: Int32Array): void {
  const { rowCount, rows, classes } = ix;
  for (let k = 0; k < classes; k++) {
    let n = 0;
    for (let r = k * rows, end = r + rows; r < end; r++) n += rowCount[r];
    counts[k] = n;
  }
}

/**
 * Moves `site` (in row `row`) from class `from` to class `to` in the index. Call it before or after changing the
 * occupancy code; the index reads no codes here.
 */
export function rowIndexMove(ix: RowIndex, site: number, row: number, from: number, to: number): void {
  const { lists, position, rowCount, nonEmpty, nonEmptyPosition, nonEmptyCount, rows, size } = ix;
  const base = row * ix.rowLength;
  const fromRow = from * rows + row;
  const last = --rowCount[fromRow];
  if (from !== 0) {
    // swap-remove from the (from, row) list
    const p = position[site];
    const moved = lists[(from - 1) * size + base + last];
    lists[(from - 1) * size + base + p] = moved;
    position[moved] = p;
  }
  if (last === 0) {
    const q = nonEmptyPosition[fromRow];
    const tail = nonEmpty[from * rows + --nonEmptyCount[from]];
    nonEmpty[from * rows + q] = tail;
    nonEmptyPosition[from * rows + tail] = q;
    nonEmptyPosition[fromRow] = -1;
  }
  const toRow = to * rows + row;
  const n = rowCount[toRow]++;
  if (to !== 0) {
    lists[(to - 1) * size + base + n] = site;
    position[site] = n;
  }
  if (n === 0) {
    const q = nonEmptyCount[to]++;
    nonEmpty[to * rows + q] = row;
    nonEmptyPosition[toRow] = q;
  }
}

/**
 * A site of class k picked the original's way: a row uniformly among the rows holding class k, then a site of
 * class k uniformly within that row. −1 when the class is empty (no draw then).
 */
export function rowIndexPick(ix: RowIndex, k: number, rng: Rng): number {
  const rowsWith = ix.nonEmptyCount[k];
  if (rowsWith === 0) return -1;
  const { rows, rowLength } = ix;
  const row = ix.nonEmpty[k * rows + Math.floor(rng.nextFloat64() * rowsWith)];
  const n = ix.rowCount[k * rows + row];
  const base = row * rowLength;
  if (k !== 0) return ix.lists[(k - 1) * ix.size + base + Math.floor(rng.nextFloat64() * n)];
  const occupancy = ix.occupancy;
  if (2 * n >= rowLength) {
    // Rejection: uniform columns until a free one, which is then uniform among the row's free sites.
    for (;;) {
      const site = base + Math.floor(rng.nextFloat64() * rowLength);
      if (occupancy[site] === 0) return site;
    }
  }
  let j = Math.floor(rng.nextFloat64() * n);
  for (let site = base; ; site++) if (occupancy[site] === 0 && j-- === 0) return site;
}
