/**
 * The optimiser of the FE coefficients: SGD adds the scaled basis factors straight into F; Adam is lazy/sparse (the
 * gradient is accumulated into an FE function of its own, and only the coefficients it touches move), with the Adam
 * arithmetic of `@srn/boltzmann` (`adamUpdate`, shared with its dense `createAdam`).
 *
 * @packageDocumentation
 */

import { type AdamStep, adamStep, adamUpdate } from '@srn/boltzmann';
import type { FeFunction } from '@srn/fem-basis';
import { createFunction } from '@srn/fem-basis';
import type { ResolvedDbdConfig } from './config.ts';

/**
 * The step of the FE coefficients u from the costates (spec 6.5): g_u = −(1/K) Σ_conditions Σ_rows Δt λ_j ∂F_j/∂u,
 * where ∂F_j/∂u at a window row is its basis factors (cells and factors of the row). SGD adds −η g straight into F;
 * Adam accumulates g and then moves the touched coefficients.
 *
 * @example
 * ```ts
 * opt.begin(conditions);
 * opt.addCostate(cells, factors, row, j, lam[row * P + j]);
 * opt.finish();
 * ```
 */
export interface FeOptimizer {
  /** Adam steps taken (0 for SGD). */
  readonly count: number;
  /** The Adam moments (null for SGD), one FE function per F. */
  readonly m: readonly FeFunction[] | null;
  readonly v: readonly FeFunction[] | null;
  /** Starts the gradient of a step that averages over `conditions` initial conditions. */
  begin(conditions: number): void;
  /** Adds the contribution of costate λ_j at window row `row` (basis factors `cells`/`factors` of that row). */
  addCostate(cells: Int32Array, factors: Float64Array, row: number, j: number, lambda: number): void;
  /** Applies the step. */
  finish(): void;
}

/**
 * Saved state of an {@link FeOptimizer} (Adam: step count and moments).
 *
 * @example
 * ```ts
 * const state: FeOptimizerState = { count: opt.count, m: [...opt.m!], v: [...opt.v!] };
 * ```
 */
export interface FeOptimizerState {
  readonly count: number;
  readonly m: FeFunction[] | null;
  readonly v: FeFunction[] | null;
}

/**
 * The optimiser of `config.optimizer` for the functions `fns` (updated in place), fresh or from a saved state.
 *
 * @example
 * ```ts
 * const opt = createFeOptimizer(config, model.functions, null);
 * ```
 */
export function createFeOptimizer(config: ResolvedDbdConfig, fns: readonly FeFunction[], state: FeOptimizerState | null): FeOptimizer {
  return config.optimizer === 'sgd' ? new SgdOptimizer(config, fns) : new SparseAdam(config, fns, state);
}

/** SGD: u ← u − η g, added straight into the coefficients: η Δt λ / K times the basis factors. */
class SgdOptimizer implements FeOptimizer {
  readonly count = 0;
  readonly m = null;
  readonly v = null;
  private readonly eta: number;
  private readonly dt: number;
  private K = 1;

  constructor(
    config: ResolvedDbdConfig,
    private readonly fns: readonly FeFunction[],
  ) {
    this.eta = config.learningRate;
    this.dt = config.dt;
  }

  begin(conditions: number): void {
    this.K = conditions;
  }

  addCostate(cells: Int32Array, factors: Float64Array, row: number, j: number, lambda: number): void {
    const scale = (this.eta * this.dt * lambda) / this.K;
    if (scale !== 0) this.fns[j].addFactoredToCoefficients(cells, factors, scale, row);
  }

  finish(): void {}
}

/** Lazy Adam over the touched FE coefficients. */
class SparseAdam implements FeOptimizer {
  count: number;
  readonly m: FeFunction[];
  readonly v: FeFunction[];
  private readonly grads: FeFunction[];
  private readonly options: { learningRate: number; beta1: number; beta2: number; epsilon: number };
  private readonly d: number;
  private readonly dt: number;
  private K = 1;

  constructor(
    config: ResolvedDbdConfig,
    private readonly fns: readonly FeFunction[],
    state: FeOptimizerState | null,
  ) {
    const f0 = fns[0];
    this.d = f0.dims;
    const fe = () => fns.map(() => createFunction({ spacing: Array.from(f0.grid.spacing), origin: Array.from(f0.grid.origin), dims: this.d }));
    this.count = state?.count ?? 0;
    this.m = state?.m ?? fe();
    this.v = state?.v ?? fe();
    this.grads = fe();
    this.dt = config.dt;
    this.options = { learningRate: config.learningRate, beta1: config.adamBeta1, beta2: config.adamBeta2, epsilon: config.adamEpsilon };
  }

  begin(conditions: number): void {
    this.K = conditions;
    for (const g of this.grads) g.store.clear();
  }

  addCostate(cells: Int32Array, factors: Float64Array, row: number, j: number, lambda: number): void {
    const g = (-this.dt * lambda) / this.K;
    if (g !== 0) this.grads[j].addFactoredToCoefficients(cells, factors, g, row);
  }

  finish(): void {
    this.count++;
    const k: AdamStep = adamStep(this.options, this.count);
    const d = this.d;
    for (let j = 0; j < this.fns.length; j++) {
      const gs = this.grads[j].store;
      const fs = this.fns[j].store;
      const ms = this.m[j].store;
      const vs = this.v[j].store;
      const m = gs.coefficientsPerVertex;
      for (let sl = 0; sl < gs.count; sl++) {
        const fSlot = fs.ensureSlot(gs.indices, sl * d);
        const mSlot = ms.ensureSlot(gs.indices, sl * d);
        const vSlot = vs.ensureSlot(gs.indices, sl * d);
        adamUpdate(k, fs.coeffs, fSlot * m, ms.coeffs, mSlot * m, vs.coeffs, vSlot * m, gs.coeffs, sl * m, m, fs.fixed ?? undefined);
      }
    }
  }
}
