/**
 * Wake/sleep moment estimation (spec 6.3) and static learning of a DBM from lattice snapshots (persistent or
 * restarting contrastive divergence with centered gradients, spec 5.2), e.g. to learn θ(0).
 *
 * @packageDocumentation
 */

import type { RandomSource as Rng } from './random-source.ts';
import { centeredGradientToRaw, createCenters, slideCenters } from './centering.ts';
import { assertMachine, layerIndex, type Machine } from './machine.ts';
import { createAdam, type Optimizer } from './optimizers.ts';
import { createChains, gibbs, randomizeChains } from './sampling.ts';
import { clampSnapshots, type LatticeSnapshot } from './snapshot.ts';
import { centerStatistics, meanStatistics, sufficientStatistics } from './statistics.ts';
import {
  checkCenters,
  checkInteger,
  checkNumber,
  checkParameters,
  checkRng,
  checkStates,
  show,
} from './validate.ts';

/**
 * Options of {@link wakeSleep}.
 *
 * @example
 * ```ts
 * const o: WakeSleepOptions = { rng, awake, asleep, snapshots: batch, centers, lambda: 0.5 };
 * ```
 */
export interface WakeSleepOptions {
  readonly rng: Rng;
  /** Awake chains. The clamped layers must already hold data unless `snapshots` is given. Hidden layers persist. */
  readonly awake: Uint8Array;
  /** Data to clamp into the visible layer of awake chains 0..n−1 first (n must equal the number of awake chains). */
  readonly snapshots?: readonly LatticeSnapshot[];
  /** Asleep chains (model samples). */
  readonly asleep: Uint8Array;
  /** Gibbs sweeps per phase (default 10 each). */
  readonly awakeSweeps?: number;
  readonly asleepSweeps?: number;
  /** Keep the asleep chains between calls (persistent CD) instead of restarting them from noise (default false, spec 6.3). */
  readonly persistent?: boolean;
  /** Layers clamped in the awake phase (default [0]). */
  readonly clamped?: readonly (string | number)[];
  /** Offsets; if given they slide towards the awake means (in place) before the centered moments are formed. */
  readonly centers?: Float64Array;
  /** Sliding factor λ of the offsets (default 0.5; 0 keeps them fixed). */
  readonly lambda?: number;
}

/**
 * Result of {@link wakeSleep}: per-chain raw statistics of both phases, their means, the centered means (using the
 * updated centers) and the moment differences ΔE = asleep − awake (model − data).
 *
 * @example
 * ```ts
 * const r: WakeSleepResult = wakeSleep(m, theta, options);
 * r.difference; // centered ΔE, the gradient of D_KL w.r.t. the centered parameters
 * ```
 */
export interface WakeSleepResult {
  readonly awakeStatistics: Float64Array;
  readonly asleepStatistics: Float64Array;
  readonly awakeMean: Float64Array;
  readonly asleepMean: Float64Array;
  /** Equal to the raw means when no centers are used. */
  readonly awakeCenteredMean: Float64Array;
  readonly asleepCenteredMean: Float64Array;
  /** Centered ΔE (asleep − awake); equals `rawDifference` when no centers are used. */
  readonly difference: Float64Array;
  /** Raw ΔE (asleep − awake): ∂D_KL/∂θ for the raw parameters. */
  readonly rawDifference: Float64Array;
}

/**
 * One wake/sleep moment estimate (spec 6.3 and 5.3): awake sweeps with the visible layer clamped, asleep sweeps
 * (restarted from noise unless `persistent`), raw bias moments, offsets slid towards the awake means, then centered
 * weight moments with the updated offsets.
 *
 * @example
 * ```ts
 * const m = paperMachine();
 * const rng = createRng(3);
 * const awake = createChains(m, 5);
 * const asleep = createChains(m, 5);
 * randomizeChains(m, awake, rng);
 * const centers = createCenters(m, [0.0625, 0.33, 0.33]);
 * const r = wakeSleep(m, theta, { rng, awake, asleep, snapshots: fiveSnapshots, centers });
 * ```
 */
