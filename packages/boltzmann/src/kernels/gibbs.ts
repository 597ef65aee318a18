/**
 * Allocation-free block-update kernels. No validation: callers (src/sampling.ts) check every argument.
 *
 * A layer update visits every unit u of the target layer in every chain, accumulates the activations
 * act_k = bias_{u,k} + Σ_blocks Σ_{edges e of u} M[e·ms + s_v·K + k − 1] over the neighbours v in the source layers
 * (M is the coupling matrix of the block, row 0 = empty source state = zeros), and then draws the new state from the
 * softmax over {empty (logit 0), 1..K}, or writes the probabilities.
 *
 * @packageDocumentation
 */

import type { RandomSource as Rng } from '../random-source.ts';

const TWO_POW_M32 = 2.3283064365386963e-10;

/**
 * The incoming blocks of one target layer (one per incident connection). Arrays are indexed by block.
 *
 * @example
 * ```ts
 * // built by src/sampling.ts from a Machine; see compileCouplings
 * ```
 */
export interface BlockSet {
  count: number;
  ptr: Int32Array[];
  adj: Int32Array[];
  edge: Int32Array[];
  /** Unit offset of the source layer inside a chain row. */
  srcUnitOffset: Int32Array;
  /** Probability offset of the source layer inside a chain row. */
  srcProbOffset: Int32Array;
  /** K of the source layer. */
  srcK: Int32Array;
  /** Coupling matrices, (K_src + 1) × K_target per edge (per-unit) or shared (homogeneous). */
  mat: Float64Array[];
  /** Matrix stride per edge: 0 when homogeneous. */
  matStride: Int32Array;
  /**
   * Triplet couplings of the target layer (1-D, homogeneous), or null: `triplet[(a·(K + 1) + b)·(K + 1) + c]` is the
   * summed weight of the state triple (a, b, c) at three consecutive sites (0 where any state is empty).
   */
  triplet: Float64Array | null;
}

/**
 * Adds the triplet activations of unit u (of a periodic 1-D layer of n ≥ 3 units whose states start at `base`) to
 * `act[0..k)`: for state t, T[s(u−2), s(u−1), t] + T[s(u−1), t, s(u+1)] + T[t, s(u+1), s(u+2)].
 *
 * @example
 * ```ts
 * addTripletActivations(states, tBase, u, n, k, blocks.triplet, act);
 * ```
 */
export function addTripletActivations(
  states: Uint8Array,
  base: number,
  u: number,
  n: number,
  k: number,
  tri: Float64Array,
  act: Float64Array,
): void {
  const k1 = k + 1;
  const um1 = u === 0 ? n - 1 : u - 1;
  const um2 = um1 === 0 ? n - 1 : um1 - 1;
  const up1 = u === n - 1 ? 0 : u + 1;
  const up2 = up1 === n - 1 ? 0 : up1 + 1;
  const x = states[base + um2];
  const y = states[base + um1];
  const z = states[base + up1];
  const w = states[base + up2];
  const left = (x * k1 + y) * k1;
  const mid = y * k1 * k1 + z;
  const right = z * k1 + w;
  for (let t = 1; t <= k; t++) act[t - 1] += tri[left + t] + tri[mid + t * k1] + tri[t * k1 * k1 + right];
}

/**
 * Mean-field triplet activations of unit u from the layer's probabilities (`pb` = start of the layer in the chain's
 * row; unit v, state a at `pb + v·k + a − 1`): the triplet terms with the neighbours' one-hot values replaced by their
 * probabilities (products of independent means).
 *
 * @example
 * ```ts
 * addTripletMeanField(probs, pb, u, n, k, blocks.triplet, act);
 * ```
 */
export function addTripletMeanField(
  probs: Float64Array,
  pb: number,
  u: number,
  n: number,
  k: number,
  tri: Float64Array,
  act: Float64Array,
): void {
  const k1 = k + 1;
  const um1 = u === 0 ? n - 1 : u - 1;
  const um2 = um1 === 0 ? n - 1 : um1 - 1;
  const up1 = u === n - 1 ? 0 : u + 1;
  const up2 = up1 === n - 1 ? 0 : up1 + 1;
  for (let a = 1; a <= k; a++) {
    const pa2 = probs[pb + um2 * k + a - 1];
    const pa1 = probs[pb + um1 * k + a - 1];
    const pz1 = probs[pb + up1 * k + a - 1];
    for (let b = 1; b <= k; b++) {
      const left = pa2 * probs[pb + um1 * k + b - 1]; // (u−2 = a, u−1 = b)
      const mid = pa1 * probs[pb + up1 * k + b - 1]; // (u−1 = a, u+1 = b)
      const right = pz1 * probs[pb + up2 * k + b - 1]; // (u+1 = a, u+2 = b)
      for (let t = 1; t <= k; t++) {
        act[t - 1] += left * tri[(a * k1 + b) * k1 + t] + mid * tri[(a * k1 + t) * k1 + b] + right * tri[(t * k1 + a) * k1 + b];
      }
    }
  }
}

