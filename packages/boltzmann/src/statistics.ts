/**
 * Sufficient statistics T_θ = −∂E/∂θ per chain (raw or centered), their means, covariances with observables, and
 * energies. Statistics vectors share the layout of the parameter vector, so `E = −θ · T_raw`.
 *
 * @packageDocumentation
 */

import { centerStatisticsInPlace, statisticsFromProbabilities, statisticsFromStates } from './kernels/statistics.ts';
import { assertMachine, type Machine } from './machine.ts';
import { checkCenters, checkOptions, checkParameters, checkProbabilities, checkStates, show } from './validate.ts';

/**
 * Options of {@link sufficientStatistics}.
 *
 * @example
 * ```ts
 * const o: StatisticsOptions = { centers: createCenters(m) };
 * ```
 */
export interface StatisticsOptions {
  /** If given, the weight statistics are centered: Σ_e (s_{i,α} − μ_α)(s_{j,β} − μ_β). */
  readonly centers?: Float64Array;
  /** Output array of length chains × parameter count (allocated if omitted). */
  readonly out?: Float64Array;
}

function prepareOut(machine: Machine, chains: number, out: unknown): Float64Array {
  const n = chains * machine.parameters.count;
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array) || out.length !== n) {
    throw new TypeError(`options.out must be a Float64Array of length ${n} (chains × parameter count); got ${show(out)}`);
  }
  return out;
}

/**
 * Sufficient statistics of every chain of a state array: a Float64Array of chains × P (chain-major), with the
 * layout of the parameter vector (e.g. `out[c * P + m.parameters.index('wXX1')]` = Σ_{(i,j)∈E} s_{i,X} s_{j,X1}).
 *
 * @example
 * ```ts
 * const T = sufficientStatistics(m, states);                 // raw, per chain
 * const Tc = sufficientStatistics(m, states, { centers });   // centered weight terms
 * ```
 */
export function sufficientStatistics(machine: Machine, states: Uint8Array, options?: StatisticsOptions): Float64Array {
  assertMachine(machine, 'machine');
  const chains = checkStates(machine, states, 'states');
  const o = checkOptions(options, 'options');
  if (o.centers !== undefined) checkCenters(machine, o.centers, 'options.centers');
  const out = prepareOut(machine, chains, o.out);
  const P = machine.parameters.count;
  for (let c = 0; c < chains; c++) {
    statisticsFromStates(machine, states, c, out, c * P);
    if (o.centers !== undefined) centerStatisticsInPlace(machine, out, c * P, o.centers);
  }
  return out;
}

/**
 * Like {@link sufficientStatistics} but from probabilities (expected one-hot values): bias terms Σ_i p_{i,α}, weight
 * terms Σ_e p_{i,α} p_{j,β}. Use after `gibbs(..., { probabilities })` for the spec's final-probability estimates.
 *
 * @example
 * ```ts
 * gibbs(m, theta, states, rng, { sweeps: 10, probabilities: probs });
 * const T = sufficientStatisticsFromProbabilities(m, probs);
 * ```
 */
export function sufficientStatisticsFromProbabilities(
  machine: Machine,
  probs: Float64Array,
  options?: StatisticsOptions,
): Float64Array {
  assertMachine(machine, 'machine');
  const chains = checkProbabilities(machine, probs, 'probs');
  const o = checkOptions(options, 'options');
  if (o.centers !== undefined) checkCenters(machine, o.centers, 'options.centers');
  const out = prepareOut(machine, chains, o.out);
  const P = machine.parameters.count;
  for (let c = 0; c < chains; c++) {
    statisticsFromProbabilities(machine, probs, c, out, c * P);
    if (o.centers !== undefined) centerStatisticsInPlace(machine, out, c * P, o.centers);
  }
  return out;
}

/**
 * Turns raw per-chain (or mean) statistics into centered ones: returns a new array, `raw` is unchanged. `raw` may hold
 * any number of vectors of length P back to back.
 *
 * @example
 * ```ts
 * const centered = centerStatistics(m, meanStatistics(m, T), centers);
 * ```
 */
export function centerStatistics(machine: Machine, raw: Float64Array, centers: Float64Array): Float64Array {
  assertMachine(machine, 'machine');
  checkCenters(machine, centers, 'centers');
  const P = machine.parameters.count;
  if (!(raw instanceof Float64Array) || raw.length === 0 || raw.length % P !== 0) {
    throw new TypeError(`raw must be a Float64Array whose length is a positive multiple of ${P}; got ${show(raw)}`);
  }
  const out = raw.slice();
  for (let o = 0; o < out.length; o += P) centerStatisticsInPlace(machine, out, o, centers);
  return out;
}

