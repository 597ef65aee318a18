/**
 * Adjoint training of a dynamic Boltzmann distribution (spec 6): per optimisation step a forward Euler solve of
 * dθ/dt = F(x(θ)) from θ(0), wake/sleep moments at every time point of the current window, the centered adjoint
 * system integrated backwards (6.4), the FE-coefficient gradients (6.5) and an SGD or Adam update, inside the
 * sliding-window curriculum (6.6). Checkpoints capture the complete state.
 *
 * @packageDocumentation
 */

import {
  createAdam,
  createChains,
  exactMoments,
  fitStatic,
  gibbs,
  type GibbsOptions,
  type Machine,
  type MachineSpec,
  randomizeChains,
  sufficientStatistics,
} from '@srn/boltzmann';
import type { FeFunction, GradientOptions } from '@srn/fem-basis';
import { createFunction, fromBinary, toBinary } from '@srn/fem-basis';
import { type Rng, rngFromState } from '@srn/gillespie/rng';
import { bytesF64, bytesU32, decodeContainer, encodeContainer, f64Bytes, type Section } from './container.ts';
import { conditionMembers, type DataFingerprint, type PreparedData, peekData, prepareData, type TrainingData } from './data.ts';
import { CheckpointError } from './errors.ts';
import { integrateParameters, type ParameterTrajectory } from './integrate.ts';
import { type TablePlan, tableGibbs, tablePlan } from './kernels/table-gibbs.ts';
import {
  buildMachine,
  checkTheta,
  cloneModel,
  createDbd,
  type LearnedDbd,
  modelFromContainer,
  modelHeader,
  modelSections,
  paperMachineSpec,
  type PsiDerivScale,
  resolveDomain,
  resolveSpacing,
  resolveTheta0,
  rhsInto,
} from './model.ts';
import { checkEnum, checkInt, checkNum, checkObject, checkPositive, checkRngLike, show } from './validate.ts';

/**
 * Static learning of θ(0) from the snapshots at t = 0 (all trajectories of a condition, every condition separately)
 * with `fitStatic` of `@srn/boltzmann` (persistent CD, centered gradients, Adam), used when θ(0) is not known
 * analytically (the default when neither `theta0` nor `theta0PerCondition` is given).
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
  readonly learningRate?: number;
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
  /** Lattice side of the default paper machine (default: the data's shape, 40 in the paper). */
  readonly latticeSize?: number;
  /** The machine (default {@link paperMachineSpec}(latticeSize) with the data's species); homogeneous. */
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
   * the data, per condition: the visible offsets of every state are its density in the condition's t = 0 snapshots,
   * hidden offsets 1/(states + 1) (every state of a unit equally likely).
   */
  readonly initialOffsets?: readonly number[];
  /**
   * θ(0) by name or as a vector (for every condition when the data have several). Default: fitted from the data's
   * t = 0 snapshots of every condition (`theta0Fit` with its defaults), starting from the independent-site biases
   * h_a = ln(p_a / p_empty) of the t = 0 densities. The Lotka-Volterra paper's θ(0) is {@link paperTheta0}.
   */
  readonly theta0?: Readonly<Record<string, number>> | readonly number[];
  /** θ(0) of every initial condition (index = condition of `data.conditions`); exclusive with `theta0`. */
  readonly theta0PerCondition?: readonly (Readonly<Record<string, number>> | readonly number[])[];
  /**
   * Learn θ(0) statically from the t = 0 snapshots of every condition, starting from `theta0` /
   * `theta0PerCondition` (or from the independent-site biases when neither is given; then this is the default).
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
  /** One per layer, or null: from the data's t = 0 densities, per condition. */
  readonly initialOffsets: number[] | null;
  /** θ(0) (or the start of its fit); null: the independent-site biases of the data's t = 0 densities, per condition. */
  readonly theta0: number[] | null;
  /** θ(0) (or fit start) of every condition; present only when given. */
  readonly theta0PerCondition?: number[][];
  readonly theta0Fit: Required<Omit<Theta0FitConfig, 'trainable'>> & { trainable: string[] | null } | null;
  readonly domain: string[];
  readonly moments: 'sampled' | 'exact';
  readonly sampler: 'table' | 'generic';
}

/**
 * What {@link DbdTrainer.step} reports.
 *
 * @example
 * ```ts
 * const info: DbdStepInfo = trainer.step();
 * console.log(info.step, info.horizon, info.windowStart, info.seconds.toFixed(2));
 * ```
 */
export interface DbdStepInfo {
  /** 1-based index of the step just taken. */
  readonly step: number;
  /** Forward horizon H and window start τ of this step. */
  readonly horizon: number;
  readonly windowStart: number;
  /** Wall-clock seconds of the step. */
  readonly seconds: number;
  /** Trajectory indices of the batch (with K initial conditions: K batches, condition by condition). */
  readonly batch: Int32Array;
  /**
   * Raw moment differences ΔE = model − data (asleep − awake), averaged over the window's time points (and over the
   * conditions when there are several, like the costates and moments below).
   */
  readonly momentDifference: Float64Array;
  /** Costates λ(τ) (raw coordinates) at the window start. */
  readonly costate: Float64Array;
  /** Raw awake (data) and asleep (model) moment means at the window's time points τ..H, row-major (H − τ + 1) × P. */
  readonly awakeMoments: Float64Array;
  readonly asleepMoments: Float64Array;
  /** Total FE vertices stored over all F. */
  readonly vertices: number;
}

/**
 * A running DBD optimisation. Create with {@link createDbdTrainer}, resume with {@link restoreDbdTrainer}.
 *
 * @example
 * ```ts
 * const trainer = createDbdTrainer({}, data, createRng(1));
 * while (!trainer.done) {
 *   const info = trainer.step();
 *   if (info.step % 50 === 0) saveFile('ckpt.bin', trainer.checkpoint());
 * }
 * const model = trainer.model();
 * ```
 */
