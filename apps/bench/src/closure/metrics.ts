/**
 * Error metrics of predicted against simulated ensemble means (pure functions): RMSE, mean and maximum relative
 * error over time, and the ratio predicted/simulated at the simulated peaks; plus the quality targets.
 */

/** Metrics of one predictor on one moment. */
export interface MomentMetrics {
  rmse: number;
  /** Mean over t (where the simulated mean is > 0) of |pred − sim| / sim. */
  meanRelError: number;
  maxRelError: number;
  /** Time of the largest relative error. */
  maxRelErrorTime: number;
  /** Time points left out of the relative errors because the simulated mean is 0. */
  zeroPoints: number;
  /** The simulated peaks and the ratio pred/sim there. */
  peaks: { t: number; sim: number; pred: number; ratio: number }[];
}

/**
 * Local maxima of `series` after a moving-average smoothing (so noise does not make peaks): a point is a peak if it
 * is the maximum within ±`half` points, has at least `half / 2` points on either side, and rises at least 5 % above the lowest point of that
 * window; the global maximum counts without that rise. At most `limit` peaks (the highest), in time order.
 *
 * @example
 * ```ts
 * findPeaks(Float64Array.from({ length: 100 }, (_, t) => Math.sin(t / 10))); // [16, 79] (about π/2·10 and 5π/2·10)
 * ```
 */
export function findPeaks(series: ArrayLike<number>, half = Math.max(5, Math.round(series.length / 10)), limit = 3): number[] {
  const T = series.length;
  const w = Math.max(1, Math.round(T / 100));
  const smooth = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, t - w); k <= Math.min(T - 1, t + w); k++) {
      sum += series[k];
      n++;
    }
    smooth[t] = sum / n;
  }
  const peaks: number[] = [];
  // A peak needs at least half a window on either side (a maximum at the very end may still be rising).
  const margin = Math.max(1, Math.floor(half / 2));
  for (let t = margin; t < T - margin; t++) {
    let isMax = true;
    let low = smooth[t];
    for (let k = Math.max(0, t - half); k <= Math.min(T - 1, t + half); k++) {
      if (smooth[k] > smooth[t] || (smooth[k] === smooth[t] && k < t)) isMax = false;
      low = Math.min(low, smooth[k]);
    }
    if (isMax && smooth[t] > 1.05 * low && smooth[t] > 0) peaks.push(t);
  }
  // The global maximum counts even when it is a flat plateau (if it is not at either end).
  let top = 0;
  for (let t = 1; t < T; t++) if (smooth[t] > smooth[top]) top = t;
  if (top >= margin && top < T - margin && smooth[top] > 0 && !peaks.includes(top)) peaks.push(top);
  return peaks
    .sort((a, b) => smooth[b] - smooth[a])
    .slice(0, limit)
    .sort((a, b) => a - b);
}

/**
 * Metrics of `pred` against `sim` (same time grid).
 *
 * @example
 * ```ts
 * momentMetrics(new Float64Array([1, 2, 1]), new Float64Array([1, 2.2, 1])).rmse; // ≈ 0.115
 * ```
 */
export function momentMetrics(sim: ArrayLike<number>, pred: ArrayLike<number>, times?: ArrayLike<number>): MomentMetrics {
  if (sim.length !== pred.length) throw new RangeError(`sim and pred must have the same length; got ${sim.length} and ${pred.length}`);
  const T = sim.length;
  let sq = 0;
  let rel = 0;
  let relN = 0;
  let maxRel = 0;
  let maxRelT = 0;
  for (let t = 0; t < T; t++) {
    const d = pred[t] - sim[t];
    sq += d * d;
    if (sim[t] > 0) {
      const r = Math.abs(d) / sim[t];
      rel += r;
      relN++;
      if (r > maxRel || Number.isNaN(r)) {
        maxRel = r;
        maxRelT = times ? times[t] : t;
      }
    }
  }
  const peaks = findPeaks(sim).map((t) => ({ t: times ? times[t] : t, sim: sim[t], pred: pred[t], ratio: pred[t] / sim[t] }));
  return {
    rmse: Math.sqrt(sq / T),
    meanRelError: relN > 0 ? rel / relN : Number.NaN,
    maxRelError: maxRel,
    maxRelErrorTime: maxRelT,
    zeroPoints: T - relN,
    peaks,
  };
}

/** The predictors compared. */
export const PREDICTORS = ['learned-raw', 'learned-filtered', 'mean-field', 'pair'] as const;
export type Predictor = (typeof PREDICTORS)[number];
export const PREDICTOR_LABELS: Record<Predictor, string> = {
  'learned-raw': 'learned (raw θ)',
  'learned-filtered': 'learned (filtered θ)',
  'mean-field': 'mean field',
  'pair': 'pair approximation',
};

/** metrics[dataset][predictor][moment] (null where the predictor has no value for the moment). */
export type MetricsTable = Record<string, Record<string, Record<string, MomentMetrics | null>>>;

/**
 * All metrics: for each dataset (simulated means) and predictor (predicted means), every moment both have.
 *
 * @example
 * ```ts
 * const table = computeMetrics({ heldout: sim }, { 'mean-field': mf }, ['X']);
 * table.heldout['mean-field'].X?.rmse;
 * ```
 */
export function computeMetrics(
  datasets: Record<string, Record<string, ArrayLike<number>>>,
  predictors: Record<string, Record<string, ArrayLike<number> | undefined>>,
  moments: readonly string[],
  times?: ArrayLike<number>,
): MetricsTable {
  const table: MetricsTable = {};
  for (const [dataset, sim] of Object.entries(datasets)) {
    table[dataset] = {};
    for (const [predictor, pred] of Object.entries(predictors)) {
      table[dataset][predictor] = {};
      for (const moment of moments) {
        const p = pred[moment];
        table[dataset][predictor][moment] = p && sim[moment] ? momentMetrics(sim[moment], p, times) : null;
      }
    }
  }
  return table;
}

/** One row of the quality-target table. */
export interface TargetResult {
  moment: string;
  /** Target on the mean relative error of the learned closure (filtered θ) on held-out data. */
  target: number;
  /** What the original method scored on this machine (the reference). */
  original: number;
  learned: number | null;
  pair: number | null;
  belowTarget: boolean;
  betterThanPair: boolean;
  pass: boolean;
}

/** The quality targets (paper preset, held-out data, filtered θ). */
export const QUALITY_TARGETS = [
  { moment: 'X', target: 0.05, original: 0.079 },
  { moment: 'NN_XX', target: 0.1, original: 0.16 },
  { moment: 'NNN_XY', target: 0.25, original: 1.05 },
] as const;

/**
 * Evaluates the quality targets on a metrics table.
 *
 * @example
 * ```ts
 * const rows = qualityTargets(table);
 * rows.every((r) => r.pass);
 * ```
 */
export function qualityTargets(table: MetricsTable, dataset = 'heldout'): TargetResult[] {
  return QUALITY_TARGETS.map(({ moment, target, original }) => {
    const learned = table[dataset]?.['learned-filtered']?.[moment]?.meanRelError ?? null;
    const pair = table[dataset]?.pair?.[moment]?.meanRelError ?? null;
    const belowTarget = learned !== null && Number.isFinite(learned) && learned < target;
    const betterThanPair = learned !== null && Number.isFinite(learned) && (pair === null || !Number.isFinite(pair) || learned < pair);
    return { moment, target, original, learned, pair, belowTarget, betterThanPair, pass: belowTarget && betterThanPair };
  });
}
