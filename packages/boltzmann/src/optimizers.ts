/**
 * In-house first-order optimisers for descent steps θ ← θ − update(g): dense `createSgd` / `createAdam`, and the Adam
 * update itself as an allocation-free kernel over slices ({@link adamUpdate}), which the dense optimiser and sparse
 * callers (the DBD trainer's lazy Adam over finite-element coefficients in `@srn/closure`) share.
 *
 * @packageDocumentation
 */

import { checkNumber, checkOptions, show } from './validate.ts';

/**
 * A stateful descent rule. `step` changes `params` in place given the gradient `gradient` (descent direction −g).
 *
 * @example
 * ```ts
 * const opt: Optimizer = createSgd({ learningRate: 0.01 });
 * opt.step(theta, gradient);
 * ```
 */
export interface Optimizer {
  step(params: Float64Array, gradient: Float64Array): void;
  /** Forgets the internal state (moments, step count). */
  reset(): void;
}

function checkPair(params: unknown, gradient: unknown): void {
  if (!(params instanceof Float64Array)) throw new TypeError(`params must be a Float64Array; got ${show(params)}`);
  if (!(gradient instanceof Float64Array) || gradient.length !== params.length) {
    throw new TypeError(`gradient must be a Float64Array of length ${params.length}; got ${show(gradient)}`);
  }
}

/**
 * Options of {@link createSgd}.
 *
 * @example
 * ```ts
 * const o: SgdOptions = { learningRate: 2.5e-6 };
 * ```
 */
export interface SgdOptions {
  readonly learningRate: number;
  /** Heavy-ball momentum in [0, 1), default 0 (plain SGD, as in the spec). */
  readonly momentum?: number;
}

/**
 * Plain (optionally momentum) stochastic gradient descent: v ← m v + g, θ ← θ − η v.
 *
 * @example
 * ```ts
 * const sgd = createSgd({ learningRate: 1e-3 });
 * sgd.step(theta, grad);
 * ```
 */
export function createSgd(options: SgdOptions): Optimizer {
  const o = checkOptions(options, 'options') as SgdOptions;
  const eta = checkNumber(o.learningRate, 'options.learningRate', 0, Number.MAX_VALUE);
  const mom = o.momentum === undefined ? 0 : checkNumber(o.momentum, 'options.momentum', 0, 0.999999);
  let velocity: Float64Array | null = null;
  return {
    step(params, gradient) {
      checkPair(params, gradient);
      if (mom === 0) {
        for (let i = 0; i < params.length; i++) params[i] -= eta * gradient[i];
        return;
      }
      if (velocity === null || velocity.length !== params.length) velocity = new Float64Array(params.length);
      for (let i = 0; i < params.length; i++) {
        velocity[i] = mom * velocity[i] + gradient[i];
        params[i] -= eta * velocity[i];
      }
    },
    reset() {
      velocity = null;
    },
  };
}

/**
 * Options of {@link createAdam} (defaults β1 = 0.9, β2 = 0.999, ε = 1e−8 as in the original code).
 *
 * @example
 * ```ts
 * const o: AdamOptions = { learningRate: 0.01 };
 * ```
 */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/**
 * The constants of one Adam step: hyperparameters and the bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t of step t.
 *
 * @example
 * ```ts
 * const k: AdamStep = adamStep({ learningRate: 0.01 }, 1); // k.c1 ≈ 0.1
 * ```
 */
export interface AdamStep {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly c1: number;
  readonly c2: number;
}

/**
 * The constants of Adam step `t` (1-based) for validated options (defaults β1 = 0.9, β2 = 0.999, ε = 1e−8).
 *
 * @example
 * ```ts
 * adamStep({ learningRate: 0.01, beta1: 0.5 }, 2).c1; // 0.75
 * ```
 */
export function adamStep(options: AdamOptions, t: number): AdamStep {
  const o = checkOptions(options, 'options') as AdamOptions;
  const learningRate = checkNumber(o.learningRate, 'options.learningRate', 0, Number.MAX_VALUE);
  const beta1 = o.beta1 === undefined ? 0.9 : checkNumber(o.beta1, 'options.beta1', 0, 0.999999999);
  const beta2 = o.beta2 === undefined ? 0.999 : checkNumber(o.beta2, 'options.beta2', 0, 0.999999999);
  const epsilon = o.epsilon === undefined ? 1e-8 : checkNumber(o.epsilon, 'options.epsilon', 0, Number.MAX_VALUE);
  if (!Number.isSafeInteger(t) || t < 1) throw new RangeError(`t must be an integer >= 1; got ${show(t)}`);
  return { learningRate, beta1, beta2, epsilon, c1: 1 - beta1 ** t, c2: 1 - beta2 ** t };
}

/**
 * One Adam update of `n` coefficients, in place and allocation-free: for i < n, with g = gradient[g0 + i],
 * m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², and params[p0 + i] −= η (m / c1) / (√(v / c2) + ε) unless
 * `fixed[p0 + i]` is non-zero (the moments still move). The slices may live in different arrays at different offsets,
 * so that sparse storage (one slot per touched vertex, say) updates slot by slot with the same arithmetic as the
 * dense {@link createAdam}.
 *
 * @example
 * ```ts
 * const p = Float64Array.of(1, 2);
 * const m = new Float64Array(2);
 * const v = new Float64Array(2);
 * adamUpdate(adamStep({ learningRate: 0.1 }, 1), p, 0, m, 0, v, 0, Float64Array.of(1, -1), 0, 2);
 * // p ≈ [0.9, 2.1]
 * ```
 */
export function adamUpdate(
  k: AdamStep,
  params: Float64Array,
  p0: number,
  m: Float64Array,
  m0: number,
  v: Float64Array,
  v0: number,
  gradient: Float64Array,
  g0: number,
  n: number,
  fixed?: Uint8Array,
): void {
  const b1 = k.beta1;
  const b2 = k.beta2;
  const eta = k.learningRate;
  const eps = k.epsilon;
  const c1 = k.c1;
  const c2 = k.c2;
  for (let i = 0; i < n; i++) {
    const g = gradient[g0 + i];
    const mi = b1 * m[m0 + i] + (1 - b1) * g;
    const vi = b2 * v[v0 + i] + (1 - b2) * g * g;
    m[m0 + i] = mi;
    v[v0 + i] = vi;
    if (fixed === undefined || fixed[p0 + i] === 0) params[p0 + i] -= (eta * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}
/**
 * Adam (Kingma & Ba 2015) with bias correction from the step index.
 *
 * @example
 * ```ts
 * const adam = createAdam({ learningRate: 0.02 });
 * adam.step(theta, grad);
 * ```
 */
export function createAdam(options: AdamOptions): Optimizer {
  const k0 = adamStep(options, 1);
  let m: Float64Array | null = null;
  let v: Float64Array | null = null;
  let t = 0;
  return {
    step(params, gradient) {
      checkPair(params, gradient);
      if (m === null || v === null || m.length !== params.length) {
        m = new Float64Array(params.length);
        v = new Float64Array(params.length);
        t = 0;
      }
      t++;
      adamUpdate({ ...k0, c1: 1 - k0.beta1 ** t, c2: 1 - k0.beta2 ** t }, params, 0, m, 0, v, 0, gradient, 0, params.length);
    },
    reset() {
      m = null;
      v = null;
      t = 0;
    },
  };
}
