/**
 * Configuration of the DBD trainer: the options of {@link DbdTrainerConfig} with their defaults (spec 6.8), and
 * {@link resolveDbdConfig}, which checks them against the data and returns the JSON that checkpoints store.
 *
 * @packageDocumentation
 */

import type { MachineSpec } from '@srn/boltzmann';
import { conditionMembers, peekData, type TrainingData } from '../data.ts';
import { buildMachineSpec } from '../forms.ts';
import { buildMachine, type PsiDerivScale, resolveDomain, resolveSpacing, resolveTheta0 } from '../model.ts';
import { checkEnum, checkInt, checkNum, checkObject, checkPositive, show } from '../validate.ts';

/**
 * Static learning of θ(0) from the snapshots at t = 0 (all trajectories of a condition, every condition separately)
 * with `fitStatic` of `@srn/boltzmann` (persistent CD, centered gradients, Adam), starting from the configured θ(0).
 * Without this option and without a θ(0), θ(0) is fitted by `fitTheta0` of the model forms instead.
 *
 * @example
 * ```ts
 * const fit: Theta0FitConfig = { iterations: 300, batchSize: 10, learningRate: 0.02 };
 * ```
 */
export interface Theta0FitConfig {
  /** Iterations (default 300). */
  readonly iterations?: number;
  /** Snapshots per iteration (default min(10, the smallest condition's trajectory count)). */
  readonly batchSize?: number;
  /** Adam learning rate (default 0.02). */
  readonly learningRate?: number;
  /** Gibbs sweeps per phase (default 10). */
  readonly sweeps?: number;
  /** Parameter names to learn (default all). */
  readonly trainable?: readonly string[];
}

/**
 * Configuration of {@link createDbdTrainer}. Every hyperparameter of spec 6.8 is an option with the paper's value
 * as its default.
 *
 * @example
 * ```ts
 * const config: DbdTrainerConfig = { steps: 980, window: 10, batchSize: 5, learningRate: 2.5e-6 }; // the paper
 * ```
 */