export interface DbdTrainer {
  /** Steps taken so far. */
  readonly stepIndex: number;
  /** `config.steps`. */
  readonly totalSteps: number;
  readonly done: boolean;
  /** Current forward horizon H and window start τ (of the last step taken, or the initial ones). */
  readonly horizon: number;
  readonly windowStart: number;
  readonly config: ResolvedDbdConfig;
  /** Number K of initial conditions of the data (1 without `data.conditions`). */
  readonly conditionCount: number;
  /** One optimisation step (spec 6.7). Throws RangeError when done, DbdDivergenceError if θ(t) diverges. */
  step(): DbdStepInfo;
  /** The complete state as bytes (container: JSON header + binary sections, versioned, CRC-32). */
  checkpoint(): Uint8Array;
  /** A deep copy of the trained model: the iterate average once `averageFrom` is passed, else the current F. */
  model(): LearnedDbd;
  /** A copy of the offsets μ(t) of a condition (default 0; one value per layer and state, `machine.centerCount`). */
  offsets(t: number, condition?: number): Float64Array;
  /**
   * θ(t) for t = 0, Δt, …, horizon·Δt (default the current horizon) from the θ(0) of a condition (default 0) by the
   * trainer's Euler scheme with the current F, without copying the model (cheap enough for progress output).
   */
  parameterTrajectory(horizon?: number, condition?: number): ParameterTrajectory;
}

const TRAINER_KIND = 'srn-dbd-trainer';
/**
 * Version of the trainer checkpoint layout.
 *
 * @example
 * ```ts
 * CHECKPOINT_VERSION; // 2
 * ```
 */
export const CHECKPOINT_VERSION = 2;

const now = (): number => (globalThis.performance !== undefined ? globalThis.performance.now() : Date.now());

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
    'moments', 'sampler',
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
    const L = c.latticeSize === undefined ? shape[0] : checkInt(c.latticeSize, 'config.latticeSize', 1);
    if (shape.length !== 2 || shape[0] !== L || shape[1] !== L) {
      throw new RangeError(`the default paper machine needs L × L data with L = ${L}; got data shape ${show(shape)}`);
    }
    spec = paperMachineSpec(L, 3, species);
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
  if (c.theta0Fit !== undefined || (c.theta0 === undefined && c.theta0PerCondition === undefined)) {
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
  };
}

/** Saved state of one initial condition (internal). */
interface ConditionSaved {
  offsets: Float64Array;
  chains: Uint8Array[];
}

/** Saved state of a trainer (internal). */
interface TrainerState {
  stepIndex: number;
  horizon: number;
  windowStart: number;
  entered: number;
  adamCount: number;
  conditions: ConditionSaved[];
  adamM: FeFunction[] | null;
  adamV: FeFunction[] | null;
  average: readonly FeFunction[] | null;
}

/**
 * Everything the trainer keeps per initial condition: its θ(0), offsets μ(t), persistent awake chains, and the
 * window caches of its forward solve and costates (so that one shared F is updated once per step, after every
 * condition's forward and backward pass).
 */
interface Condition {
  readonly theta0: Float64Array;
  readonly members: Int32Array;
  readonly mu: Float64Array;
  readonly chains: Uint8Array[];
  readonly batch: Int32Array;
  readonly thetaWin: Float64Array;
  readonly thetaViews: Float64Array[];
  readonly cells: Int32Array;
  readonly factors: Float64Array;
  readonly Fwin: Float64Array;
  readonly dF: Float64Array;
  readonly lam: Float64Array;
}

class DbdTrainerImpl implements DbdTrainer {
  readonly config: ResolvedDbdConfig;
  private readonly machine: Machine;
  private readonly live: LearnedDbd;
  private readonly data: PreparedData;
  private readonly rng: Rng;
  private readonly P: number;
  private readonly C: number;
  private readonly d: number;
  private readonly W: number;
  private readonly R: number;
  private readonly nf: number;
  private readonly psiUnits: GradientOptions;
  // Parameter roles.
  private readonly isWeight: Uint8Array;
  private readonly lowBias: Int32Array;
  private readonly upBias: Int32Array;
  private readonly lowCenter: Int32Array;
  private readonly upCenter: Int32Array;
  private readonly qLow: Float64Array;
  private readonly qUp: Float64Array;
  private readonly biasCenter: Int32Array;
  private readonly biasSize: Float64Array;
  private readonly domDim: Int32Array;
  // State.
  private _stepIndex: number;
  private _horizon: number;
  private _windowStart: number;
  private entered: number;
  private adamCount: number;
  private readonly conds: Condition[];
  private readonly adamM: FeFunction[] | null;
  private readonly adamV: FeFunction[] | null;
  private readonly grads: FeFunction[] | null;
  /** Running mean of the FE coefficients after the steps past `averageFrom` (null before). */
  private average: readonly FeFunction[] | null;
  // Scratch (allocated once).
  private readonly asleep: Uint8Array;
  private readonly awakeStats: Float64Array;
  private readonly asleepStats: Float64Array;
  private readonly awakeMean: Float64Array;
  private readonly asleepMean: Float64Array;
  private readonly theta: Float64Array;
  private readonly Fbuf: Float64Array;
  private readonly x: Float64Array;
  private readonly gradBuf: Float64Array;
  private readonly dE: Float64Array;
  private readonly dEc: Float64Array;
  private readonly awakeWin: Float64Array;
  private readonly asleepWin: Float64Array;
  private readonly cost: Float64Array;
  private readonly psi: Float64Array;
  private readonly order: Int32Array;
  private readonly awakeOptions: GibbsOptions;
  private readonly asleepOptions: GibbsOptions;
  private readonly visibleScratch: Uint8Array;
  private readonly plan: TablePlan | null;
  /**
   * Awake statistics per (trajectory, time point), filled on first use, when the machine has no hidden layers: the
   * awake chains are then the data snapshots themselves, so their statistics never change (null otherwise).
   */
  private readonly awakeCache: Float64Array | null;
  private readonly awakeCached: Uint8Array | null;

