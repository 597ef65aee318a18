/**
 * Allocation-free sufficient-statistics kernels. No validation. The statistics vector has the layout of the
 * parameter vector: T_θ = −∂E/∂θ, i.e. Σ_i s_{i,α} for a homogeneous bias, s_{i,α} for a per-unit bias,
 * Σ_{(i,j)∈E} s_{i,α} s_{j,β} for a homogeneous weight and s_{i,α} s_{j,β} for the weight of edge (i, j), and
 * Σ_i s_{i,a} s_{i+1,b} s_{i+2,c} for a triplet weight (never centered).
 *
 * @packageDocumentation
 */

import type { Machine } from '../machine.ts';

/**
 * Raw statistics of chain `chain` of a state array, written (not added) to `out[outOffset .. outOffset + P)`.
 *
 * @example
 * ```ts
 * statisticsFromStates(machine, states, 0, out, 0);
 * ```
 */
export function statisticsFromStates(
  machine: Machine,
  states: Uint8Array,
  chain: number,
  out: Float64Array,
  outOffset: number,
): void {
  const P = machine.parameters.count;
  out.fill(0, outOffset, outOffset + P);
  const base = chain * machine.unitCount;
  const layers = machine.layers;
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l];
    const sb = base + L.unitOffset;
    const ob = outOffset + L.biasStart - 1;
    const stride = L.biasStride;
    for (let i = 0; i < L.size; i++) {
      const s = states[sb + i];
      if (s !== 0) out[ob + i * stride + s] += 1;
    }
  }
  const conns = machine.connections;
  for (let c = 0; c < conns.length; c++) {
    const C = conns[c];
    const lb = base + layers[C.lower].unitOffset;
    const ub = base + layers[C.upper].unitOffset;
    const ku1 = layers[C.upper].stateCount + 1;
    const el = C.edgeLower;
    const eu = C.edgeUpper;
    const pi = C.pairIndex;
    const wb = outOffset + C.weightStart;
    const es = C.edgeStride;
    for (let e = 0; e < C.edgeCount; e++) {
      const a = states[lb + el[e]];
      if (a === 0) continue;
      const b = states[ub + eu[e]];
      if (b === 0) continue;
      const p = pi[a * ku1 + b];
      if (p >= 0) out[wb + e * es + p] += 1;
    }
  }
  const trips = machine.triplets;
  for (let t = 0; t < trips.length; t++) {
    const Tr = trips[t];
    const L = layers[Tr.layer];
    const sb = base + L.unitOffset;
    const n = L.size;
    const k1 = L.stateCount + 1;
    const ti = Tr.tripleIndex;
    const wb = outOffset + Tr.weightStart;
    for (let i = 0; i < n; i++) {
      const a = states[sb + i];
      if (a === 0) continue;
      const b = states[sb + (i + 1 < n ? i + 1 : i + 1 - n)];
      if (b === 0) continue;
      const c = states[sb + (i + 2 < n ? i + 2 : i + 2 - n)];
      if (c === 0) continue;
      const p = ti[(a * k1 + b) * k1 + c];
      if (p >= 0) out[wb + p] += 1;
    }
  }
}

/**
 * Statistics of chain `chain` of a probability array (expected one-hot values in place of states): bias terms
 * Σ_i p_{i,α}, weight terms Σ_e p_{i,α} p_{j,β} (products of conditional means). Written to `out`.
 *
 * @example
 * ```ts
 * statisticsFromProbabilities(machine, probs, 0, out, 0);
 * ```
 */
