/**
 * The diagonal Fisher preconditioner of the adjoint's source terms (`precondition: 'fisher-diagonal'`). The source of
 * parameter k at a window time point is ΔE_k = ⟨T_k⟩_model − ⟨T_k⟩_data; for an exponential family the Fisher
 * information is Cov(T) under the model, and its diagonal Var(T_k) converts a moment difference into a parameter
 * difference: ΔE_k ≈ Var(T_k) Δθ_k. Sufficient statistics with a small variance (pair counts of a scarce species,
 * e.g. NN_YY while predators are few) give small ΔE for a large parameter error, so plain SGD moves their F slowly.
 * The preconditioner scales every parameter's source by s_k = g / max(v̄_k, floor), where v̄_k is the model variance of
 * T_k averaged over the window's time points and g the geometric mean of the floored v̄ over the parameters, so the
 * scales have geometric mean 1 (the step is redistributed between parameters, not made larger or smaller overall);
 * `'fisher-max'` normalises to the largest variance instead (every s_k ≥ 1: only the small-variance parameters speed up).
 * Every s_k is positive, so ΔE = 0 at every time point (the fixed points of the gradient) stays a zero step, and
 * every source keeps its sign.
 *
 * @packageDocumentation
 */

/**
 * Variances below this value are raised to it: the sufficient statistics are counts, and a variance under one count²
 * (a statistic that hardly varies between the asleep chains) would blow its scale up on sampling noise.
 */
export const FISHER_VARIANCE_FLOOR = 1;

/**
 * How the preconditioner's scales are normalised: `'geometric'` (geometric mean 1: the step is redistributed between
 * the parameters) or `'max'` (the largest-variance parameter keeps scale 1 and every other is sped up, s_k ≥ 1: no
 * parameter moves slower than without the preconditioner).
 */
export type FisherNormalisation = 'geometric' | 'max';

/**
 * The per-parameter scales of the diagonal Fisher preconditioner from the model variances of the window rows
 * (`variance`, rows × P row-major, e.g. the asleep chains' sample variances of every sufficient statistic): s_k =
 * g / max(mean over rows of variance_k, floor), with g the geometric mean (or, with `normalisation` `'max'`, the
 * maximum) of the floored means, into `scales` (length P).
 *
 * @example
 * ```ts
 * const s = new Float64Array(2);
 * fisherDiagonalScales(Float64Array.from([4, 1, 4, 1]), 2, 2, s); // s = [0.5, 2]
 * fisherDiagonalScales(Float64Array.from([4, 1, 4, 1]), 2, 2, s, 1, 'max'); // s = [1, 4]
 * ```
 */
export function fisherDiagonalScales(
  variance: Float64Array,
  rows: number,
  P: number,
  scales: Float64Array,
  floor = FISHER_VARIANCE_FLOOR,
  normalisation: FisherNormalisation = 'geometric',
): void {
  if (!(rows >= 1) || !(P >= 1) || variance.length < rows * P || scales.length < P) {
    throw new RangeError(`fisherDiagonalScales: need rows >= 1 (${rows}), P >= 1 (${P}), variance.length >= rows * P and scales.length >= P`);
  }
  if (!(floor > 0)) throw new RangeError(`fisherDiagonalScales: floor must be positive; got ${floor}`);
  let logSum = 0;
  let largest = 0;
  for (let k = 0; k < P; k++) {
    let v = 0;
    for (let i = 0; i < rows; i++) v += variance[i * P + k];
    v /= rows;
    // NaN or negative (rounding) variances take the floor.
    const f = Number.isNaN(v) ? floor : Math.max(v, floor);
    scales[k] = f;
    logSum += Math.log(f);
    largest = Math.max(largest, f);
  }
  const g = normalisation === 'max' ? largest : Math.exp(logSum / P);
  for (let k = 0; k < P; k++) scales[k] = g / scales[k];
}

/**
 * Multiplies the raw moment differences of the window rows (`dE`, rows × P row-major) by the per-parameter scales,
 * in place.
 *
 * @example
 * ```ts
 * const dE = Float64Array.from([1, -1, 2, 0]);
 * scaleDifferences(dE, 2, 2, Float64Array.from([0.5, 2])); // dE = [0.5, -2, 1, 0]
 * ```
 */
export function scaleDifferences(dE: Float64Array, rows: number, P: number, scales: Float64Array): void {
  for (let i = 0; i < rows; i++) for (let k = 0; k < P; k++) dE[i * P + k] *= scales[k];
}

/**
 * Unbiased sample variance (n − 1) of every column of a chains × P matrix of per-chain statistics, into `out`
 * (0 for one chain).
 *
 * @example
 * ```ts
 * const v = new Float64Array(1);
 * columnVariance(Float64Array.from([1, 3]), 2, 1, v); // v = [2]
 * ```
 */
export function columnVariance(perChain: Float64Array, chains: number, P: number, out: Float64Array): void {
  for (let k = 0; k < P; k++) {
    let mean = 0;
    for (let c = 0; c < chains; c++) mean += perChain[c * P + k];
    mean /= chains;
    let ss = 0;
    for (let c = 0; c < chains; c++) {
      const d = perChain[c * P + k] - mean;
      ss += d * d;
    }
    out[k] = chains > 1 ? ss / (chains - 1) : 0;
  }
}