  constructor(config: ResolvedDbdConfig, model: LearnedDbd, data: PreparedData, rng: Rng, state: TrainerState | null) {
    this.config = config;
    this.machine = model.machine;
    this.live = model;
    this.data = data;
    this.rng = rng;
    const m = this.machine;
    const P = (this.P = m.parameters.count);
    const C = (this.C = m.centerCount);
    const d = (this.d = model.domainIndex.length);
    const W = (this.W = config.window);
    const R = (this.R = W + 1);
    const nf = (this.nf = model.functions[0].factorsPerPoint);
    this.psiUnits = { units: config.psiDerivScale };
    // Roles of the parameters.
    this.isWeight = new Uint8Array(P);
    this.lowBias = new Int32Array(P).fill(-1);
    this.upBias = new Int32Array(P).fill(-1);
    this.lowCenter = new Int32Array(P).fill(-1);
    this.upCenter = new Int32Array(P).fill(-1);
    this.qLow = new Float64Array(P);
    this.qUp = new Float64Array(P);
    this.biasCenter = new Int32Array(P).fill(-1);
    this.biasSize = new Float64Array(P);
    for (const L of m.layers) {
      for (let a = 0; a < L.stateCount; a++) {
        this.biasCenter[L.biasStart + a] = L.centerOffset + a;
        this.biasSize[L.biasStart + a] = L.size;
      }
    }
    for (const Cn of m.connections) {
      const Lo = m.layers[Cn.lower];
      const Up = m.layers[Cn.upper];
      for (let p = 0; p < Cn.pairCount; p++) {
        const k = Cn.weightStart + p;
        const a = Cn.pairs[2 * p];
        const b = Cn.pairs[2 * p + 1];
        this.isWeight[k] = 1;
        this.lowBias[k] = Lo.biasStart + a - 1;
        this.upBias[k] = Up.biasStart + b - 1;
        this.lowCenter[k] = Lo.centerOffset + a - 1;
        this.upCenter[k] = Up.centerOffset + b - 1;
        this.qLow[k] = Cn.lowerMultiplicity;
        this.qUp[k] = Cn.upperMultiplicity;
      }
    }
    this.domDim = new Int32Array(P).fill(-1);
    model.domainIndex.forEach((k, i) => {
      this.domDim[k] = i;
    });
    // Scratch.
    const B = config.batchSize;
    this.asleep = createChains(m, config.asleepChains);
    this.awakeStats = new Float64Array(B * P);
    this.asleepStats = new Float64Array(config.asleepChains * P);
    this.awakeMean = new Float64Array(P);
    this.asleepMean = new Float64Array(P);
    this.theta = new Float64Array(P);
    this.Fbuf = new Float64Array(P);
    this.x = new Float64Array(d);
    this.gradBuf = new Float64Array(d);
    this.dE = new Float64Array(R * P);
    this.dEc = new Float64Array(R * P);
    this.awakeWin = new Float64Array(R * P);
    this.asleepWin = new Float64Array(R * P);
    this.cost = new Float64Array(R * P);
    this.psi = new Float64Array(P);
    this.order = new Int32Array(data.count);
    this.awakeOptions = { sweeps: config.awakeSweeps, clamped: [0] };
    this.asleepOptions = { sweeps: config.asleepSweeps };
    this.visibleScratch = new Uint8Array(m.layers[0].size);
    this.plan = config.sampler === 'table' ? tablePlan(m) : null;
    const T = data.timePoints;
    const visibleOnly = m.layers.length === 1 && config.moments === 'sampled';
    this.awakeCache = visibleOnly ? new Float64Array(data.count * T * P) : null;
    this.awakeCached = visibleOnly ? new Uint8Array(data.count * T) : null;
    const fe = () => model.functions.map(() => createFunction({ spacing: Array.from(model.spacing), origin: Array.from(model.origin), dims: d }));
    const K = data.conditionCount;
    const condition = (k: number, mu: Float64Array): Condition => {
      const thetaWin = new Float64Array(R * P);
      return {
        theta0: K > 1 ? model.conditionTheta0![k] : model.theta0,
        members: data.members[k],
        mu,
        chains: Array.from({ length: R }, () => createChains(m, B)),
        batch: new Int32Array(B),
        thetaWin,
        thetaViews: Array.from({ length: R }, (_, i) => thetaWin.subarray(i * P, (i + 1) * P)),
        cells: new Int32Array(R * d),
        factors: new Float64Array(R * nf),
        Fwin: new Float64Array(R * P),
        dF: new Float64Array(R * P * d),
        lam: new Float64Array(R * P),
      };
    };
    if (state === null) {
      this._stepIndex = 0;
      this._horizon = config.horizonStart;
      this._windowStart = config.horizonStart - W;
      this.entered = config.horizonStart;
      this.adamCount = 0;
      const hidden = m.layers.slice(1).map((L) => L.index);
      this.conds = [];
      for (let k = 0; k < K; k++) {
        const mu = new Float64Array(T * C);
        const start = config.initialOffsets === null ? dataOffsets(m, data, data.members[k]) : null;
        for (let t = 0; t < T; t++) {
          if (start !== null) mu.set(start, t * C);
          else for (const L of m.layers) mu.fill(config.initialOffsets![L.index], t * C + L.centerOffset, t * C + L.centerOffset + L.stateCount);
        }
        const c = condition(k, mu);
        if (hidden.length > 0) {
          for (let t = this._windowStart; t <= this._horizon; t++) randomizeChains(m, c.chains[t % R], rng, { layers: hidden });
        }
        this.conds.push(c);
      }
      this.adamM = config.optimizer === 'adam' ? fe() : null;
      this.adamV = config.optimizer === 'adam' ? fe() : null;
      this.average = null;
    } else {
      this._stepIndex = state.stepIndex;
      this._horizon = state.horizon;
      this._windowStart = state.windowStart;
      this.entered = state.entered;
      this.adamCount = state.adamCount;
      this.conds = state.conditions.map((s, k) => {
        const c = condition(k, s.offsets);
        for (let t = this._windowStart; t <= this._horizon; t++) c.chains[t % R].set(s.chains[t - this._windowStart]);
        return c;
      });
      this.adamM = state.adamM;
      this.adamV = state.adamV;
      this.average = state.average;
    }
    this.grads = config.optimizer === 'adam' ? fe() : null;
  }

  get stepIndex(): number {
    return this._stepIndex;
  }
  get totalSteps(): number {
    return this.config.steps * this.config.passes;
  }
  get done(): boolean {
    return this._stepIndex >= this.config.steps * this.config.passes;
  }
  get horizon(): number {
    return this._horizon;
  }
  get windowStart(): number {
    return this._windowStart;
  }
  get conditionCount(): number {
    return this.conds.length;
  }

  offsets(t: number, condition = 0): Float64Array {
    checkInt(t, 't', 0, this.data.timePoints - 1);
    const k = checkInt(condition, 'condition', 0, this.conds.length - 1);
    return this.conds[k].mu.slice(t * this.C, (t + 1) * this.C);
  }

  model(): LearnedDbd {
    return cloneModel(this.average === null ? this.live : { ...this.live, functions: this.average });
  }

  parameterTrajectory(horizon?: number, condition = 0): ParameterTrajectory {
    const H = horizon === undefined ? this._horizon : checkInt(horizon, 'horizon', 0, this.data.timePoints - 1);
    const k = checkInt(condition, 'condition', 0, this.conds.length - 1);
    const times = Float64Array.from({ length: H + 1 }, (_, t) => t * this.config.dt);
    return integrateParameters(this.live, times, {
      method: 'euler',
      substeps: this.config.substeps,
      ...(this.conds.length > 1 ? { theta0: this.conds[k].theta0 } : {}),
    });
  }