export function wakeSleep(machine: Machine, params: Float64Array, options: WakeSleepOptions): WakeSleepResult {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${show(options)}`);
  const { rng, awake, asleep } = options;
  checkRng(rng, 'options.rng');
  const awakeChains = checkStates(machine, awake, 'options.awake');
  checkStates(machine, asleep, 'options.asleep');
  const awakeSweeps = options.awakeSweeps === undefined ? 10 : checkInteger(options.awakeSweeps, 'options.awakeSweeps', 0);
  const asleepSweeps = options.asleepSweeps === undefined ? 10 : checkInteger(options.asleepSweeps, 'options.asleepSweeps', 0);
  const clamped = options.clamped ?? [0];
  const lambda = options.lambda === undefined ? 0.5 : checkNumber(options.lambda, 'options.lambda', 0, 1);
  if (options.centers !== undefined) checkCenters(machine, options.centers, 'options.centers');
  if (options.snapshots !== undefined) {
    if (!Array.isArray(options.snapshots) || options.snapshots.length !== awakeChains) {
      throw new RangeError(
        `options.snapshots must hold one snapshot per awake chain (${awakeChains}); got ${show(options.snapshots)}`,
      );
    }
    const layer = Array.isArray(clamped) && clamped.length > 0 ? layerIndex(machine, clamped[0], 'options.clamped[0]') : 0;
    clampSnapshots(machine, awake, options.snapshots, { layer });
  }
  gibbs(machine, params, awake, rng, { sweeps: awakeSweeps, clamped });
  if (options.persistent !== true) randomizeChains(machine, asleep, rng);
  gibbs(machine, params, asleep, rng, { sweeps: asleepSweeps });
  const awakeStatistics = sufficientStatistics(machine, awake);
  const asleepStatistics = sufficientStatistics(machine, asleep);
  const awakeMean = meanStatistics(machine, awakeStatistics);
  const asleepMean = meanStatistics(machine, asleepStatistics);
  let awakeCenteredMean = awakeMean;
  let asleepCenteredMean = asleepMean;
  if (options.centers !== undefined) {
    if (lambda > 0) slideCenters(machine, options.centers, awakeMean, lambda);
    awakeCenteredMean = centerStatistics(machine, awakeMean, options.centers);
    asleepCenteredMean = centerStatistics(machine, asleepMean, options.centers);
  }
  const P = machine.parameters.count;
  const difference = new Float64Array(P);
  const rawDifference = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    difference[p] = asleepCenteredMean[p] - awakeCenteredMean[p];
    rawDifference[p] = asleepMean[p] - awakeMean[p];
  }
  return {
    awakeStatistics,
    asleepStatistics,
    awakeMean,
    asleepMean,
    awakeCenteredMean,
    asleepCenteredMean,
    difference,
    rawDifference,
  };
}

/**
 * Per-iteration report passed to `FitOptions.onIteration`.
 *
 * @example
 * ```ts
 * const log = (info: FitProgress) => console.log(info.iteration, info.gradientNorm);
 * ```
 */
export interface FitProgress {
  readonly iteration: number;
  readonly parameters: Float64Array;
  readonly gradient: Float64Array;
  readonly gradientNorm: number;
  readonly wakeSleep: WakeSleepResult;
}

/**
 * Options of {@link fitStatic}.
 *
 * @example
 * ```ts
 * const o: FitOptions = { rng: createRng(1), iterations: 500, batchSize: 20, persistent: true };
 * ```
 */
export interface FitOptions {
  readonly rng: Rng;
  readonly iterations: number;
  /** Snapshots per iteration (awake chains), drawn without replacement (default min(10, snapshots.length)). */
  readonly batchSize?: number;
  /** Asleep chains (default = batchSize). */
  readonly asleepChains?: number;
  readonly awakeSweeps?: number;
  readonly asleepSweeps?: number;
  /** Persistent CD (default true) or restarts from noise every iteration. */
  readonly persistent?: boolean;
  /**
   * Optimiser (default Adam with learning rate 0.02). Gradients are extensive (sums over units/edges). With
   * centering, the optimiser sees the centered gradient and its step is mapped to raw parameters (spec 5.2).
   */
  readonly optimizer?: Optimizer;
  /** Use centered gradients mapped back to raw parameters (default true). */
  readonly centered?: boolean;
  /** Initial offsets (default: visible = data means, hidden = 1/(K+1)); updated in place. */
  readonly centers?: Float64Array;
  /** Sliding factor of the offsets (default 0.5). */
  readonly lambda?: number;
  /** Initial raw parameters (default zeros); not modified. */
  readonly initial?: Float64Array;
  /** Names of the parameter blocks to learn (default all); the others stay at their initial values. */
  readonly trainable?: readonly string[];
  /** Polyak–Ruppert averaging of the parameters from this iteration on (returned as `averaged`). */
  readonly averageFrom?: number;
  readonly onIteration?: (info: FitProgress) => void;
}

/**
 * Result of {@link fitStatic}.
 *
 * @example
 * ```ts
 * const { parameters, averaged } = fitStatic(m, snapshots, options);
 * ```
 */
export interface FitResult {
  readonly parameters: Float64Array;
  readonly centers: Float64Array;
  /** Mean of the iterates from `averageFrom` on (if requested). */
  readonly averaged?: Float64Array;
  /** Euclidean norm of the (raw-mapped) gradient at every iteration. */
  readonly gradientNorms: Float64Array;
}

/**
 * Fits a DBM to lattice snapshots of its visible layer by stochastic maximum likelihood: per iteration a random
 * batch of snapshots is clamped (awake chains keep their hidden states), the asleep chains run persistently or
 * restart from noise, the centered moment difference ΔE (model − data) is mapped to raw parameters (spec 5.2) and
 * an optimiser step θ ← θ − update(ΔE) is taken.
 *
 * @example
 * ```ts
 * const m = paperMachine({ size: 8 });
 * const fit = fitStatic(m, snapshots, { rng: createRng(2), iterations: 300, batchSize: 20 });
 * parameterRecord(m, fit.parameters).hX;
 * ```
 */
export function fitStatic(machine: Machine, snapshots: readonly LatticeSnapshot[], options: FitOptions): FitResult {
  assertMachine(machine, 'machine');
  if (!Array.isArray(snapshots) || snapshots.length === 0) {
    throw new TypeError(`snapshots must be a non-empty array of LatticeSnapshot; got ${show(snapshots)}`);
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${show(options)}`);
  const rng = options.rng;
  checkRng(rng, 'options.rng');
  const iterations = checkInteger(options.iterations, 'options.iterations', 0);
  const batch = options.batchSize === undefined ? Math.min(10, snapshots.length) : checkInteger(options.batchSize, 'options.batchSize', 1);
  if (batch > snapshots.length) {
    throw new RangeError(`options.batchSize must be <= snapshots.length (${snapshots.length}); got ${batch}`);
  }
  const asleepChains = options.asleepChains === undefined ? batch : checkInteger(options.asleepChains, 'options.asleepChains', 1);
  const P = machine.parameters.count;
  const params = new Float64Array(P);
  if (options.initial !== undefined) {
    checkParameters(machine, options.initial, 'options.initial');
    params.set(options.initial);
  }
  const mask = new Float64Array(P).fill(options.trainable === undefined ? 1 : 0);
  if (options.trainable !== undefined) {
    if (!Array.isArray(options.trainable)) {
      throw new TypeError(`options.trainable must be an array of parameter names; got ${show(options.trainable)}`);
    }
    for (const name of options.trainable) {
      const b = machine.parameters.block(name);
      for (let i = 0; i < b.count; i++) mask[b.offset + i * b.stride] = 1;
    }
  }
  const averageFrom = options.averageFrom === undefined ? -1 : checkInteger(options.averageFrom, 'options.averageFrom', 0);
  const optimizer = options.optimizer ?? createAdam({ learningRate: 0.02 });
  if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.step !== 'function') {
    throw new TypeError(`options.optimizer must be an Optimizer; got ${show(optimizer)}`);
  }
  const centered = options.centered !== false;
  // Awake and asleep chains; clamp the whole data set once to get the visible means for the default offsets.
  const awake = createChains(machine, batch);
  const asleep = createChains(machine, asleepChains);
  let centers: Float64Array;
  if (options.centers !== undefined) {
    checkCenters(machine, options.centers, 'options.centers');
    centers = options.centers;
  } else {
    centers = createCenters(machine);
    const all = createChains(machine, snapshots.length);
    clampSnapshots(machine, all, snapshots);
    const mean = meanStatistics(machine, sufficientStatistics(machine, all));
    const V = machine.layers[0];
    for (let a = 0; a < V.stateCount; a++) {
      let s = 0;
      if (V.biasStride === 0) s = mean[V.biasStart + a];
      else for (let i = 0; i < V.size; i++) s += mean[V.biasStart + i * V.biasStride + a];
      centers[V.centerOffset + a] = s / V.size;
    }
  }
  randomizeChains(machine, awake, rng);
  randomizeChains(machine, asleep, rng);
  const order = Int32Array.from({ length: snapshots.length }, (_, i) => i);
  const picked: LatticeSnapshot[] = new Array(batch);
  const gradientNorms = new Float64Array(iterations);
  const averaged = averageFrom >= 0 ? new Float64Array(P) : undefined;
  let averagedCount = 0;
  const lambda = options.lambda ?? 0.5;
  const step = new Float64Array(P);
  for (let it = 0; it < iterations; it++) {
    for (let b = 0; b < batch; b++) {
      const j = b + Math.floor(rng.nextFloat64() * (snapshots.length - b));
      const t = order[b];
      order[b] = order[j];
      order[j] = t;
      picked[b] = snapshots[order[b]];
    }
    const ws = wakeSleep(machine, params, {
      rng,
      awake,
      asleep,
      snapshots: picked,
      awakeSweeps: options.awakeSweeps,
      asleepSweeps: options.asleepSweeps,
      persistent: options.persistent !== false,
      ...(centered ? { centers, lambda } : {}),
    });
    let gradient: Float64Array;
    if (centered) {
      // Frozen parameters take no step in centered coordinates either, so mask before and after the map.
      // The optimiser runs in centered coordinates (its per-coordinate state sees Δθ̃); the resulting centered step
      // is mapped to raw parameters with the linear map of spec 5.2.
      const d = ws.difference.slice();
      for (let p = 0; p < P; p++) d[p] *= mask[p];
      step.fill(0);
      optimizer.step(step, d);
      const rawStep = centeredGradientToRaw(machine, step, centers);
      for (let p = 0; p < P; p++) params[p] += rawStep[p] * mask[p];
      gradient = centeredGradientToRaw(machine, d, centers);
    } else {
      gradient = ws.rawDifference.slice();
      for (let p = 0; p < P; p++) gradient[p] *= mask[p];
      optimizer.step(params, gradient);
    }
    let norm = 0;
    for (let p = 0; p < P; p++) {
      gradient[p] *= mask[p];
      norm += gradient[p] * gradient[p];
    }
    gradientNorms[it] = Math.sqrt(norm);
    if (averaged !== undefined && it >= averageFrom) {
      averagedCount++;
      for (let p = 0; p < P; p++) averaged[p] += (params[p] - averaged[p]) / averagedCount;
    }
    options.onIteration?.({ iteration: it, parameters: params, gradient, gradientNorm: gradientNorms[it], wakeSleep: ws });
  }
  return {
    parameters: params,
    centers,
    ...(averaged !== undefined && averagedCount > 0 ? { averaged } : {}),
    gradientNorms,
  };
}
