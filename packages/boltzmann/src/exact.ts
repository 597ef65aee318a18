/**
 * Exact enumeration of every state of a small machine: log Z, the exact means (raw and centered) and covariance
 * of the sufficient statistics, and the marginal distribution of the visible layer. Meant for tests and for
 * differentiable surrogates on tiny lattices (cost Π_l (K_l + 1)^{N_l} energy evaluations).
 *
 * @packageDocumentation
 */

import { centerStatisticsInPlace, statisticsFromStates } from './kernels/statistics.ts';
import { assertMachine, type Machine } from './machine.ts';
import { checkCenters, checkInteger, checkOptions, checkParameters, show } from './validate.ts';

/**
 * Options of {@link exactMoments}.
 *
 * @example
 * ```ts
 * const o: ExactOptions = { centers, covariance: true, visibleDistribution: true };
 * ```
 */
export interface ExactOptions {
  /** If given, `centeredMean` holds the centered statistics' means. */
  readonly centers?: Float64Array;
  /** Also compute the covariance matrix of the raw statistics (P × P, row-major). */
  readonly covariance?: boolean;
  /** Also return p(visible) over all visible configurations (see {@link visibleIndex}). */
  readonly visibleDistribution?: boolean;
  /** Clamp layer 0 to these states (length = visible size) and enumerate the rest: conditional moments given v. */
  readonly visible?: Uint8Array;
  /** Refuse to enumerate more configurations than this (default 2^22). */
  readonly maxConfigurations?: number;
}

/**
 * Result of {@link exactMoments}.
 *
 * @example
 * ```ts
 * const r: ExactResult = exactMoments(m, theta);
 * r.mean[m.parameters.index('hX')];
 * ```
 */
export interface ExactResult {
  /** log Z (or log Σ_h exp(−E(v, h)) when the visible layer is clamped). */
  readonly logZ: number;
  /** ⟨T⟩ (raw statistics). */
  readonly mean: Float64Array;
  /** ⟨T̃⟩ (centered statistics), when centers were given. */
  readonly centeredMean?: Float64Array;
  /** Cov(T_a, T_b), P × P row-major, when requested. */
  readonly covariance?: Float64Array;
  /** p(v) indexed by {@link visibleIndex}, when requested. */
  readonly visibleDistribution?: Float64Array;
  /** Number of configurations enumerated. */
  readonly configurations: number;
}

/**
 * Index of a visible configuration in `visibleDistribution`: Σ_i s_i (K + 1)^i (unit 0 least significant).
 *
 * @example
 * ```ts
 * visibleIndex(m, Uint8Array.of(0, 1, 2, 0)); // 1·3 + 2·9 = 21 for K = 2
 * ```
 */
export function visibleIndex(machine: Machine, visible: Uint8Array): number {
  assertMachine(machine, 'machine');
  const L = machine.layers[0];
  if (!(visible instanceof Uint8Array) || visible.length !== L.size) {
    throw new TypeError(`visible must be a Uint8Array of length ${L.size}; got ${show(visible)}`);
  }
  let idx = 0;
  for (let i = L.size - 1; i >= 0; i--) {
    if (visible[i] > L.stateCount) throw new RangeError(`visible[${i}] must be in [0, ${L.stateCount}]; got ${visible[i]}`);
    idx = idx * (L.stateCount + 1) + visible[i];
  }
  return idx;
}

/**
 * Exact moments by enumerating every configuration (two passes: the maximum of −E for a stable log-sum-exp, then
 * the weighted sums).
 *
 * @example
 * ```ts
 * const m = paperMachine({ size: 2 });
 * const theta = createParameters(m, { hX: -1, wXX1: 0.5 });
 * const exact = exactMoments(m, theta, { covariance: true }); // 3^12 configurations
 * ```
 */