  step(): DbdStepInfo {
    if (this.done) throw new RangeError(`the trainer is done: stepIndex (${this._stepIndex}) = totalSteps (${this.totalSteps})`);
    const start = now();
    const cfg = this.config;
    const P = this.P;
    const K = this.conds.length;
    const s = (this._stepIndex % cfg.steps) + 1; // step within the pass
    let H = this._horizon;
    let tau = this._windowStart;
    if (s === 1 && this._stepIndex > 0) {
      H = cfg.horizonStart;
      tau = H - cfg.window;
    } else if (s > cfg.moveEvery && (s - 1) % cfg.moveEvery === 0 && H < this.data.timePoints - 1) {
      H++;
      tau++;
    }
    // 1. Forward solves from every condition's θ(0) (throw before any state changes).
    for (const c of this.conds) this.forward(c, H, tau);
    // Commit the curriculum move: the new time point inherits chains and offsets of its predecessor (spec P10).
    if (H !== this._horizon) {
      // A new pass starts over at the first window: the slots keep their (stale) hidden states, which the awake sweeps
      // replace, and every earlier time point keeps its offsets.
      for (const c of this.conds) {
        if (H > this._horizon) c.chains[H % this.R].set(c.chains[(H - 1) % this.R]);
        if (H > this.entered) c.mu.copyWithin(H * this.C, (H - 1) * this.C, H * this.C);
      }
      if (H > this.entered) this.entered = H;
      this._horizon = H;
      this._windowStart = tau;
    }
    const rows = H - tau + 1;
    const momentDifference = new Float64Array(P);
    // Per-condition reports are averaged over the conditions when there are several.
    const awakeMoments = K > 1 ? new Float64Array(rows * P) : null;
    const asleepMoments = K > 1 ? new Float64Array(rows * P) : null;
    const costate = K > 1 ? new Float64Array(P) : null;
    const batch = K > 1 ? new Int32Array(K * cfg.batchSize) : null;
    for (let ci = 0; ci < K; ci++) {
      const c = this.conds[ci];
      // 2. Batch of the condition's trajectories (partial Fisher–Yates from its member list).
      const members = c.members;
      const n = members.length;
      const B = cfg.batchSize;
      this.order.set(members);
      for (let b = 0; b < B; b++) {
        const j = b + Math.floor(this.rng.nextFloat64() * (n - b));
        const tmp = this.order[b];
        this.order[b] = this.order[j];
        this.order[j] = tmp;
        c.batch[b] = this.order[b];
      }
      // 3. Wake/sleep moments, offsets, centered differences at every time point of the window.
      const md = K > 1 ? new Float64Array(P) : momentDifference;
      for (let t = tau; t <= H; t++) {
        this.wakeSleep(c, t, t - tau);
        for (let k = 0; k < P; k++) md[k] += this.dE[(t - tau) * P + k] / (H - tau + 1);
      }
      // 4. Backward costates (the update waits until every condition has its costates: one F per step).
      this.backward(c, H, tau);
      if (K > 1) {
        for (let k = 0; k < P; k++) momentDifference[k] += md[k] / K;
        for (let k = 0; k < rows * P; k++) {
          awakeMoments![k] += this.awakeWin[k] / K;
          asleepMoments![k] += this.asleepWin[k] / K;
        }
        for (let k = 0; k < P; k++) costate![k] += c.lam[k] / K;
        batch!.set(c.batch, ci * cfg.batchSize);
      }
    }
    // 5. Gradient of the shared F (mean over the conditions) and the update.
    this.update(H, tau);
    this._stepIndex++;
    if (cfg.averageFrom !== null && this._stepIndex > cfg.averageFrom) this.accumulateAverage();
    let vertices = 0;
    for (const f of this.live.functions) vertices += f.store.count;
    const c0 = this.conds[0];
    return {
      step: this._stepIndex,
      horizon: H,
      windowStart: tau,
      seconds: (now() - start) / 1000,
      batch: batch ?? c0.batch.slice(),
      momentDifference,
      costate: costate ?? c0.lam.slice(0, P),
      awakeMoments: awakeMoments ?? this.awakeWin.slice(0, rows * P),
      asleepMoments: asleepMoments ?? this.asleepWin.slice(0, rows * P),
      vertices,
    };
  }

  /** Euler from the condition's θ(0) to θ(H), caching θ, x-basis, F and ∂F/∂x at the window points τ..H. */
  private forward(c: Condition, H: number, tau: number): void {
    const { P, d, nf } = this;
    const model = this.live;
    const fns = model.functions;
    const di = model.domainIndex;
    const theta = this.theta;
    const x = this.x;
    const n = this.config.substeps;
    const h = this.config.dt / n;
    theta.set(c.theta0);
    for (let t = 0; t <= H; t++) {
      checkTheta(model, theta, t * this.config.dt);
      const inWindow = t >= tau;
      if (inWindow) {
        const i = t - tau;
        c.thetaWin.set(theta, i * P);
        for (let k = 0; k < d; k++) x[k] = theta[di[k]];
        fns[0].basisFactorsAt(x, c.cells, c.factors, i * d, i * nf);
        for (let j = 0; j < P; j++) {
          const f = fns[j];
          const g = this.gradBuf;
          const v = f.store.count === 0 ? g.fill(0)[0] : f.valueAndGradient(x, g, this.psiUnits);
          c.Fwin[i * P + j] = v;
          for (let k = 0; k < d; k++) c.dF[(i * P + j) * d + k] = g[k];
        }
      }
      if (t === H) break;
      for (let sub = 0; sub < n; sub++) {
        if (sub === 0 && inWindow) {
          const o = (t - tau) * P;
          for (let k = 0; k < P; k++) this.Fbuf[k] = c.Fwin[o + k];
        } else {
          checkTheta(model, theta, (t + sub / n) * this.config.dt);
          rhsInto(model, theta, this.Fbuf, x);
        }
        for (let k = 0; k < P; k++) theta[k] += h * this.Fbuf[k];
      }
    }
  }