/** Kernel mode bits for {@link updateLayerFromStates}. */
export const MODE_SAMPLE = 1;
/** Kernel mode bit: write the conditional probabilities. */
export const MODE_PROBABILITIES = 2;

/**
 * Softmax with the empty state at logit 0, stable for any finite activations: subtracts max(0, act) first.
 * Overwrites `act[0..k)` with the non-empty probabilities and returns the empty-state probability.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(1000, -1000);
 * softmaxWithEmpty(a, 2); // 0, and a = [1, 0]
 * ```
 */
export function softmaxWithEmpty(act: Float64Array, k: number): number {
  let m = 0;
  for (let t = 0; t < k; t++) if (act[t] > m) m = act[t];
  const e0 = Math.exp(-m);
  let z = e0;
  for (let t = 0; t < k; t++) {
    const w = Math.exp(act[t] - m);
    act[t] = w;
    z += w;
  }
  const inv = 1 / z;
  for (let t = 0; t < k; t++) act[t] *= inv;
  return e0 * inv;
}

/**
 * Updates one layer in chains [c0, c1) from the binary states of its neighbours. With MODE_SAMPLE the new states are
 * written into `states`; with MODE_PROBABILITIES the conditional probabilities go to `probs` (both bits: both).
 *
 * @example
 * ```ts
 * updateLayerFromStates(states, machine.unitCount, null, 0, 0, chains, layer.unitOffset, 0, layer.size,
 *   layer.stateCount, params, layer.biasStart, layer.biasStride, blocks, act, rng, MODE_SAMPLE);
 * ```
 */
export function updateLayerFromStates(
  states: Uint8Array,
  stateStride: number,
  probs: Float64Array | null,
  probStride: number,
  c0: number,
  c1: number,
  unitOffset: number,
  probOffset: number,
  n: number,
  k: number,
  params: Float64Array,
  biasStart: number,
  biasStride: number,
  blocks: BlockSet,
  act: Float64Array,
  rng: Rng,
  mode: number,
): void {
  const sample = (mode & MODE_SAMPLE) !== 0;
  const writeProbs = (mode & MODE_PROBABILITIES) !== 0 && probs !== null;
  const nb = blocks.count;
  const tri = blocks.triplet;
  if (k === 2 && biasStride === 0 && !writeProbs && sample && tri === null) {
    let homogeneous = true;
    for (let b = 0; b < nb; b++) if (blocks.matStride[b] !== 0) homogeneous = false;
    if (homogeneous) {
      sampleHomogeneous2(states, stateStride, c0, c1, unitOffset, n, params[biasStart], params[biasStart + 1], blocks, rng);
      return;
    }
  }
  for (let c = c0; c < c1; c++) {
    const sBase = c * stateStride;
    const tBase = sBase + unitOffset;
    for (let u = 0; u < n; u++) {
      const bb = biasStart + u * biasStride;
      for (let t = 0; t < k; t++) act[t] = params[bb + t];
      for (let b = 0; b < nb; b++) {
        const ptr = blocks.ptr[b];
        const adj = blocks.adj[b];
        const mat = blocks.mat[b];
        const ms = blocks.matStride[b];
        const src = sBase + blocks.srcUnitOffset[b];
        const e1 = ptr[u + 1];
        if (ms === 0) {
          for (let e = ptr[u]; e < e1; e++) {
            const sv = states[src + adj[e]];
            if (sv !== 0) {
              const row = sv * k;
              for (let t = 0; t < k; t++) act[t] += mat[row + t];
            }
          }
        } else {
          const edge = blocks.edge[b];
          for (let e = ptr[u]; e < e1; e++) {
            const sv = states[src + adj[e]];
            if (sv !== 0) {
              const row = edge[e] * ms + sv * k;
              for (let t = 0; t < k; t++) act[t] += mat[row + t];
            }
          }
        }
      }
      if (tri !== null) addTripletActivations(states, tBase, u, n, k, tri, act);
      // Stable softmax including the empty state (logit 0).
      let m = 0;
      for (let t = 0; t < k; t++) if (act[t] > m) m = act[t];
      const e0 = Math.exp(-m);
      let z = e0;
      for (let t = 0; t < k; t++) {
        const w = Math.exp(act[t] - m);
        act[t] = w;
        z += w;
      }
      if (writeProbs) {
        const pb = c * probStride + probOffset + u * k;
        const inv = 1 / z;
        for (let t = 0; t < k; t++) probs[pb + t] = act[t] * inv;
      }
      if (sample) {
        // One uniform against the cumulative weights, summed in the same order as z, so r < z always selects.
        const r = rng.nextUint32() * TWO_POW_M32 * z;
        let s = 0;
        let cum = e0;
        if (r >= cum) {
          s = k;
          for (let t = 0; t < k; t++) {
            cum += act[t];
            if (r < cum) {
              s = t + 1;
              break;
            }
          }
        }
        states[tBase + u] = s;
      }
    }
  }
}