export function statisticsFromProbabilities(
  machine: Machine,
  probs: Float64Array,
  chain: number,
  out: Float64Array,
  outOffset: number,
): void {
  const P = machine.parameters.count;
  out.fill(0, outOffset, outOffset + P);
  const base = chain * machine.probabilityCount;
  const layers = machine.layers;
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l];
    const k = L.stateCount;
    const pb = base + L.probabilityOffset;
    const ob = outOffset + L.biasStart;
    const stride = L.biasStride;
    for (let i = 0; i < L.size; i++) {
      for (let a = 0; a < k; a++) out[ob + i * stride + a] += probs[pb + i * k + a];
    }
  }
  const conns = machine.connections;
  for (let c = 0; c < conns.length; c++) {
    const C = conns[c];
    const kl = layers[C.lower].stateCount;
    const ku = layers[C.upper].stateCount;
    const lb = base + layers[C.lower].probabilityOffset;
    const ub = base + layers[C.upper].probabilityOffset;
    const el = C.edgeLower;
    const eu = C.edgeUpper;
    const pairs = C.pairs;
    const np = C.pairCount;
    const wb = outOffset + C.weightStart;
    const es = C.edgeStride;
    for (let e = 0; e < C.edgeCount; e++) {
      const ib = lb + el[e] * kl - 1;
      const jb = ub + eu[e] * ku - 1;
      const ob = wb + e * es;
      for (let p = 0; p < np; p++) out[ob + p] += probs[ib + pairs[2 * p]] * probs[jb + pairs[2 * p + 1]];
    }
  }
  const trips = machine.triplets;
  for (let t = 0; t < trips.length; t++) {
    const Tr = trips[t];
    const L = layers[Tr.layer];
    const k = L.stateCount;
    const n = L.size;
    const pb = base + L.probabilityOffset - 1;
    const tr = Tr.triples;
    const wb = outOffset + Tr.weightStart;
    for (let i = 0; i < n; i++) {
      const ib = pb + i * k;
      const jb = pb + (i + 1 < n ? i + 1 : i + 1 - n) * k;
      const lb = pb + (i + 2 < n ? i + 2 : i + 2 - n) * k;
      for (let p = 0; p < Tr.tripleCount; p++) out[wb + p] += probs[ib + tr[3 * p]] * probs[jb + tr[3 * p + 1]] * probs[lb + tr[3 * p + 2]];
    }
  }
}

/**
 * Turns raw statistics (at `stats[offset ..]`) into centered ones in place: the weight terms become
 * Σ_e (s_{i,α} − μ_α)(s_{j,β} − μ_β) = raw − μ_β Σ_e s_{i,α} − μ_α Σ_e s_{j,β} + |E| μ_α μ_β, computed from the bias
 * terms (Σ_e s_{i,α} = q·Σ_i s_{i,α} when homogeneous). Bias terms are unchanged. Works for state and probability
 * statistics alike.
 *
 * @example
 * ```ts
 * centerStatisticsInPlace(machine, stats, 0, centers);
 * ```
 */
export function centerStatisticsInPlace(
  machine: Machine,
  stats: Float64Array,
  offset: number,
  centers: Float64Array,
): void {
  const layers = machine.layers;
  const conns = machine.connections;
  for (let c = 0; c < conns.length; c++) {
    const C = conns[c];
    const L = layers[C.lower];
    const U = layers[C.upper];
    for (let p = 0; p < C.pairCount; p++) {
      const a = C.pairs[2 * p];
      const b = C.pairs[2 * p + 1];
      const ma = centers[L.centerOffset + a - 1];
      const mb = centers[U.centerOffset + b - 1];
      if (C.edgeStride === 0) {
        const na = stats[offset + L.biasStart + a - 1];
        const nb = stats[offset + U.biasStart + b - 1];
        stats[offset + C.weightStart + p] +=
          -mb * C.lowerMultiplicity * na - ma * C.upperMultiplicity * nb + C.edgeCount * ma * mb;
      } else {
        const la = offset + L.biasStart + a - 1;
        const ub = offset + U.biasStart + b - 1;
        const wb = offset + C.weightStart + p;
        for (let e = 0; e < C.edgeCount; e++) {
          const x = stats[la + C.edgeLower[e] * L.biasStride];
          const y = stats[ub + C.edgeUpper[e] * U.biasStride];
          stats[wb + e * C.edgeStride] += -mb * x - ma * y + ma * mb;
        }
      }
    }
  }
}