  /** Wake/sleep at time point t (window row i) of a condition: raw ΔE, offsets slide, centered ΔE. */
  private wakeSleep(c: Condition, t: number, i: number): void {
    const { P, C, machine } = this;
    const cfg = this.config;
    const th = c.thetaViews[i];
    const aw = this.awakeMean;
    const as = this.asleepMean;
    const V = machine.layers[0];
    const N = V.size;
    const B = cfg.batchSize;
    if (cfg.moments === 'exact') {
      aw.fill(0);
      const vis = this.visibleScratch;
      for (let b = 0; b < B; b++) {
        const tr = c.batch[b];
        const occ = this.data.occupancy[tr];
        const map = this.data.maps[tr];
        for (let u = 0; u < N; u++) vis[u] = map[occ[t * N + u]];
        const r = exactMoments(machine, th, { visible: vis });
        for (let k = 0; k < P; k++) aw[k] += r.mean[k] / B;
      }
      as.set(exactMoments(machine, th).mean);
    } else {
      const chains = c.chains[t % this.R];
      const U = machine.unitCount;
      for (let b = 0; b < B; b++) {
        const tr = c.batch[b];
        const occ = this.data.occupancy[tr];
        const map = this.data.maps[tr];
        const base = b * U + V.unitOffset;
        const src = t * N;
        for (let u = 0; u < N; u++) chains[base + u] = map[occ[src + u]];
      }
      if (this.plan !== null) {
        tableGibbs(this.plan, th, chains, B, this.rng, cfg.awakeSweeps, true);
        randomizeChains(machine, this.asleep, this.rng);
        tableGibbs(this.plan, th, this.asleep, cfg.asleepChains, this.rng, cfg.asleepSweeps, false);
      } else {
        gibbs(machine, th, chains, this.rng, this.awakeOptions);
        randomizeChains(machine, this.asleep, this.rng);
        gibbs(machine, th, this.asleep, this.rng, this.asleepOptions);
      }
      if (this.awakeCache !== null && this.awakeCached !== null) {
        // No hidden layers: the awake statistics are those of the data snapshot (tr, t), computed once.
        const T = this.data.timePoints;
        for (let b = 0; b < B; b++) {
          const row = c.batch[b] * T + t;
          const cached = this.awakeCache.subarray(row * P, (row + 1) * P);
          if (this.awakeCached[row] === 0) {
            sufficientStatistics(machine, chains.subarray(b * U, (b + 1) * U), { out: cached });
            this.awakeCached[row] = 1;
          }
          this.awakeStats.set(cached, b * P);
        }
      } else {
        sufficientStatistics(machine, chains, { out: this.awakeStats });
      }
      sufficientStatistics(machine, this.asleep, { out: this.asleepStats });
      meanInto(this.awakeStats, B, P, aw);
      meanInto(this.asleepStats, cfg.asleepChains, P, as);
    }
    // Offsets slide towards the awake means (bias moments first, spec 5.3).
    const mu = c.mu;
    const lam = cfg.lambda;
    for (let k = 0; k < P; k++) {
      const bc = this.biasCenter[k];
      if (bc >= 0) mu[t * C + bc] = (1 - lam) * mu[t * C + bc] + lam * (aw[k] / this.biasSize[k]);
    }
    // Raw and centered differences with the updated offsets.
    const o = i * P;
    this.awakeWin.set(aw, o);
    this.asleepWin.set(as, o);
    for (let k = 0; k < P; k++) this.dE[o + k] = as[k] - aw[k];
    for (let k = 0; k < P; k++) {
      if (this.isWeight[k] === 0) {
        this.dEc[o + k] = this.dE[o + k];
      } else {
        const muLow = mu[t * C + this.lowCenter[k]];
        const muUp = mu[t * C + this.upCenter[k]];
        this.dEc[o + k] = this.dE[o + k] - this.qLow[k] * muUp * this.dE[o + this.lowBias[k]] - this.qUp[k] * muLow * this.dE[o + this.upBias[k]];
      }
    }
  }

  /** Raw costates λ(row i) from the centered ones at time t: λ_W = Λ_W + q_low μ_up φ_low + q_up μ_low φ_up. */
  private rawCostate(c: Condition, i: number, t: number): void {
    const { P, C } = this;
    const o = i * P;
    const lam = c.lam;
    for (let k = 0; k < P; k++) {
      if (this.isWeight[k] === 0) {
        lam[o + k] = this.cost[o + k];
      } else {
        const muLow = c.mu[t * C + this.lowCenter[k]];
        const muUp = c.mu[t * C + this.upCenter[k]];
        lam[o + k] = this.cost[o + k] + this.qLow[k] * muUp * this.cost[o + this.lowBias[k]] + this.qUp[k] * muLow * this.cost[o + this.upBias[k]];
      }
    }
  }

  /** Centered adjoint system (spec 6.4), explicit Euler backwards from zero at the window end. */
  private backward(c: Condition, H: number, tau: number): void {
    const { P, C, d } = this;
    const dt = this.config.dt;
    const nRows = H - tau;
    const cost = this.cost;
    const psi = this.psi;
    const mu = c.mu;
    cost.fill(0, nRows * P, (nRows + 1) * P);
    for (let i = nRows; i >= 1; i--) {
      const t = tau + i;
      this.rawCostate(c, i, t);
      // ψ_θ = Σ_j λ_j ∂F_j/∂θ for domain coordinates θ (0 otherwise, spec P15).
      for (let k = 0; k < P; k++) {
        const dim = this.domDim[k];
        if (dim < 0) {
          psi[k] = 0;
          continue;
        }
        let sacc = 0;
        for (let j = 0; j < P; j++) sacc += c.lam[i * P + j] * c.dF[(i * P + j) * d + dim];
        psi[k] = sacc;
      }
      const o = i * P;
      const p = (i - 1) * P;
      for (let k = 0; k < P; k++) {
        if (this.isWeight[k] === 0) {
          cost[p + k] = cost[o + k] - dt * (this.dE[o + k] - psi[k]);
        } else {
          const lo = this.lowBias[k];
          const up = this.upBias[k];
          const muLow = mu[t * C + this.lowCenter[k]];
          const muUp = mu[t * C + this.upCenter[k]];
          const dMuLow = (muLow - mu[(t - 1) * C + this.lowCenter[k]]) / dt;
          const dMuUp = (muUp - mu[(t - 1) * C + this.upCenter[k]]) / dt;
          const rhs =
            this.dEc[o + k] -
            psi[k] +
            this.qLow[k] * muUp * psi[lo] +
            this.qUp[k] * muLow * psi[up] -
            this.qLow[k] * cost[o + lo] * dMuUp -
            this.qUp[k] * cost[o + up] * dMuLow;
          cost[p + k] = cost[o + k] - dt * rhs;
        }
      }
    }
    this.rawCostate(c, 0, tau);
  }