/**
 * Mean over chains of per-chain statistics (chains × P) → length-P vector.
 *
 * @example
 * ```ts
 * const mean = meanStatistics(m, sufficientStatistics(m, states));
 * mean[m.parameters.index('hX')]; // average number of X on the visible layer
 * ```
 */
export function meanStatistics(machine: Machine, perChain: Float64Array): Float64Array {
  assertMachine(machine, 'machine');
  const P = machine.parameters.count;
  if (!(perChain instanceof Float64Array) || perChain.length === 0 || perChain.length % P !== 0) {
    throw new TypeError(`perChain must be a Float64Array whose length is a positive multiple of ${P}; got ${show(perChain)}`);
  }
  const chains = perChain.length / P;
  const out = new Float64Array(P);
  for (let c = 0; c < chains; c++) for (let p = 0; p < P; p++) out[p] += perChain[c * P + p];
  for (let p = 0; p < P; p++) out[p] /= chains;
  return out;
}

/**
 * Cov(X, T_θ) for every parameter θ over chains (biased 1/n estimator, spec 3.3): `observable[c]` is X in chain c,
 * `perChain` the chains × P statistics.
 *
 * @example
 * ```ts
 * const nX = Float64Array.from({ length: chains }, (_, c) => T[c * P + m.parameters.index('hX')]);
 * const cov = statisticsCovariance(m, nX, T); // cov[index('wXX1')] = Cov(n_X, T_wXX1)
 * ```
 */
export function statisticsCovariance(machine: Machine, observable: ArrayLike<number>, perChain: Float64Array): Float64Array {
  assertMachine(machine, 'machine');
  const P = machine.parameters.count;
  if (!(perChain instanceof Float64Array) || perChain.length === 0 || perChain.length % P !== 0) {
    throw new TypeError(`perChain must be a Float64Array whose length is a positive multiple of ${P}; got ${show(perChain)}`);
  }
  const chains = perChain.length / P;
  if (observable === null || typeof observable !== 'object' || observable.length !== chains) {
    throw new RangeError(`observable must have one value per chain (${chains}); got ${show(observable)}`);
  }
  let mx = 0;
  for (let c = 0; c < chains; c++) mx += observable[c];
  mx /= chains;
  const mean = meanStatistics(machine, perChain);
  const out = new Float64Array(P);
  for (let c = 0; c < chains; c++) {
    const dx = observable[c] - mx;
    for (let p = 0; p < P; p++) out[p] += dx * (perChain[c * P + p] - mean[p]);
  }
  for (let p = 0; p < P; p++) out[p] /= chains;
  return out;
}

/**
 * Raw energy E(s) = −θ · T(s) of every chain (spec 4.2).
 *
 * @example
 * ```ts
 * const E = energies(m, theta, states); // Float64Array(chains)
 * ```
 */
export function energies(machine: Machine, params: Float64Array, states: Uint8Array): Float64Array {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  const T = sufficientStatistics(machine, states);
  const P = machine.parameters.count;
  const out = new Float64Array(T.length / P);
  for (let c = 0; c < out.length; c++) {
    let e = 0;
    for (let p = 0; p < P; p++) e -= params[p] * T[c * P + p];
    out[c] = e;
  }
  return out;
}

/**
 * Centered energy (spec 5.1) of every chain: −Σ ã·Σ_i s − Σ W̃·Σ_e (s − μ)(s' − μ'), for centered parameters
 * (see `toCenteredParameters`). Equals the raw energy of the matching raw parameters up to a state-independent
 * constant.
 *
 * @example
 * ```ts
 * const Ec = centeredEnergies(m, toCenteredParameters(m, theta, centers), centers, states);
 * ```
 */
export function centeredEnergies(
  machine: Machine,
  centeredParams: Float64Array,
  centers: Float64Array,
  states: Uint8Array,
): Float64Array {
  assertMachine(machine, 'machine');
  checkParameters(machine, centeredParams, 'centeredParams');
  const T = sufficientStatistics(machine, states, { centers });
  const P = machine.parameters.count;
  const out = new Float64Array(T.length / P);
  for (let c = 0; c < out.length; c++) {
    let e = 0;
    for (let p = 0; p < P; p++) e -= centeredParams[p] * T[c * P + p];
    out[c] = e;
  }
  return out;
}
