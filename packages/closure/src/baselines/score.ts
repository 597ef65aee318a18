/**
 * Scoring a predicted mean trajectory against a simulated (held-out) ensemble mean, and the noise floor (issue #16
 * item 1): the same definitions as the LV report (`apps/bench/src/lv/metrics.ts`), here as one shared function so
 * every rung of the ladder (noise floor, mean field, pair approximation, learned feed-forward closure, maximum
 * entropy, the learned closure) is scored by the same code.
 *
 * * RMSE over the time points;
 * * mean relative error: the mean over t of |pred − sim| / sim where sim > 0 (points with sim = 0 are counted in
 *   `zeroPoints` and left out), and the largest one with its time;
 * * the ratio pred/sim at the simulated peaks ({@link findSimulatedPeaks}).
 *
 * The noise floor scores a second independent ensemble's mean (of the training set's size) as if it were a
 * predictor: no method trained on that many runs can be expected to beat it by much.
 */

/**
 * The score of one predictor on one moment.
 *
 * @example
 * ```ts
 * const s: PredictionScore = scorePrediction([1, 2, 1], [1, 2.2, 1]);
 * s.meanRelError; // ≈ 0.0333
 * ```
 */
export interface PredictionScore {
  rmse: number;
  /** Mean over t (where the simulated mean is > 0) of |pred − sim| / sim (NaN if sim is never > 0). */
  meanRelError: number;
  maxRelError: number;
  /** Time (or index without `times`) of the largest relative error. */
  maxRelErrorTime: number;
  /** Time points left out of the relative errors because the simulated mean is 0. */
  zeroPoints: number;
  /** The simulated peaks and the ratio pred/sim there. */
  peaks: { t: number; sim: number; pred: number; ratio: number }[];
}