  /**
   * Coefficient gradients g_u = −(1/K) Σ_conditions Σ_t Δt λ(t) ∂F/∂u|x(t) (spec 6.5; the mean over the K initial
   * conditions) and the optimiser step.
   */
  private update(H: number, tau: number): void {
    const { P } = this;
    const cfg = this.config;
    const fns = this.live.functions;
    const dt = cfg.dt;
    const K = this.conds.length;
    const rows = H - tau; // row H has zero costates
    if (cfg.optimizer === 'sgd') {
      const eta = cfg.learningRate;
      for (const c of this.conds) {
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < P; j++) {
            const scale = (eta * dt * c.lam[i * P + j]) / K;
            if (scale !== 0) fns[j].addFactoredToCoefficients(c.cells, c.factors, scale, i);
          }
        }
      }
      return;
    }
    const grads = this.grads!;
    const Ms = this.adamM!;
    const Vs = this.adamV!;
    for (let j = 0; j < P; j++) grads[j].store.clear();
    for (const c of this.conds) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < P; j++) {
          const g = (-dt * c.lam[i * P + j]) / K;
          if (g !== 0) grads[j].addFactoredToCoefficients(c.cells, c.factors, g, i);
        }
      }
    }
    this.adamCount++;
    const b1 = cfg.adamBeta1;
    const b2 = cfg.adamBeta2;
    const eps = cfg.adamEpsilon;
    const eta = cfg.learningRate;
    const c1 = 1 - b1 ** this.adamCount;
    const c2 = 1 - b2 ** this.adamCount;
    const d = this.d;
    for (let j = 0; j < P; j++) {
      const gs = grads[j].store;
      const fs = fns[j].store;
      const ms = Ms[j].store;
      const vs = Vs[j].store;
      const m = gs.coefficientsPerVertex;
      for (let sl = 0; sl < gs.count; sl++) {
        const fSlot = fs.ensureSlot(gs.indices, sl * d);
        const mSlot = ms.ensureSlot(gs.indices, sl * d);
        const vSlot = vs.ensureSlot(gs.indices, sl * d);
        const gc = gs.coeffs;
        const fc = fs.coeffs;
        const mc = ms.coeffs;
        const vc = vs.coeffs;
        for (let q = 0; q < m; q++) {
          const g = gc[sl * m + q];
          const mi = b1 * mc[mSlot * m + q] + (1 - b1) * g;
          const vi = b2 * vc[vSlot * m + q] + (1 - b2) * g * g;
          mc[mSlot * m + q] = mi;
          vc[vSlot * m + q] = vi;
          if (fs.fixed[fSlot * m + q] === 0) fc[fSlot * m + q] -= (eta * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
        }
      }
    }
  }

  /** Folds the current coefficients into the running mean (stores only grow, so every averaged vertex is live). */
  private accumulateAverage(): void {
    const fns = this.live.functions;
    if (this.average === null) {
      this.average = cloneModel(this.live).functions;
      return;
    }
    const n = this._stepIndex - this.config.averageFrom!; // iterates in the mean, this one included
    const d = this.d;
    for (let j = 0; j < fns.length; j++) {
      const live = fns[j].store;
      const avg = this.average[j].store;
      const m = live.coefficientsPerVertex;
      for (let sl = 0; sl < live.count; sl++) {
        const a = avg.ensureSlot(live.indices, sl * d);
        const lc = live.coeffs;
        const ac = avg.coeffs;
        for (let q = 0; q < m; q++) ac[a * m + q] += (lc[sl * m + q] - ac[a * m + q]) / n;
      }
    }
  }

  checkpoint(): Uint8Array {
    const model = this.live;
    const sections: Section[] = [...modelSections(model)];
    const window = this._horizon - this._windowStart + 1;
    const U = this.machine.unitCount * this.config.batchSize;
    // Condition 0 writes the sections 'offsets' and 'chains' (the single-condition layout), condition k > 0
    // 'offsets<k>' and 'chains<k>'.
    this.conds.forEach((c, k) => {
      const suffix = k === 0 ? '' : `${k}`;
      sections.push({ name: `offsets${suffix}`, bytes: f64Bytes(c.mu) });
      const chains = new Uint8Array(window * U);
      for (let t = this._windowStart; t <= this._horizon; t++) chains.set(c.chains[t % this.R], (t - this._windowStart) * U);
      sections.push({ name: `chains${suffix}`, bytes: chains });
    });
    const rngState = this.rng.getState();
    sections.push({ name: 'rng', bytes: new Uint8Array(rngState.buffer.slice(rngState.byteOffset, rngState.byteOffset + rngState.byteLength)) });
    if (this.adamM !== null && this.adamV !== null) {
      for (let j = 0; j < this.adamM.length; j++) sections.push({ name: `adamM${j}`, bytes: toBinary(this.adamM[j]) });
      for (let j = 0; j < this.adamV.length; j++) sections.push({ name: `adamV${j}`, bytes: toBinary(this.adamV[j]) });
    }
    if (this.average !== null) sections.push(...modelSections({ ...model, functions: this.average }, 'average'));
    return encodeContainer(
      {
        kind: TRAINER_KIND,
        version: CHECKPOINT_VERSION,
        config: this.config,
        model: modelHeader(model),
        data: this.data.fingerprint,
        state: {
          stepIndex: this._stepIndex,
          horizon: this._horizon,
          windowStart: this._windowStart,
          entered: this.entered,
          adamCount: this.adamCount,
          rngStateLength: rngState.length,
        },
      },
      sections,
    );
  }
}

function meanInto(perChain: Float64Array, chains: number, P: number, out: Float64Array): void {
  out.fill(0);
  for (let c = 0; c < chains; c++) for (let k = 0; k < P; k++) out[k] += perChain[c * P + k];
  for (let k = 0; k < P; k++) out[k] /= chains;
}

/** Counts of every visible state (index 0 = empty, a + 1 = state a) in the t = 0 snapshots of `members`. */
function initialCounts(machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const counts = new Float64Array(machine.layers[0].stateCount + 1);
  const N = data.sites;
  for (const i of members) {
    const occ = data.occupancy[i];
    const map = data.maps[i];
    for (let u = 0; u < N; u++) counts[map[occ[u]]]++;
  }
  return counts;
}

/**
 * The start of the θ(0) fit when no θ(0) is given: the independent-site model of the t = 0 densities, visible biases
 * h_a = ln(p_a / p_empty) (counts + 1/2, so that an absent state gives a finite bias), everything else 0.
 */
function independentSiteTheta0(machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const counts = initialCounts(machine, data, members);
  const theta = new Float64Array(machine.parameters.count);
  const V = machine.layers[0];
  for (let a = 0; a < V.stateCount; a++) theta[V.biasStart + a] = Math.log((counts[a + 1] + 0.5) / (counts[0] + 0.5));
  return theta;
}

