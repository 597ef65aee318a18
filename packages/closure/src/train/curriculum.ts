/**
 * The curriculum of the trainer (spec 6.6): the sliding window [τ, H] of every step over one or more passes, and the
 * iterate average (Polyak–Ruppert) of the FE coefficients from `averageFrom` on.
 *
 * @packageDocumentation
 */

import type { FeFunction } from '@srn/fem-basis';
import { fromBinary, toBinary } from '@srn/fem-basis';
import type { ResolvedDbdConfig } from './config.ts';

/**
 * The window of the step after `stepIndex` steps, from the current window: a new pass (every `steps` steps) starts
 * over at [horizonStart − window, horizonStart]; otherwise the window moves by one time point before every step
 * s > moveEvery with (s − 1) % moveEvery = 0 (s = step within the pass, 1-based) while H < T − 1.
 *
 * @example
 * ```ts
 * nextWindow(config, 2, 10, 0, 500); // { horizon: 11, windowStart: 1 } with the defaults (moveEvery 2)
 * ```
 */
export function nextWindow(
  config: ResolvedDbdConfig,
  stepIndex: number,
  horizon: number,
  windowStart: number,
  timePoints: number,
): { horizon: number; windowStart: number } {
  const s = (stepIndex % config.steps) + 1; // step within the pass
  if (s === 1 && stepIndex > 0) return { horizon: config.horizonStart, windowStart: config.horizonStart - config.window };
  if (s > config.moveEvery && (s - 1) % config.moveEvery === 0 && horizon < timePoints - 1) {
    return { horizon: horizon + 1, windowStart: windowStart + 1 };
  }
  return { horizon, windowStart };
}

/**
 * Folds the current coefficients `live` into the running mean `average` of n iterates (this one included; stores
 * only grow, so every averaged vertex is live). Returns the mean: a copy of `live` when `average` is null (n = 1).
 *
 * @example
 * ```ts
 * average = accumulateAverage(average, model.functions, stepIndex - averageFrom);
 * ```
 */
export function accumulateAverage(average: readonly FeFunction[] | null, live: readonly FeFunction[], n: number): readonly FeFunction[] {
  if (average === null) return Object.freeze(live.map((f) => fromBinary(toBinary(f))));
  for (let j = 0; j < live.length; j++) {
    const ls = live[j].store;
    const avg = average[j].store;
    const d = live[j].dims;
    const m = ls.coefficientsPerVertex;
    for (let sl = 0; sl < ls.count; sl++) {
      const a = avg.ensureSlot(ls.indices, sl * d);
      const lc = ls.coeffs;
      const ac = avg.coeffs;
      for (let q = 0; q < m; q++) ac[a * m + q] += (lc[sl * m + q] - ac[a * m + q]) / n;
    }
  }
  return average;
}
