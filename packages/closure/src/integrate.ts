/**
 * Forward integration of the learned parameter ODE dθ/dt = F(x(θ)) (spec 6.1): the paper's explicit Euler with
 * sub-steps, and classical RK4 or adaptive Dormand–Prince 5(4) (from `ode.ts`) for prediction.
 *
 * @packageDocumentation
 */

import { DbdDivergenceError } from './errors.ts';
import { checkModel, checkTheta, type LearnedDbd, rhsInto } from './model.ts';
import { integrateDopri5, integrateEuler, integrateRk4, OdeIntegrationError } from './ode.ts';
import { checkEnum, checkInt, checkObject, checkPositive, show } from './validate.ts';

/**
 * A parameter trajectory: `theta[r · P + k]` is parameter `names[k]` at `times[r]`.
 *
 * @example
 * ```ts
 * const traj: ParameterTrajectory = integrateParameters(model, Float64Array.of(0, 1, 2));
 * traj.theta[2 * traj.names.length + 0]; // hX at t = 2
 * ```
 */
export interface ParameterTrajectory {
  readonly times: Float64Array;
  readonly names: string[];
  /** Row-major T × P. */
  readonly theta: Float64Array;
}

/**
 * Options of {@link integrateParameters}.
 *
 * @example
 * ```ts
 * const o: IntegrateOptions = { method: 'rk4', substeps: 4 };
 * ```
 */
export interface IntegrateOptions {
  /** `'euler'` (default, the paper's scheme), `'rk4'` or `'dopri5'`. */
  readonly method?: 'euler' | 'rk4' | 'dopri5';
  /** Equal sub-steps per output interval for Euler and RK4 (default 1). */
  readonly substeps?: number;
  /** Dormand–Prince tolerances (defaults 1e-6 / 1e-9). */
  readonly rtol?: number;
  readonly atol?: number;
  /** Initial state at `times[0]` (default the model's θ(0)), e.g. fitted to a held-out initial condition. */
  readonly theta0?: Float64Array;
  /**
   * Start from the θ(0) of training condition k (`model.conditionTheta0[k]`; 0 is `model.theta0` for any model).
   * Exclusive with `theta0`.
   */
  readonly condition?: number;
}

/**
 * Integrates θ(t) from θ(0) at `times[0]` over the strictly increasing `times` and returns every row.
 * Throws {@link DbdDivergenceError} if θ becomes non-finite.
 *
 * @example
 * ```ts
 * const times = Float64Array.from({ length: 500 }, (_, t) => t);
 * const { names, theta } = integrateParameters(model, times, { method: 'rk4' });
 * ```
 */
export function integrateParameters(model: LearnedDbd, times: Float64Array, options?: IntegrateOptions): ParameterTrajectory {
  checkModel(model, 'model');
  if (!(times instanceof Float64Array) || times.length < 1) {
    throw new TypeError(`times must be a non-empty Float64Array; got ${show(times)}`);
  }
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i]) || (i > 0 && !(times[i] > times[i - 1]))) {
      throw new RangeError(`times must be finite and strictly increasing; got times[${i}] = ${times[i]}`);
    }
  }
  const o = checkObject(options, 'options');
  const method = o.method === undefined ? 'euler' : checkEnum(o.method, 'options.method', ['euler', 'rk4', 'dopri5']);
  const substeps = o.substeps === undefined ? 1 : checkInt(o.substeps, 'options.substeps', 1, 1_000_000);
  const P = model.theta0.length;
  let y0 = model.theta0;
  if (o.condition !== undefined) {
    if (o.theta0 !== undefined) throw new RangeError('options.theta0 and options.condition are exclusive; give one');
    const k = checkInt(o.condition, 'options.condition', 0, (model.conditionTheta0?.length ?? 1) - 1);
    if (k > 0) y0 = model.conditionTheta0![k];
  }
  if (o.theta0 !== undefined) {
    if (!(o.theta0 instanceof Float64Array) || o.theta0.length !== P) {
      throw new TypeError(`options.theta0 must be a Float64Array of length ${P}; got ${show(o.theta0)}`);
    }
    y0 = o.theta0;
  }
  const x = new Float64Array(model.domainIndex.length);
  const rhs = (_t: number, y: Float64Array, dydt: Float64Array): void => {
    checkTheta(model, y, _t);
    rhsInto(model, y, dydt, x);
  };
  let theta: Float64Array;
  try {
    if (times.length === 1) theta = y0.slice();
    else if (method === 'euler') theta = integrateEuler(rhs, y0, times, { substeps });
    else if (method === 'rk4') theta = integrateRk4(rhs, y0, times, { substeps });
    else {
      theta = integrateDopri5(rhs, y0, times, {
        rtol: o.rtol === undefined ? 1e-6 : checkPositive(o.rtol, 'options.rtol'),
        atol: o.atol === undefined ? 1e-9 : checkPositive(o.atol, 'options.atol'),
      });
    }
  } catch (e) {
    if (e instanceof OdeIntegrationError) throw new DbdDivergenceError(e.time, e.message);
    throw e;
  }
  return { times: times.slice(), names: [...model.names], theta };
}