/**
 * Initial offsets μ (one per layer state, `machine.centerCount`) from the data when none are configured: the density
 * of every visible state in the t = 0 snapshots of `members`, and 1/(states + 1) for hidden units (all states of a
 * unit equally likely).
 */
function dataOffsets(machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const counts = initialCounts(machine, data, members);
  const total = members.length * data.sites;
  const mu = new Float64Array(machine.centerCount);
  for (const L of machine.layers) {
    for (let a = 0; a < L.stateCount; a++) mu[L.centerOffset + a] = L.index === 0 ? counts[a + 1] / total : 1 / (L.stateCount + 1);
  }
  return mu;
}

/**
 * Options of {@link createDbdTrainer} beyond the configuration.
 *
 * @example
 * ```ts
 * const trainer = createDbdTrainer(config, data, rng, { warmStart: previous });
 * ```
 */
export interface CreateTrainerOptions {
  /** Start from these F (copied); its machine, domain and grid must match the configuration. */
  readonly warmStart?: LearnedDbd;
}

/**
 * Creates a trainer for a DBD on lattice trajectories (spec 6). `rng` drives every random choice (batches, Gibbs
 * sampling, chain initialisation, the optional static fit of θ(0)); its state is part of every checkpoint.
 *
 * @example
 * ```ts
 * import { createRng } from '@srn/gillespie/rng';
 * import { lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
 * const runs = Array.from({ length: 100 }, (_, i) => simulateLattice(lotkaVolterraLattice(), createRng(7, i)));
 * const trainer = createDbdTrainer({}, { trajectories: runs.map((r) => r.trajectory!) }, createRng(1));
 * while (!trainer.done) trainer.step();
 * ```
 */
export function createDbdTrainer(
  config: DbdTrainerConfig,
  data: TrainingData,
  rng: Rng,
  options?: CreateTrainerOptions,
): DbdTrainer {
  const cfg = resolveDbdConfig(config, data);
  checkRngLike(rng, 'rng');
  const o = checkObject(options, 'options');
  const machine = buildMachine(cfg.machine, 'config.machine');
  const prepared = prepareData(data, machine, cfg.dt);
  const K = prepared.conditionCount;
  // θ(0) of every condition: given, or fitted from its t = 0 snapshots (conditions in order, one random stream).
  const thetas = prepared.members.map((members, k) => {
    let theta0 =
      cfg.theta0PerCondition !== undefined
        ? Float64Array.from(cfg.theta0PerCondition[k])
        : cfg.theta0 !== null
          ? Float64Array.from(cfg.theta0)
          : independentSiteTheta0(machine, prepared, members);
    if (cfg.theta0Fit !== null) {
      const f = cfg.theta0Fit;
      const snaps = Array.from(members, (i) => ({
        shape: [...machine.layers[0].shape],
        species: [...data.trajectories[0].species],
        occupancy: prepared.occupancy[i].subarray(0, prepared.sites),
      }));
      const fit = fitStatic(machine, snaps, {
        rng,
        iterations: f.iterations,
        batchSize: f.batchSize,
        awakeSweeps: f.sweeps,
        asleepSweeps: f.sweeps,
        initial: theta0,
        averageFrom: Math.floor(f.iterations / 2),
        optimizer: createAdam({ learningRate: f.learningRate }),
        ...(f.trainable !== null ? { trainable: f.trainable } : {}),
      });
      theta0 = (fit.averaged ?? fit.parameters).slice();
    }
    return theta0;
  });
  const theta0 = thetas[0];
  const perCondition = K > 1 ? { conditionTheta0: Object.freeze(thetas) } : {};
  let model = createDbd({
    machine: cfg.machine,
    theta0,
    domain: cfg.domain,
    spacing: cfg.spacing,
    dt: cfg.dt,
    psiDerivScale: cfg.psiDerivScale,
  });
  if (K > 1) model = Object.freeze({ ...model, ...perCondition });
  if (o.warmStart !== undefined) {
    const w = o.warmStart;
    const same =
      JSON.stringify(w.machineSpec) === JSON.stringify(model.machineSpec) &&
      JSON.stringify(w.domain) === JSON.stringify(model.domain) &&
      w.spacing.every((v, i) => v === model.spacing[i]);
    if (!same) throw new RangeError('options.warmStart must have the machine, domain and spacing of the configuration');
    // One condition: a warm start keeps its own θ(0) unless θ(0) is fitted; several: θ(0) comes from the configuration.
    const keep = K === 1 && cfg.theta0Fit === null;
    model = cloneModel({ ...model, theta0: keep ? w.theta0 : theta0, ...perCondition, origin: w.origin, functions: w.functions });
  }
  return new DbdTrainerImpl(cfg, model, prepared, rng, null);
}

/**
 * Options of {@link restoreDbdTrainer}.
 *
 * @example
 * ```ts
 * restoreDbdTrainer(bytes, data, { config: sameConfigAsBefore });
 * ```
 */
export interface RestoreTrainerOptions {
  /** If given, it must resolve to the checkpoint's configuration (else CheckpointError 'mismatch'). */
  readonly config?: DbdTrainerConfig;
  /** Generator to restore the RNG state into (default a new xoshiro128** from `@srn/gillespie`). */
  readonly rng?: Rng;
}

function sameFingerprint(a: DataFingerprint, b: DataFingerprint): string | null {
  if (a.trajectories !== b.trajectories) return `${b.trajectories} trajectories instead of ${a.trajectories}`;
  if (a.timePoints !== b.timePoints) return `${b.timePoints} time points instead of ${a.timePoints}`;
  if (JSON.stringify(a.shape) !== JSON.stringify(b.shape)) return `shape ${show(b.shape)} instead of ${show(a.shape)}`;
  if (JSON.stringify(a.species) !== JSON.stringify(b.species)) return `species ${show(b.species)} instead of ${show(a.species)}`;
  if (a.crc !== b.crc) return `different occupancies (CRC-32 ${b.crc.toString(16)} instead of ${a.crc.toString(16)})`;
  if (JSON.stringify(a.conditions) !== JSON.stringify(b.conditions)) return 'different initial conditions (data.conditions)';
  return null;
}

/**
 * Restores a trainer from {@link DbdTrainer.checkpoint} bytes and the same data. The restored trainer continues to
 * the bit-identical result the original would have reached. Corrupt, truncated or foreign bytes, different data, or
 * a configuration that does not match throw {@link CheckpointError}; nothing is half-loaded.
 *
 * @example
 * ```ts
 * const trainer = restoreDbdTrainer(readFileSync('ckpt.bin'), data);
 * while (!trainer.done) trainer.step();
 * ```
 */