export interface DbdTrainerConfig {
  /** Optional check that the data are L × L (kept from when the default machine was the paper's; needs no machine). */
  readonly latticeSize?: number;
  /**
   * The machine (homogeneous). Default: `buildMachineSpec({ kind: 'hidden', layers: 2, field: '2x2' }, data geometry)`,
   * which on an L × L lattice of two species is the paper's machine.
   */
  readonly machine?: MachineSpec;
  /** Optimisation steps of one pass of the curriculum (default 980). */
  readonly steps?: number;
  /**
   * Passes of the sliding-window curriculum (default 1, the paper). Each pass runs `steps` steps from H =
   * `horizonStart`; F, the optimiser state and the offsets carry over, so later passes refit the early windows
   * with the trajectory that the later windows changed (the truncated adjoint never looks back otherwise).
   */
  readonly passes?: number;
  /** Window length Δτ in data intervals (default 10: 11 time points). */
  readonly window?: number;
  /** Initial forward horizon H (default 10); the first window is [H − window, H]. */
  readonly horizonStart?: number;
  /** The window moves by one time point before every step s > moveEvery with (s − 1) % moveEvery = 0 (default 2). */
  readonly moveEvery?: number;
  /** Data trajectories per step, drawn without replacement (default 5) = awake chains. */
  readonly batchSize?: number;
  /** Asleep chains per time point (default 5). */
  readonly asleepChains?: number;
  /** Gibbs sweeps of the awake / asleep phases (default 10 / 10). */
  readonly awakeSweeps?: number;
  readonly asleepSweeps?: number;
  /** Learning rate η (default 2.5e-6, tuned to extensive moments; spec P2). */
  readonly learningRate?: number;
  /**
   * Iterate averaging (Polyak–Ruppert): from this step on (0-based over all passes) the trainer keeps the running mean
   * of the FE coefficients after each step, and {@link DbdTrainer.model} returns that mean. SGD with a step size small
   * enough to be stable still leaves F jittering by the noise of the sampled gradients; the mean of the iterates
   * keeps the drift and averages the jitter away. The sliding window refines F at late times only late in each pass,
   * so an average over a whole pass mixes in their stale values: average over a span that refines every region.
   * Default: no averaging (the paper).
   */
  readonly averageFrom?: number;
  /** `'sgd'` (default, spec P14) or `'adam'` (sparse/lazy Adam: only the coefficients touched in a step move). */
  readonly optimizer?: 'sgd' | 'adam';
  readonly adamBeta1?: number;
  readonly adamBeta2?: number;
  readonly adamEpsilon?: number;
  /** FE spacing Δ (default 0.1), one number or one per domain coordinate. */
  readonly spacing?: number | readonly number[];
  /** Euler sub-steps per data interval in the forward solve (default 1). */
  readonly substeps?: number;
  /** Time step of the data grid (default 1). */
  readonly dt?: number;
  /** Units of ∂F/∂θ inside ψ (spec P1; default `'fractional'` for parity with the original). */
  readonly psiDerivScale?: PsiDerivScale;
  /** Sliding factor of the offsets (default 0.5). */
  readonly lambda?: number;
  /**
   * Initial offsets per layer (spec 5.3; the Lotka-Volterra paper's are visible 0.0625, hidden 0.33). Default: from
   * the data, per condition: `initialOffsetsFromData` of the condition's t = 0 lattices (the visible layer's mean
   * occupancy per site and species; hidden layers 1/(states + 1)).
   */
  readonly initialOffsets?: readonly number[];
  /**
   * θ(0) by name or as a vector (for every condition when the data have several). Default: fitted per condition to
   * its t = 0 lattices by `fitTheta0` of the model forms (or by `theta0Fit` when that is given). The Lotka-Volterra
   * paper's θ(0) is {@link paperTheta0}.
   */
  readonly theta0?: Readonly<Record<string, number>> | readonly number[];
  /** θ(0) of every initial condition (index = condition of `data.conditions`); exclusive with `theta0`. */
  readonly theta0PerCondition?: readonly (Readonly<Record<string, number>> | readonly number[])[];
  /**
   * Learn θ(0) of every condition statically from its t = 0 snapshots with `fitStatic`, starting from `theta0` /
   * `theta0PerCondition`, or from independent sites at the t = 0 densities when neither is given.
   */
  readonly theta0Fit?: Theta0FitConfig;
  /** FE input parameters (default: visible biases and all weights). */
  readonly domain?: readonly string[];
  /**
   * `'sampled'` (default): wake/sleep Gibbs estimates. `'exact'`: moments by exact enumeration (`exactMoments`) for
   * tiny machines, so that the adjoint gradient can be checked against finite differences.
   */
  readonly moments?: 'sampled' | 'exact';
  /**
   * Gibbs kernel of the sampled mode: `'table'` (default; tabulated conditionals of homogeneous machines, same
   * distribution, about 3× faster, falls back to `'generic'` when a machine cannot be tabulated) or `'generic'`
   * (`gibbs` of `@srn/boltzmann`). The two consume the random stream differently.
   */
  readonly sampler?: 'table' | 'generic';
  /**
   * Preconditioner of the adjoint's source terms. `'none'` (default, the paper): the raw moment differences ΔE.
   * `'fisher-diagonal'`: every parameter's ΔE is scaled by g / Var(T_k), the inverse of its sufficient statistic's
   * model variance (the asleep chains' sample variance, or the exact one with `moments: 'exact'`) averaged over the
   * window, g normalising the scales to geometric mean 1 (see `train/precondition.ts`): a diagonal natural gradient,
   * which moves parameters with small-variance statistics (e.g. the pair counts of a scarce species) as fast as the
   * others. `'fisher-max'`: the same scales normalised to the largest variance instead (every scale ≥ 1: no parameter
   * moves slower than without the preconditioner, the small-variance ones faster). The fixed points (ΔE = 0) are
   * unchanged.
   */
  readonly precondition?: 'none' | 'fisher-diagonal' | 'fisher-max';
}

/**
 * The fully resolved configuration (JSON), stored in checkpoints.
 *
 * @example
 * ```ts
 * const c: ResolvedDbdConfig = resolveDbdConfig({}, data); c.steps; // 980
 * ```
 */
export interface ResolvedDbdConfig {
  readonly machine: MachineSpec;
  readonly steps: number;
  readonly passes: number;
  readonly window: number;
  readonly horizonStart: number;
  readonly moveEvery: number;
  readonly batchSize: number;
  readonly asleepChains: number;
  readonly awakeSweeps: number;
  readonly asleepSweeps: number;
  readonly learningRate: number;
  readonly averageFrom: number | null;
  readonly optimizer: 'sgd' | 'adam';
  readonly adamBeta1: number;
  readonly adamBeta2: number;
  readonly adamEpsilon: number;
  readonly spacing: number[];
  readonly substeps: number;
  readonly dt: number;
  readonly psiDerivScale: PsiDerivScale;
  readonly lambda: number;
  /** One per layer, or null: `initialOffsetsFromData` of every condition's t = 0 lattices. */
  readonly initialOffsets: number[] | null;
  /**
   * θ(0) (or the start of its fit); null: fitted per condition (`fitTheta0`, or `theta0Fit` from independent sites
   * when that is given).
   */
  readonly theta0: number[] | null;
  /** θ(0) (or fit start) of every condition; present only when given. */
  readonly theta0PerCondition?: number[][];
  readonly theta0Fit: Required<Omit<Theta0FitConfig, 'trainable'>> & { trainable: string[] | null } | null;
  readonly domain: string[];
  readonly moments: 'sampled' | 'exact';
  readonly sampler: 'table' | 'generic';
  /** Present only when not `'none'` (so configurations and checkpoints without it read as before). */
  readonly precondition?: 'fisher-diagonal' | 'fisher-max';
}

