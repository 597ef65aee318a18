/**
 * Error metrics of predicted against simulated ensemble means: RMSE, mean and maximum relative error over time, and
 * the ratio predicted/simulated at the simulated peaks, all by @srn/closure's `scorePrediction` (the ladder's
 * scoring, so every predictor is scored by one function); plus the quality targets.
 */
import { type PredictionScore, scorePrediction } from '@srn/closure';

/** Metrics of one predictor on one moment: @srn/closure's `scorePrediction` (one definition for every predictor). */
export type MomentMetrics = PredictionScore;

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
        table[dataset][predictor][moment] = p && sim[moment] ? scorePrediction(sim[moment], p, times) : null;
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
