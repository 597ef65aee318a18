/**
 * In-house first-order optimisers for descent steps θ ← θ − update(g).
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
 * Adam (Kingma & Ba 2015) with bias correction from the step index.
 *
 * @example
 * ```ts
 * const adam = createAdam({ learningRate: 0.02 });
 * adam.step(theta, grad);
 * ```
 */
export function createAdam(options: AdamOptions): Optimizer {
  const o = checkOptions(options, 'options') as AdamOptions;
  const eta = checkNumber(o.learningRate, 'options.learningRate', 0, Number.MAX_VALUE);
  const b1 = o.beta1 === undefined ? 0.9 : checkNumber(o.beta1, 'options.beta1', 0, 0.999999999);
  const b2 = o.beta2 === undefined ? 0.999 : checkNumber(o.beta2, 'options.beta2', 0, 0.999999999);
  const eps = o.epsilon === undefined ? 1e-8 : checkNumber(o.epsilon, 'options.epsilon', 0, Number.MAX_VALUE);
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
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      for (let i = 0; i < params.length; i++) {
        const g = gradient[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        params[i] -= (eta * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    },
    reset() {
      m = null;
      v = null;
      t = 0;
    },
  };
}