export function restoreDbdTrainer(bytes: Uint8Array, data: TrainingData, options?: RestoreTrainerOptions): DbdTrainer {
  const c = decodeContainer(bytes, 'checkpoint');
  const h = c.header;
  if (h.kind !== TRAINER_KIND) throw new CheckpointError('format', `checkpoint has kind ${show(h.kind)}; expected '${TRAINER_KIND}'`);
  if (h.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError('version', `checkpoint has version ${show(h.version)}; this build reads version ${CHECKPOINT_VERSION}`);
  }
  const o = checkObject(options, 'options');
  const cfg = h.config as ResolvedDbdConfig;
  let resolved: ResolvedDbdConfig;
  try {
    resolved = resolveDbdConfig(
      {
        ...cfg,
        theta0Fit: undefined,
        theta0: cfg.theta0 === null || cfg.theta0PerCondition !== undefined ? undefined : cfg.theta0,
        initialOffsets: cfg.initialOffsets ?? undefined,
      } as unknown as DbdTrainerConfig,
      data,
    );
    resolved = { ...resolved, theta0Fit: cfg.theta0Fit };
  } catch (e) {
    throw new CheckpointError('mismatch', `checkpoint configuration does not fit the data: ${(e as Error).message}`);
  }
  if (JSON.stringify(resolved) !== JSON.stringify(cfg)) {
    throw new CheckpointError('header', 'checkpoint configuration is not a resolved DbdTrainerConfig');
  }
  if (o.config !== undefined) {
    let given: ResolvedDbdConfig;
    try {
      given = resolveDbdConfig(o.config, data);
    } catch (e) {
      throw new CheckpointError('mismatch', `options.config is invalid for this data: ${(e as Error).message}`);
    }
    if (JSON.stringify(given) !== JSON.stringify(cfg)) {
      const diff = Object.keys(cfg).filter(
        (k) => JSON.stringify((given as unknown as Record<string, unknown>)[k]) !== JSON.stringify((cfg as unknown as Record<string, unknown>)[k]),
      );
      throw new CheckpointError('mismatch', `checkpoint was written with a different configuration (differs in ${diff.join(', ')})`);
    }
  }
  const machine = buildMachine(cfg.machine, 'config.machine');
  let prepared: PreparedData;
  try {
    prepared = prepareData(data, machine, cfg.dt);
  } catch (e) {
    throw new CheckpointError('mismatch', `data do not fit the checkpoint: ${(e as Error).message}`);
  }
  const diff = sameFingerprint(h.data as DataFingerprint, prepared.fingerprint);
  if (diff !== null) throw new CheckpointError('mismatch', `checkpoint was written for different data: ${diff}`);
  const model = modelFromContainer(h.model as Record<string, unknown>, (n) => c.section(n), 'checkpoint');
  const st = h.state as Record<string, number>;
  const T = prepared.timePoints;
  const ints = ['stepIndex', 'horizon', 'windowStart', 'entered', 'adamCount', 'rngStateLength'];
  if (st === null || typeof st !== 'object' || !ints.every((k) => Number.isSafeInteger(st[k]) && st[k] >= 0)) {
    throw new CheckpointError('header', `checkpoint state must hold the integers ${ints.join(', ')}`);
  }
  if (
    st.horizon - st.windowStart !== cfg.window ||
    st.horizon > T - 1 ||
    st.entered < st.horizon ||
    st.entered > T - 1 ||
    st.stepIndex > cfg.steps * cfg.passes
  ) {
    throw new CheckpointError('header', `checkpoint state is inconsistent: ${JSON.stringify(st)}`);
  }
  const K = prepared.conditionCount;
  if ((model.conditionTheta0?.length ?? 1) !== K) {
    throw new CheckpointError('header', `checkpoint model holds θ(0) of ${model.conditionTheta0?.length ?? 1} conditions; the data have ${K}`);
  }
  const U = machine.unitCount * cfg.batchSize;
  const window = cfg.window + 1;
  const conditions = Array.from({ length: K }, (_, k) => {
    const suffix = k === 0 ? '' : `${k}`;
    const offsets = bytesF64(c.section(`offsets${suffix}`), T * machine.centerCount, `checkpoint section offsets${suffix}`);
    const chainBytes = c.section(`chains${suffix}`);
    if (chainBytes.length !== window * U) {
      throw new CheckpointError('header', `checkpoint section chains${suffix} must hold ${window * U} bytes; got ${chainBytes.length}`);
    }
    const chains = Array.from({ length: window }, (_, i) => chainBytes.subarray(i * U, (i + 1) * U));
    for (const L of machine.layers) {
      for (let i = 0; i < window * cfg.batchSize; i++) {
        const base = i * machine.unitCount + L.unitOffset;
        for (let u = 0; u < L.size; u++) {
          if (chainBytes[base + u] > L.stateCount) throw new CheckpointError('header', `checkpoint section chains${suffix} holds invalid unit states`);
        }
      }
    }
    return { offsets, chains };
  });
  const rngState = bytesU32(c.section('rng'), st.rngStateLength, 'checkpoint section rng');
  let adamM: FeFunction[] | null = null;
  let adamV: FeFunction[] | null = null;
  if (cfg.optimizer === 'adam') {
    try {
      adamM = model.functions.map((_, j) => fromBinary(c.section(`adamM${j}`)));
      adamV = model.functions.map((_, j) => fromBinary(c.section(`adamV${j}`)));
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError('header', `checkpoint holds an invalid Adam state: ${(e as Error).message}`);
    }
  }
  // The average exists once a step past averageFrom has been taken.
  const average =
    cfg.averageFrom !== null && st.stepIndex > cfg.averageFrom
      ? modelFromContainer(h.model as Record<string, unknown>, (n) => c.section(n), 'checkpoint iterate average', 'average').functions
      : null;
  let rng: Rng;
  try {
    if (o.rng !== undefined) {
      checkRngLike(o.rng, 'options.rng');
      o.rng.setState(rngState);
      rng = o.rng;
    } else {
      rng = rngFromState(rngState);
    }
  } catch (e) {
    if (e instanceof TypeError && o.rng !== undefined) throw e;
    throw new CheckpointError('mismatch', `checkpoint RNG state cannot be restored: ${(e as Error).message}`);
  }
  return new DbdTrainerImpl(cfg, model, prepared, rng, {
    stepIndex: st.stepIndex,
    horizon: st.horizon,
    windowStart: st.windowStart,
    entered: st.entered,
    adamCount: st.adamCount,
    conditions,
    adamM,
    adamV,
    average,
  });
}