/** Specialised sampler for the paper's case: K = 2, homogeneous parameters (same result as the generic path). */
function sampleHomogeneous2(
  states: Uint8Array,
  stateStride: number,
  c0: number,
  c1: number,
  unitOffset: number,
  n: number,
  b0: number,
  b1: number,
  blocks: BlockSet,
  rng: Rng,
): void {
  const nb = blocks.count;
  for (let c = c0; c < c1; c++) {
    const sBase = c * stateStride;
    const tBase = sBase + unitOffset;
    for (let u = 0; u < n; u++) {
      let a0 = b0;
      let a1 = b1;
      for (let b = 0; b < nb; b++) {
        const ptr = blocks.ptr[b];
        const adj = blocks.adj[b];
        const mat = blocks.mat[b];
        const src = sBase + blocks.srcUnitOffset[b];
        const e1 = ptr[u + 1];
        for (let e = ptr[u]; e < e1; e++) {
          const sv = states[src + adj[e]];
          if (sv !== 0) {
            a0 += mat[2 * sv];
            a1 += mat[2 * sv + 1];
          }
        }
      }
      let m = 0;
      if (a0 > m) m = a0;
      if (a1 > m) m = a1;
      const e0 = Math.exp(-m);
      const w0 = Math.exp(a0 - m);
      const w1 = Math.exp(a1 - m);
      const r = rng.nextUint32() * TWO_POW_M32 * (e0 + w0 + w1);
      states[tBase + u] = r < e0 ? 0 : r < e0 + w0 ? 1 : 2;
    }
  }
}

/**
 * Mean-field update of one layer in chains [c0, c1): activations from the neighbours' probabilities (expected one-hot
 * values), softmax into `probs`, optionally damped: p ← damping·p_old + (1 − damping)·p_new.
 *
 * @example
 * ```ts
 * updateLayerMeanField(probs, machine.probabilityCount, 0, chains, layer.probabilityOffset, layer.size,
 *   layer.stateCount, params, layer.biasStart, layer.biasStride, blocks, act, 0);
 * ```
 */
export function updateLayerMeanField(
  probs: Float64Array,
  probStride: number,
  c0: number,
  c1: number,
  probOffset: number,
  n: number,
  k: number,
  params: Float64Array,
  biasStart: number,
  biasStride: number,
  blocks: BlockSet,
  act: Float64Array,
  damping: number,
): void {
  const nb = blocks.count;
  const tri = blocks.triplet;
  for (let c = c0; c < c1; c++) {
    const pBase = c * probStride;
    for (let u = 0; u < n; u++) {
      const bb = biasStart + u * biasStride;
      for (let t = 0; t < k; t++) act[t] = params[bb + t];
      for (let b = 0; b < nb; b++) {
        const ptr = blocks.ptr[b];
        const adj = blocks.adj[b];
        const edge = blocks.edge[b];
        const mat = blocks.mat[b];
        const ms = blocks.matStride[b];
        const ks = blocks.srcK[b];
        const src = pBase + blocks.srcProbOffset[b];
        const e1 = ptr[u + 1];
        for (let e = ptr[u]; e < e1; e++) {
          const vb = src + adj[e] * ks;
          const mb = edge[e] * ms;
          for (let a = 1; a <= ks; a++) {
            const p = probs[vb + a - 1];
            if (p !== 0) {
              const row = mb + a * k;
              for (let t = 0; t < k; t++) act[t] += p * mat[row + t];
            }
          }
        }
      }
      if (tri !== null) addTripletMeanField(probs, pBase + probOffset, u, n, k, tri, act);
      softmaxWithEmpty(act, k);
      const pb = pBase + probOffset + u * k;
      if (damping === 0) {
        for (let t = 0; t < k; t++) probs[pb + t] = act[t];
      } else {
        for (let t = 0; t < k; t++) probs[pb + t] = damping * probs[pb + t] + (1 - damping) * act[t];
      }
    }
  }
}
