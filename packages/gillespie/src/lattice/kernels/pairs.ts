/**
 * Allocation-free pair counting: `out[a * (S + 1) + b] += #{(i, d) : occ[i] = a, occ[table_d[i]] = b}` over
 * displacement tables (−1 entries are skipped).
 */

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
  const stride = speciesCount + 1;
  const size = occupancy.length;
  const T = tables.length;
  for (let a = 1; a <= speciesCount; a++) {
    const start = a * size;
    const end = start + counts[a];
    for (let p = start; p < end; p++) {
      const i = lists[p];
      for (let d = 0; d < T; d++) {
        const j = tables[d][i];
        if (j < 0) continue;
        const b = occupancy[j];
        if (b !== 0) out[a * stride + b]++;
      }
    }
  }
}
