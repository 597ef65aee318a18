/**
 * Allocation-free pair counting: `out[a * (S + 1) + b] += #{(i, d) : occ[i] = a, occ[table_d[i]] = b}` over
 * displacement tables (−1 entries are skipped).
 */
import type { RowIndex } from './rows.ts';

/** Dense pass over every site. */
export function accumulatePairsDense(
  occupancy: Uint8Array,
  tables: readonly Int32Array[],
  speciesCount: number,
  out: Float64Array,
): void {
  const stride = speciesCount + 1;
  const n = occupancy.length;
  const T = tables.length;
  for (let i = 0; i < n; i++) {
    const a = occupancy[i];
    if (a === 0) continue;
    for (let d = 0; d < T; d++) {
      const j = tables[d][i];
      if (j < 0) continue;
      const b = occupancy[j];
      if (b !== 0) out[a * stride + b]++;
    }
  }
}

/** Sparse pass over the per-species site lists of a lattice state (cost proportional to the particle count). */
export function accumulatePairsSparse(
  occupancy: Uint8Array,
  lists: Int32Array,
  counts: Int32Array,
  tables: readonly Int32Array[],
  speciesCount: number,
  out: Float64Array,
): void {
  const size = occupancy.length;
  if (speciesCount > MAX_LANE_SPECIES) {
    for (let a = 1; a <= speciesCount; a++) accumulateBranching(occupancy, lists, a * size, a * size + counts[a], tables, speciesCount, out, a);
    return;
  }
  const T = tables.length;
  const w = laneBits(speciesCount);
  const chunk = laneChunk(w, T);
  for (let a = 1; a <= speciesCount; a++) {
    const at = a * (speciesCount + 1);
    const end = a * size + counts[a];
    for (let p = a * size; p < end; ) {
      const stop = Math.min(end, p + chunk);
      let acc = 0;
      for (; p < stop; p++) acc += siteLanes(lists[p], occupancy, tables, T, w);
      unpackLanes(acc, w, speciesCount, out, at);
    }
  }
}

/**
 * Sparse pass over the particles of a row index (the per-(species, row) site lists of the row-biased kernel), for a
 * state whose class lists are stale: same pair counts as {@link accumulatePairsSparse} without rebuilding the lists.
 */
export function accumulatePairsRowIndex(
  occupancy: Uint8Array,
  ix: RowIndex,
  tables: readonly Int32Array[],
  speciesCount: number,
  out: Float64Array,
): void {
  const { lists, rowCount, rows, rowLength, size } = ix;
  if (speciesCount > MAX_LANE_SPECIES) {
    for (let a = 1; a <= speciesCount; a++) {
      for (let r = 0; r < rows; r++) {
        const start = (a - 1) * size + r * rowLength;
        accumulateBranching(occupancy, lists, start, start + rowCount[a * rows + r], tables, speciesCount, out, a);
      }
    }
    return;
  }
  const T = tables.length;
  const w = laneBits(speciesCount);
  const chunk = laneChunk(w, T);
  for (let a = 1; a <= speciesCount; a++) {
    const at = a * (speciesCount + 1);
    let acc = 0;
    let budget = chunk; // sites left before a lane could overflow
    for (let r = 0, start = (a - 1) * size; r < rows; r++, start += rowLength) {
      const end = start + rowCount[a * rows + r];
      for (let p = start; p < end; p++) {
        if (budget-- === 0) {
          unpackLanes(acc, w, speciesCount, out, at);
          acc = 0;
          budget = chunk - 1;
        }
        acc += siteLanes(lists[p], occupancy, tables, T, w);
      }
    }
    unpackLanes(acc, w, speciesCount, out, at);
  }
}

/**
 * With up to three species the neighbours' codes are tallied without a branch on the code or a store per
 * neighbour: code b adds 2^(w(b − 1)) to one 32-bit integer (code 0 adds nothing), in lanes of w = ⌊30 / S⌋ bits,
 * unpacked into the pair matrix before a lane could overflow. (Testing "is the neighbour empty?" mispredicts at the
 * lattice's densities, and incrementing the matrix per neighbour chains stores and loads of one cell.)
 */
const MAX_LANE_SPECIES = 3;

function laneBits(speciesCount: number): number {
  return (30 / speciesCount) | 0;
}

/** Sites per lane accumulator: each adds at most T to a lane of w bits. */
function laneChunk(w: number, T: number): number {
  return Math.max(1, Math.floor(((1 << w) - 1) / Math.max(T, 1)));
}

/** The lane increments of site i's neighbours (1 << (w · b) >>> w: 0 for b = 0; −1 entries add nothing). */
function siteLanes(i: number, occupancy: Uint8Array, tables: readonly Int32Array[], T: number, w: number): number {
  let acc = 0;
  for (let d = 0; d < T; d++) {
    const j = tables[d][i];
    if (j >= 0) acc += (1 << (w * occupancy[j])) >>> w;
  }
  return acc;
}

function unpackLanes(acc: number, w: number, speciesCount: number, out: Float64Array, at: number): void {
  const mask = (1 << w) - 1;
  for (let b = 1; b <= speciesCount; b++) out[at + b] += (acc >>> (w * (b - 1))) & mask;
}

/** `out[a * (S + 1) + b] += #{(p, d) : from ≤ p < to, b = occ[table_d[lists[p]]] ≠ 0}`, for sites of species a. */
function accumulateBranching(
  occupancy: Uint8Array,
  lists: Int32Array,
  from: number,
  to: number,
  tables: readonly Int32Array[],
  speciesCount: number,
  out: Float64Array,
  a: number,
): void {
  const T = tables.length;
  const at = a * (speciesCount + 1);
  for (let p = from; p < to; p++) {
    const i = lists[p];
    for (let d = 0; d < T; d++) {
      const j = tables[d][i];
      if (j < 0) continue;
      const b = occupancy[j];
      if (b !== 0) out[at + b]++;
    }
  }
}