/**
 * Resolves a user config against the data (pure, throws TypeError/RangeError naming the option).
 *
 * @example
 * ```ts
 * resolveDbdConfig({ steps: 100 }, data).window; // 10
 * ```
 */
export function resolveDbdConfig(config: DbdTrainerConfig, data: TrainingData): ResolvedDbdConfig {
  const c = checkObject(config, 'config') as DbdTrainerConfig;
  const known = new Set([
    'latticeSize', 'machine', 'steps', 'passes', 'window', 'horizonStart', 'moveEvery', 'batchSize', 'asleepChains',
    'awakeSweeps', 'asleepSweeps', 'learningRate', 'averageFrom', 'optimizer', 'adamBeta1', 'adamBeta2', 'adamEpsilon', 'spacing',
    'substeps', 'dt', 'psiDerivScale', 'lambda', 'initialOffsets', 'theta0', 'theta0PerCondition', 'theta0Fit', 'domain',
    'moments', 'sampler', 'precondition',
  ]);
  for (const k of Object.keys(c)) if (!known.has(k)) throw new RangeError(`config.${k} is not a DbdTrainerConfig option`);
  const { shape, species } = peekData(data);
  const { members } = conditionMembers(data);
  const K = members.length;
  let spec: MachineSpec;
  if (c.machine !== undefined) {
    spec = c.machine;
    if (c.latticeSize !== undefined) throw new RangeError('config.latticeSize and config.machine are exclusive; give one');
  } else {
    if (c.latticeSize !== undefined) {
      const L = checkInt(c.latticeSize, 'config.latticeSize', 1);
      if (shape.length !== 2 || shape[0] !== L || shape[1] !== L) {
        throw new RangeError(`config.latticeSize ${L} asks for the paper machine on L × L data; got data shape ${show(shape)}`);
      }
    }
    // The default form: two hidden layers with 2^d receptive fields and same-species couplings on the data's own
    // lattice (any dimension, any species); on an L × L lattice of two species this is the paper's machine.
    spec = buildMachineSpec({ kind: 'hidden', layers: 2, field: '2x2' }, { shape, species });
  }
  const machine = buildMachine(spec, 'config.machine');
  const T = (data.trajectories[0].times as Float64Array | undefined)?.length ?? 0;
  const steps = c.steps === undefined ? 980 : checkInt(c.steps, 'config.steps', 1);
  const passes = c.passes === undefined ? 1 : checkInt(c.passes, 'config.passes', 1, 1000);
  const window = c.window === undefined ? 10 : checkInt(c.window, 'config.window', 1);
  const horizonStart = c.horizonStart === undefined ? 10 : checkInt(c.horizonStart, 'config.horizonStart', 1);
  if (horizonStart < window) throw new RangeError(`config.horizonStart (${horizonStart}) must be >= config.window (${window})`);
  if (horizonStart > T - 1) {
    throw new RangeError(`config.horizonStart (${horizonStart}) must be <= the last data time index ${T - 1}`);
  }
  const smallest = members.reduce((a, m) => Math.min(a, m.length), Number.MAX_SAFE_INTEGER);
  const perCondition = K > 1 ? ' of the smallest condition' : '';
  const batchSize = c.batchSize === undefined ? 5 : checkInt(c.batchSize, 'config.batchSize', 1);
  if (batchSize > smallest) {
    throw new RangeError(`config.batchSize (${batchSize}) must be <= the number of trajectories${perCondition} (${smallest})`);
  }
  const precondition = c.precondition === undefined ? 'none' : checkEnum(c.precondition, 'config.precondition', ['none', 'fisher-diagonal', 'fisher-max']);
  const dom = resolveDomain(machine, c.domain, 'config.domain');
  const spacing = Array.from(resolveSpacing(c.spacing, dom.names.length, 'config.spacing'));
  const initialOffsets = c.initialOffsets;
  if (initialOffsets !== undefined) {
    if (!Array.isArray(initialOffsets) || initialOffsets.length !== machine.layers.length) {
      throw new RangeError(`config.initialOffsets must hold one number per layer (${machine.layers.length}); got ${show(initialOffsets)}`);
    }
    for (let i = 0; i < initialOffsets.length; i++) checkNum(initialOffsets[i], `config.initialOffsets[${i}]`, 0, 1);
  }
  if (c.theta0 !== undefined && c.theta0PerCondition !== undefined) {
    throw new RangeError('config.theta0 and config.theta0PerCondition are exclusive; give one');
  }
  let theta0PerCondition: number[][] | undefined;
  if (c.theta0PerCondition !== undefined) {
    const per = c.theta0PerCondition;
    if (!Array.isArray(per) || per.length !== K) {
      throw new RangeError(`config.theta0PerCondition must hold one θ(0) per condition (${K}); got ${show(per)}`);
    }
    theta0PerCondition = per.map((t, k) => Array.from(resolveTheta0(machine, t, `config.theta0PerCondition[${k}]`)));
  }
  let theta0Fit: ResolvedDbdConfig['theta0Fit'] = null;
  if (c.theta0Fit !== undefined) {
    const f = checkObject(c.theta0Fit, 'config.theta0Fit') as Theta0FitConfig;
    if (f.trainable !== undefined && (!Array.isArray(f.trainable) || !f.trainable.every((n) => machine.parameters.names.includes(n)))) {
      throw new RangeError(`config.theta0Fit.trainable must list parameter names; got ${show(f.trainable)}`);
    }
    const fitBatch = f.batchSize === undefined ? Math.min(10, smallest) : checkInt(f.batchSize, 'config.theta0Fit.batchSize', 1);
    if (fitBatch > smallest) {
      throw new RangeError(`config.theta0Fit.batchSize (${fitBatch}) must be <= the number of trajectories${perCondition} (${smallest})`);
    }
    theta0Fit = {
      iterations: f.iterations === undefined ? 300 : checkInt(f.iterations, 'config.theta0Fit.iterations', 1),
      batchSize: fitBatch,
      learningRate: f.learningRate === undefined ? 0.02 : checkPositive(f.learningRate, 'config.theta0Fit.learningRate'),
      sweeps: f.sweeps === undefined ? 10 : checkInt(f.sweeps, 'config.theta0Fit.sweeps', 1),
      trainable: f.trainable === undefined ? null : [...f.trainable],
    };
  }
  return {
    machine: JSON.parse(JSON.stringify(spec)) as MachineSpec,
    steps,
    passes,
    window,
    horizonStart,
    moveEvery: c.moveEvery === undefined ? 2 : checkInt(c.moveEvery, 'config.moveEvery', 1),
    batchSize,
    asleepChains: c.asleepChains === undefined ? 5 : checkInt(c.asleepChains, 'config.asleepChains', 1),
    awakeSweeps: c.awakeSweeps === undefined ? 10 : checkInt(c.awakeSweeps, 'config.awakeSweeps', 1),
    asleepSweeps: c.asleepSweeps === undefined ? 10 : checkInt(c.asleepSweeps, 'config.asleepSweeps', 1),
    learningRate: c.learningRate === undefined ? 2.5e-6 : checkPositive(c.learningRate, 'config.learningRate'),
    averageFrom: c.averageFrom === undefined || c.averageFrom === null ? null : checkInt(c.averageFrom, 'config.averageFrom', 0, steps * passes - 1),
    optimizer: c.optimizer === undefined ? 'sgd' : checkEnum(c.optimizer, 'config.optimizer', ['sgd', 'adam']),
    adamBeta1: c.adamBeta1 === undefined ? 0.9 : checkNum(c.adamBeta1, 'config.adamBeta1', 0, 0.999999999),
    adamBeta2: c.adamBeta2 === undefined ? 0.999 : checkNum(c.adamBeta2, 'config.adamBeta2', 0, 0.999999999),
    adamEpsilon: c.adamEpsilon === undefined ? 1e-8 : checkPositive(c.adamEpsilon, 'config.adamEpsilon'),
    spacing,
    substeps: c.substeps === undefined ? 1 : checkInt(c.substeps, 'config.substeps', 1, 10_000),
    dt: c.dt === undefined ? 1 : checkPositive(c.dt, 'config.dt'),
    psiDerivScale: c.psiDerivScale === undefined ? 'fractional' : checkEnum(c.psiDerivScale, 'config.psiDerivScale', ['fractional', 'physical']),
    lambda: c.lambda === undefined ? 0.5 : checkNum(c.lambda, 'config.lambda', 0, 1),
    initialOffsets: initialOffsets === undefined ? null : [...initialOffsets],
    theta0:
      theta0PerCondition !== undefined ? theta0PerCondition[0] : c.theta0 === undefined ? null : Array.from(resolveTheta0(machine, c.theta0, 'config.theta0')),
    ...(theta0PerCondition !== undefined ? { theta0PerCondition } : {}),
    theta0Fit,
    domain: dom.names,
    moments: c.moments === undefined ? 'sampled' : checkEnum(c.moments, 'config.moments', ['sampled', 'exact']),
    sampler: c.sampler === undefined ? 'table' : checkEnum(c.sampler, 'config.sampler', ['table', 'generic']),
    ...(precondition === 'none' ? {} : { precondition }),
  };
}
