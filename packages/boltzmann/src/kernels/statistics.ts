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
    if (stride === 0) {
      homogeneousBiases(states, sb, L.size, L.stateCount + 1, out, ob);
      continue;
    }
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
    if (es === 0) {
      homogeneousPairs(states, lb, ub, el, eu, C.edgeCount, layers[C.lower].stateCount + 1, ku1, pi, out, wb);
      continue;
    }
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

// Homogeneous (weight-tied) layers and connections: every unit or edge adds to the same few statistics, so the
// states and state pairs are counted first in four banks of integer counters (consecutive units and edges mostly
// have the same states, and one bank would make every increment wait for the previous one; edges whose lower state is
// empty, most of them in lattice data, are skipped as before), and each count is then added once. The counts are
// integers, so the totals are exactly those of adding 1 per unit or edge.
let counters = new Int32Array(64);

function bank(cells: number): Int32Array {
  if (counters.length < 4 * cells) counters = new Int32Array(4 * cells);
  return counters;
}

/** out[ob + s] += #{i : states[sb + i] = s} for s = 1 .. K (k1 = K + 1). */
function homogeneousBiases(states: Uint8Array, sb: number, n: number, k1: number, out: Float64Array, ob: number): void {
  const cnt = bank(k1);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    cnt[states[sb + i]]++;
    cnt[k1 + states[sb + i + 1]]++;
    cnt[2 * k1 + states[sb + i + 2]]++;
    cnt[3 * k1 + states[sb + i + 3]]++;
  }
  for (; i < n; i++) cnt[states[sb + i]]++;
  for (let s = 0; s < k1; s++) {
    const m = cnt[s] + cnt[k1 + s] + cnt[2 * k1 + s] + cnt[3 * k1 + s];
    if (s !== 0 && m !== 0) out[ob + s] += m;
    cnt[s] = cnt[k1 + s] = cnt[2 * k1 + s] = cnt[3 * k1 + s] = 0;
  }
}

/** out[wb + p(a, b)] += #{e : (states[lb + el[e]], states[ub + eu[e]]) = (a, b)} over the coupled pairs, a, b ≥ 1. */
function homogeneousPairs(
  states: Uint8Array,
  lb: number,
  ub: number,
  el: Int32Array,
  eu: Int32Array,
  edges: number,
  kl1: number,
  ku1: number,
  pi: Int32Array,
  out: Float64Array,
  wb: number,
): void {
  const cells = kl1 * ku1;
  const cnt = bank(cells);
  for (let e = 0; e < edges; e++) {
    const a = states[lb + el[e]];
    if (a !== 0) cnt[(e & 3) * cells + a * ku1 + states[ub + eu[e]]]++;
  }
  for (let x = 0; x < cells; x++) {
    const m = cnt[x] + cnt[cells + x] + cnt[2 * cells + x] + cnt[3 * cells + x];
    const p = pi[x];
    if (x >= ku1 && x % ku1 !== 0 && p >= 0 && m !== 0) out[wb + p] += m;
    cnt[x] = cnt[cells + x] = cnt[2 * cells + x] = cnt[3 * cells + x] = 0;
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