export function exactMoments(machine: Machine, params: Float64Array, options?: ExactOptions): ExactResult {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  const o = checkOptions(options, 'options');
  if (o.centers !== undefined) checkCenters(machine, o.centers, 'options.centers');
  const maxConf = o.maxConfigurations === undefined ? 2 ** 22 : checkInteger(o.maxConfigurations, 'options.maxConfigurations', 1);
  const V = machine.layers[0];
  const clamp = o.visible;
  if (clamp !== undefined) {
    if (!(clamp instanceof Uint8Array) || clamp.length !== V.size) {
      throw new TypeError(`options.visible must be a Uint8Array of length ${V.size}; got ${show(clamp)}`);
    }
    for (let i = 0; i < clamp.length; i++) {
      if (clamp[i] > V.stateCount) throw new RangeError(`options.visible[${i}] must be in [0, ${V.stateCount}]; got ${clamp[i]}`);
    }
  }
  const free: number[] = [];
  const radix: number[] = [];
  let total = 1;
  for (const L of machine.layers) {
    if (clamp !== undefined && L.index === 0) continue;
    for (let i = 0; i < L.size; i++) {
      free.push(L.unitOffset + i);
      radix.push(L.stateCount + 1);
      total *= L.stateCount + 1;
    }
  }
  if (total > maxConf) {
    throw new RangeError(`the machine has ${total} configurations, more than options.maxConfigurations (${maxConf})`);
  }
  const P = machine.parameters.count;
  const state = new Uint8Array(machine.unitCount);
  if (clamp !== undefined) state.set(clamp, 0);
  const T = new Float64Array(P);
  const Tc = new Float64Array(P);
  const next = (): boolean => {
    for (let f = 0; f < free.length; f++) {
      const u = free[f];
      if (state[u] + 1 < radix[f]) {
        state[u]++;
        return true;
      }
      state[u] = 0;
    }
    return false;
  };
  const negEnergy = (): number => {
    statisticsFromStates(machine, state, 0, T, 0);
    let s = 0;
    for (let p = 0; p < P; p++) s += params[p] * T[p];
    return s;
  };
  // Pass 1: maximum of −E.
  let maxNeg = Number.NEGATIVE_INFINITY;
  for (let f = 0; f < free.length; f++) state[free[f]] = 0;
  do maxNeg = Math.max(maxNeg, negEnergy());
  while (next());
  // Pass 2: weighted sums.
  const mean = new Float64Array(P);
  const cmean = o.centers !== undefined ? new Float64Array(P) : undefined;
  const second = o.covariance === true ? new Float64Array(P * P) : undefined;
  const vdist = o.visibleDistribution === true && clamp === undefined ? new Float64Array((V.stateCount + 1) ** V.size) : undefined;
  let z = 0;
  do {
    const w = Math.exp(negEnergy() - maxNeg);
    z += w;
    for (let p = 0; p < P; p++) mean[p] += w * T[p];
    if (second !== undefined) {
      for (let a = 0; a < P; a++) {
        const wa = w * T[a];
        if (wa !== 0) for (let b = 0; b < P; b++) second[a * P + b] += wa * T[b];
      }
    }
    if (cmean !== undefined && o.centers !== undefined) {
      Tc.set(T);
      centerStatisticsInPlace(machine, Tc, 0, o.centers);
      for (let p = 0; p < P; p++) cmean[p] += w * Tc[p];
    }
    if (vdist !== undefined) {
      let idx = 0;
      for (let i = V.size - 1; i >= 0; i--) idx = idx * (V.stateCount + 1) + state[V.unitOffset + i];
      vdist[idx] += w;
    }
  } while (next());
  for (let p = 0; p < P; p++) mean[p] /= z;
  if (cmean !== undefined) for (let p = 0; p < P; p++) cmean[p] /= z;
  if (second !== undefined) {
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) second[a * P + b] = second[a * P + b] / z - mean[a] * mean[b];
  }
  if (vdist !== undefined) for (let i = 0; i < vdist.length; i++) vdist[i] /= z;
  return {
    logZ: maxNeg + Math.log(z),
    mean,
    ...(cmean !== undefined ? { centeredMean: cmean } : {}),
    ...(second !== undefined ? { covariance: second } : {}),
    ...(vdist !== undefined ? { visibleDistribution: vdist } : {}),
    configurations: total,
  };
}
