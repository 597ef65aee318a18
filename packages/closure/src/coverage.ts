/**
 * Where a predicted parameter trajectory runs through the learned F's support. F_k is a sparse finite-element function:
 * its coefficients live on the grid vertices that training touched, and in a cell none of whose corners was touched
 * F is exactly 0, so θ(t) there stops moving: a prediction that looks plausible but says "nothing happens". The
 * predict stage reports it instead of leaving it silent.
 *
 * @packageDocumentation
 */

import type { ParameterTrajectory } from './integrate.ts';
import { checkModel, type LearnedDbd } from './model.ts';
import { show } from './validate.ts';

/**
 * The result of {@link trainedCoverage}.
 *
 * @example
 * ```ts
 * const c: TrainedCoverage = { trained: Uint8Array.of(1, 1, 0), fraction: 2 / 3, firstUntrainedTime: 2 };
 * ```
 */
export interface TrainedCoverage {
  /** Per row of the trajectory: 1 when the FE cell holding x(θ(t)) has at least one trained corner vertex, else 0. */
  readonly trained: Uint8Array;
  /** Share of the rows in trained cells. */
  readonly fraction: number;
  /** Time of the first row in a cell no training touched (F = 0 there), or null when there is none. */
  readonly firstUntrainedTime: number | null;
}

/**
 * For every time of a parameter trajectory (from {@link integrateParameters}), whether x(θ(t)) lies in an FE cell
 * that training touched (any corner vertex of its cell holds coefficients of any F_k). A fraction below 1 means the
 * prediction left the region F was trained on (a held-out initial condition outside the training conditions' range,
 * or an FE spacing too fine for the spread of θ(0)): F is 0 there and θ(t) stalls.
 *
 * @example
 * ```ts
 * const trajectory = integrateParameters(model, times, { theta0 });
 * const { fraction, firstUntrainedTime } = trainedCoverage(model, trajectory);
 * if (fraction < 1) console.warn(`θ(t) leaves the trained region at t = ${firstUntrainedTime}`);
 * ```
 */
export function trainedCoverage(model: LearnedDbd, trajectory: ParameterTrajectory): TrainedCoverage {
  checkModel(model, 'model');
  const P = model.theta0.length;
  const t = trajectory as ParameterTrajectory;
  if (t === null || typeof t !== 'object' || !(t.times instanceof Float64Array) || !(t.theta instanceof Float64Array) || t.theta.length !== t.times.length * P) {
    throw new TypeError(`trajectory must be a ParameterTrajectory of this model (T × ${P} values of theta); got ${show(trajectory)}`);
  }
  const T = t.times.length;
  const di = model.domainIndex;
  const d = di.length;
  const x = new Float64Array(d);
  const vertex = new Int32Array(d);
  const stores = model.functions.map((f) => f.store).filter((s) => s.size > 0);
  const grid = model.functions[0]?.grid;
  const trained = new Uint8Array(T);
  let count = 0;
  let first: number | null = null;
  for (let r = 0; r < T; r++) {
    for (let k = 0; k < d; k++) x[k] = t.theta[r * P + di[k]];
    let hit = false;
    if (grid !== undefined && stores.length > 0 && x.every(Number.isFinite)) {
      const { cell } = grid.locate(x);
      for (let c = 0; c < 1 << d && !hit; c++) {
        for (let k = 0; k < d; k++) vertex[k] = cell[k] + ((c >> (d - 1 - k)) & 1);
        for (const s of stores) {
          if (s.has(vertex)) {
            hit = true;
            break;
          }
        }
      }
    }
    if (hit) {
      trained[r] = 1;
      count++;
    } else if (first === null) first = t.times[r];
  }
  return { trained, fraction: T === 0 ? 1 : count / T, firstUntrainedTime: first };
}