function checkSeries(x: ArrayLike<number>, name: string): void {
  if (x === null || typeof x !== 'object' || typeof (x as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${name} must be an array of numbers; got ${String(x)}`);
  }
  for (let t = 0; t < x.length; t++) {
    if (typeof x[t] !== 'number' || Number.isNaN(x[t]!)) throw new RangeError(`${name}[${t}] must be a number; got ${String(x[t])}`);
  }
}

/**
 * Local maxima of `series` after a moving-average smoothing over ±max(1, round(T/100)) points (so noise does not make
 * peaks): a point is a peak if it is the maximum within ±`half` points, has at least `half / 2` points on either
 * side, and rises at least 5 % above the lowest point of that window; the global maximum counts without that rise.
 * At most `limit` peaks (the highest), in time order. The definition of the LV report's `findPeaks`.
 *
 * @param series the simulated mean
 * @param half the half-width of the peak window (default max(5, round(T/10)))
 * @param limit the largest number of peaks (default 3)
 * @returns indices of the peaks
 *
 * @example
 * ```ts
 * findSimulatedPeaks(Float64Array.from({ length: 100 }, (_, t) => Math.sin(t / 10))); // [16, 79]
 * ```
 */
export function findSimulatedPeaks(series: ArrayLike<number>, half = Math.max(5, Math.round(series.length / 10)), limit = 3): number[] {
  checkSeries(series, 'series');
  if (!Number.isSafeInteger(half) || half < 1) throw new RangeError(`half must be a positive integer; got ${String(half)}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer; got ${String(limit)}`);
  const T = series.length;
  const w = Math.max(1, Math.round(T / 100));
  const smooth = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, t - w); k <= Math.min(T - 1, t + w); k++) {
      sum += series[k]!;
      n++;
    }
    smooth[t] = sum / n;
  }
  const peaks: number[] = [];
  const margin = Math.max(1, Math.floor(half / 2));
  for (let t = margin; t < T - margin; t++) {
    let isMax = true;
    let low = smooth[t]!;
    for (let k = Math.max(0, t - half); k <= Math.min(T - 1, t + half); k++) {
      if (smooth[k]! > smooth[t]! || (smooth[k] === smooth[t] && k < t)) isMax = false;
      low = Math.min(low, smooth[k]!);
    }
    if (isMax && smooth[t]! > 1.05 * low && smooth[t]! > 0) peaks.push(t);
  }
  let top = 0;
  for (let t = 1; t < T; t++) if (smooth[t]! > smooth[top]!) top = t;
  if (top >= margin && top < T - margin && smooth[top]! > 0 && !peaks.includes(top)) peaks.push(top);
  return peaks
    .sort((a, b) => smooth[b]! - smooth[a]!)
    .slice(0, limit)
    .sort((a, b) => a - b);
}

/**
 * Scores a predicted mean `pred` against the simulated mean `sim` on the same time grid (see the module notes).
 *
 * @param sim the simulated (held-out) ensemble mean of one moment
 * @param pred the prediction on the same grid (NaN entries propagate into RMSE and the relative errors)
 * @param times the time grid (peak and max-error times are reported in it; default the indices)
 * @throws RangeError when the lengths differ or `sim` holds NaN
 *
 * @example
 * ```ts
 * scorePrediction(new Float64Array([1, 2, 1]), new Float64Array([1, 2.2, 1])).rmse; // ≈ 0.115
 * ```
 */
export function scorePrediction(sim: ArrayLike<number>, pred: ArrayLike<number>, times?: ArrayLike<number>): PredictionScore {
  checkSeries(sim, 'sim');
  if (pred === null || typeof pred !== 'object' || typeof (pred as { length?: unknown }).length !== 'number') {
    throw new TypeError(`pred must be an array of numbers; got ${String(pred)}`);
  }
  if (sim.length !== pred.length) throw new RangeError(`sim and pred must have the same length; got ${sim.length} and ${pred.length}`);
  if (times !== undefined && times.length !== sim.length) {
    throw new RangeError(`times must have the length of sim (${sim.length}); got ${times.length}`);
  }
  const T = sim.length;
  let sq = 0;
  let rel = 0;
  let relN = 0;
  let maxRel = 0;
  let maxRelT = 0;
  for (let t = 0; t < T; t++) {
    const d = pred[t]! - sim[t]!;
    sq += d * d;
    if (sim[t]! > 0) {
      const r = Math.abs(d) / sim[t]!;
      rel += r;
      relN++;
      if (r > maxRel || Number.isNaN(r)) {
        maxRel = r;
        maxRelT = times ? times[t]! : t;
      }
    }
  }
  const peaks = T === 0 ? [] : findSimulatedPeaks(sim).map((t) => ({ t: times ? times[t]! : t, sim: sim[t]!, pred: pred[t]!, ratio: pred[t]! / sim[t]! }));
  return {
    rmse: T > 0 ? Math.sqrt(sq / T) : Number.NaN,
    meanRelError: relN > 0 ? rel / relN : Number.NaN,
    maxRelError: maxRel,
    maxRelErrorTime: maxRelT,
    zeroPoints: T - relN,
    peaks,
  };
}

/**
 * Scores every moment of a predictor: `scores[moment]` for each moment present in both `sim` and `pred` (plain
 * records of columns, e.g. the ensemble summary's means and a baseline's `columns`); moments missing from `pred` are
 * null.
 *
 * @example
 * ```ts
 * const s = scorePredictions({ X: [1, 2] }, { X: [1, 2.5] });
 * s.X?.meanRelError; // 0.125
 * ```
 */
export function scorePredictions(
  sim: Record<string, ArrayLike<number>>,
  pred: Record<string, ArrayLike<number> | undefined>,
  times?: ArrayLike<number>,
  moments: readonly string[] = Object.keys(sim),
): Record<string, PredictionScore | null> {
  if (sim === null || typeof sim !== 'object') throw new TypeError(`sim must be a record of columns; got ${String(sim)}`);
  if (pred === null || typeof pred !== 'object') throw new TypeError(`pred must be a record of columns; got ${String(pred)}`);
  const out: Record<string, PredictionScore | null> = {};
  for (const m of moments) {
    if (!(m in sim)) throw new RangeError(`moments: '${m}' is not a column of sim (${Object.keys(sim).join(', ')})`);
    const p = pred[m];
    try {
      out[m] = p === undefined ? null : scorePrediction(sim[m]!, p, times);
    } catch (error) {
      // name the moment: the inner message names sim / pred / times only
      if (error instanceof RangeError) throw new RangeError(`moment '${m}': ${error.message}`);
      if (error instanceof TypeError) throw new TypeError(`moment '${m}': ${error.message}`);
      throw error;
    }
  }
  return out;
}

/**
 * Column means over runs: `runs[r][moment][t]` → `mean[moment][t]` (an ensemble's mean trajectory, e.g. for a second
 * ensemble scored as the noise floor).
 *
 * @example
 * ```ts
 * ensembleMean([{ X: [1, 2] }, { X: [3, 4] }]).X; // Float64Array [2, 3]
 * ```
 */
export function ensembleMean(runs: readonly Record<string, ArrayLike<number>>[]): Record<string, Float64Array> {
  if (!Array.isArray(runs) || runs.length === 0) throw new RangeError('runs must be a non-empty array of records of columns');
  const names = Object.keys(runs[0]!);
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    const T = runs[0]![name]!.length;
    const acc = new Float64Array(T);
    runs.forEach((run, r) => {
      const col = run[name];
      if (col === undefined || col.length !== T) throw new RangeError(`runs[${r}].${name} must have length ${T}`);
      for (let t = 0; t < T; t++) acc[t] += col[t]!;
    });
    for (let t = 0; t < T; t++) acc[t] = acc[t]! / runs.length;
    out[name] = acc;
  }
  return out;
}

/**
 * The noise floor: the mean of a second independent ensemble (`second`, of the training set's size), scored against
 * the held-out mean like a predictor. Equivalent to {@link scorePredictions}(heldout, second); kept as its own name
 * so a report reads as the ladder does.
 *
 * @example
 * ```ts
 * noiseFloor({ X: [10, 12] }, { X: [11, 12] }).X?.meanRelError; // 0.05
 * ```
 */
export function noiseFloor(
  heldout: Record<string, ArrayLike<number>>,
  second: Record<string, ArrayLike<number>>,
  times?: ArrayLike<number>,
  moments?: readonly string[],
): Record<string, PredictionScore | null> {
  return scorePredictions(heldout, second, times, moments);
}
