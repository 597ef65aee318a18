/**
 * Allocation-free Gibbs (heat-bath) sweeps of the lattice Boltzmann sampler in `../initial.ts` (no validation: the
 * caller compiles and checks the tables).
 */
import type { Rng } from '../../rng.ts';

const TWO_POW_32_INV = 1 / 4294967296;
const TWO_POW_33_INV = 1 / 8589934592;

/**
 * Compiled Gibbs sampler: log-weights h (S + 1), J ((S + 1)²) and K ((S + 1)³), code 0 = empty (all zero), and,
 * when small enough, the table of cumulative conditional probabilities per neighbourhood.
 */
export interface GibbsTables {
  S: number;
  hasK: boolean;
  /** Neighbourhood size: `degree` (no K) or 4 (1-D with K: i − 2, i − 1, i + 1, i + 2). */
  width: number;
  logH: Float64Array;
  logJ: Float64Array;
  logK: Float64Array;
  /** `cumulative[index * (S + 1) + s]` = P(state ≤ s | neighbourhood index), or null (direct path). */
  cumulative: Float64Array | null;
  /** One species: ⌈P(empty | neighbourhood) · 2^32⌉ per neighbourhood (integer thresholds), else null. */
  thresholds: Float64Array | null;
  /** Scratch for the direct path: weights per state, and the neighbourhood codes (`width` entries). */
  weights: Float64Array;
  codes: Int32Array;
}

/**
 * Unnormalised conditional weights of the states 0..S of one site given its neighbourhood codes (`codes[t]`, the
 * occupancy code of neighbour t, 0 for empty or off-lattice): with K (1-D) the codes are (i − 2, i − 1, i + 1,
 * i + 2), else one per direction. Log-space, shifted by the maximum, so nothing overflows.
 */
export function conditionalWeights(
  logH: Float64Array,
  logJ: Float64Array,
  logK: Float64Array,
  B: number,
  hasK: boolean,
  codes: ArrayLike<number>,
  weights: Float64Array,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < B; s++) {
    let w = logH[s];
    if (hasK) {
      const l2 = codes[0];
      const l1 = codes[1];
      const r1 = codes[2];
      const r2 = codes[3];
      w += logJ[s * B + l1] + logJ[s * B + r1];
      w += logK[(l2 * B + l1) * B + s] + logK[(l1 * B + s) * B + r1] + logK[(s * B + r1) * B + r2];
    } else {
      for (let t = 0; t < codes.length; t++) w += logJ[s * B + codes[t]];
    }
    weights[s] = w;
    if (w > max) max = w;
  }
  for (let s = 0; s < B; s++) weights[s] = Math.exp(weights[s] - max);
}

/**
 * The Gibbs sweeps: site order, one 32-bit uniform per site update, allocation-free (scratch lives in the
 * tables). Three loops: 1-D with K from the table (the 2019 training data's case, hot), any lattice from the table,
 * and per-site conditionals when the table would be too large.
 */
export function gibbsSweeps(tables: GibbsTables, neighbors: Int32Array, degree: number, occ: Uint8Array, sweeps: number, rng: Rng): void {
  const { S, hasK, cumulative, weights, codes, logH, logJ, logK } = tables;
  const B = S + 1;
  const N = occ.length;
  if (cumulative !== null && hasK) {
    // 1-D (K implies one axis): a sliding window over the codes at i − 2, i − 1 (already updated this sweep),
    // i + 1, i + 2, read once per site; 0 beyond a closed end, wrapped on a ring (extent >= 3, checked, so a code
    // read one step ahead is never stale). Neighbourhood index c0 + c1 B + c2 B² + c3 B³ as in the table.
    const B2 = B * B;
    const B3 = B2 * B;
    const periodic = neighbors[0] >= 0;
    const thresholds = tables.thresholds;
    const at = (j: number): number => (j < N ? occ[j] : periodic ? occ[j - N] : 0);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      let l2 = periodic ? occ[N - 2] : 0;
      let l1 = periodic ? occ[N - 1] : 0;
      let r1 = at(1);
      let r2 = at(2);
      for (let i = 0; i < N; i++) {
        const index = l2 + l1 * B + r1 * B2 + r2 * B3;
        let s: number;
        if (thresholds !== null) {
          // One species: occupied iff x >= ⌈p_empty · 2^32⌉, i.e. u = x / 2^32 >= p_empty exactly, computed
          // branch-free (the branch would be mispredicted about half the time): (x − T) / 2^33 ∈ [−½, ½).
          s = Math.floor((rng.nextUint32() - thresholds[index]) * TWO_POW_33_INV + 1);
        } else {
          const u = rng.nextUint32() * TWO_POW_32_INV;
          const row = index * B;
          s = 0;
          while (s < S && u >= cumulative[row + s]) s++;
        }
        occ[i] = s;
        l2 = l1;
        l1 = s;
        r1 = r2;
        const j = i + 3;
        r2 = j < N ? occ[j] : periodic ? occ[j - N] : 0;
      }
    }
    return;
  }
  if (cumulative !== null) {
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (let i = 0; i < N; i++) {
        const base = i * degree;
        let index = 0;
        for (let t = degree - 1; t >= 0; t--) {
          const j = neighbors[base + t];
          index = index * B + (j >= 0 ? occ[j] : 0);
        }
        const u = rng.nextUint32() * TWO_POW_32_INV;
        const row = index * B;
        let s = 0;
        while (s < S && u >= cumulative[row + s]) s++;
        occ[i] = s;
      }
    }
    return;
  }
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let i = 0; i < N; i++) {
      if (hasK) {
        const left = neighbors[2 * i];
        const right = neighbors[2 * i + 1];
        const left2 = left >= 0 ? neighbors[2 * left] : -1;
        const right2 = right >= 0 ? neighbors[2 * right + 1] : -1;
        codes[0] = left2 >= 0 ? occ[left2] : 0;
        codes[1] = left >= 0 ? occ[left] : 0;
        codes[2] = right >= 0 ? occ[right] : 0;
        codes[3] = right2 >= 0 ? occ[right2] : 0;
      } else {
        const base = i * degree;
        for (let t = 0; t < degree; t++) {
          const j = neighbors[base + t];
          codes[t] = j >= 0 ? occ[j] : 0;
        }
      }
      const u = rng.nextUint32() * TWO_POW_32_INV;
      conditionalWeights(logH, logJ, logK, B, hasK, codes, weights);
      let total = 0;
      for (let k = 0; k < B; k++) total += weights[k];
      let acc = weights[0];
      const target = u * total;
      let s = 0;
      while (s < S && target >= acc) acc += weights[++s];
      occ[i] = s;
    }
  }
}
