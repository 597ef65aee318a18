/**
 * Adjoint training of a dynamic Boltzmann distribution (spec 6): per optimisation step, for every initial condition,
 * a forward Euler solve of dθ/dt = F(x(θ)) from its θ(0), moment estimates at every time point of the current window,
 * and the centered adjoint system integrated backwards; then one update of the shared F from the mean gradient, inside
 * the sliding-window curriculum. The parts live next to this file: `config.ts` (options and defaults), `initial.ts`
 * (θ(0) and offsets from the data), `form.ts` (parameter roles and centering), `estimator.ts` (wake/sleep or exact
 * moments), `adjoint.ts` (forward and backward passes), `optimizer.ts` (SGD and sparse Adam of the FE coefficients),
 * `curriculum.ts` (window schedule and iterate average) and `checkpoint.ts` (persistence).
 *
 * @packageDocumentation
 */

import type { Machine } from '@srn/boltzmann';
import { createChains, randomizeChains } from '@srn/boltzmann';
import type { FeFunction } from '@srn/fem-basis';
import type { Rng } from '@srn/gillespie/rng';
import { type PreparedData, prepareData, type TrainingData } from '../data.ts';
import { integrateParameters, type ParameterTrajectory } from '../integrate.ts';
import { buildMachine, cloneModel, createDbd, type LearnedDbd } from '../model.ts';
import { checkInt, checkObject, checkRngLike } from '../validate.ts';
import { AdjointSolver, createWindowCache, type WindowCache } from './adjoint.ts';
import { type CheckpointContent, decodeCheckpoint, type DecodedCheckpoint, encodeCheckpoint, encodeCheckpointChunks, type RestoreTrainerOptions } from './checkpoint.ts';
import { type DbdTrainerConfig, type ResolvedDbdConfig, resolveDbdConfig } from './config.ts';
import { accumulateAverage, nextWindow } from './curriculum.ts';
import { createMomentEstimator, type MomentEstimator } from './estimator.ts';
import { centerDifferences, type ParameterRoles, parameterRoles, slideOffsets } from './form.ts';
import { conditionTheta0, initialOffsets } from './initial.ts';
import { createFeOptimizer, type FeOptimizer } from './optimizer.ts';
import { fisherDiagonalScales, scaleDifferences } from './precondition.ts';

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
  /**
   * Relative moment mismatch of the window, a cost that can be compared between steps and passes: the mean over the
   * parameters k of Σ_rows |ΔE_k| / Σ_rows |⟨T_k⟩_data| (raw moments; parameters whose data moments are all 0 left
   * out; averaged over the conditions). It includes the asleep chains' sampling noise, so it levels off above 0.
   */
  readonly mismatch: number;
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
 * const bytes = serializeLearnedDbd(trainer.modelView()); // the same model, not copied first
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
  /**
   * The bytes of {@link DbdTrainer.checkpoint} as consecutive chunks, without one buffer holding all of them: for
   * writing a late checkpoint (tens of MB of FE coefficients) to a file with one copy of it in memory instead of two.
   * Write them before the next step (some chunks are the trainer's own arrays).
   */
  checkpointChunks(): Uint8Array[];
  /** A deep copy of the trained model: the iterate average once `averageFrom` is passed, else the current F. */
  model(): LearnedDbd;
  /**
   * The model of {@link DbdTrainer.model} without the copy: it shares the trainer's FE functions, so it is valid only
   * until the next step (which changes them) and must not be changed. For writing the model at the end of training
   * (`serializeLearnedDbdChunks(trainer.modelView())`) without a second copy of tens of MB of coefficients.
   */
  modelView(): LearnedDbd;
  /** A copy of the offsets μ(t) of a condition (default 0; one value per layer and state, `machine.centerCount`). */
  offsets(t: number, condition?: number): Float64Array;
  /**
   * θ(t) for t = 0, Δt, …, horizon·Δt (default the current horizon) from the θ(0) of a condition (default 0) by the
   * trainer's Euler scheme with the current F, without copying the model (cheap enough for progress output).
   */
  parameterTrajectory(horizon?: number, condition?: number): ParameterTrajectory;
}

const now = (): number => (globalThis.performance !== undefined ? globalThis.performance.now() : Date.now());

/**
 * Everything the trainer keeps per initial condition: its θ(0), trajectories, offsets μ(t), persistent awake chains
 * (one slot per window time point, t mod R) and the window caches of its forward and backward passes, so that the
 * shared F is updated once per step, after every condition's passes.
 */
interface Condition extends WindowCache {
  readonly theta0: Float64Array;
  readonly members: Int32Array;
  readonly mu: Float64Array;
  readonly chains: Uint8Array[];
  readonly batch: Int32Array;
}

class DbdTrainerImpl implements DbdTrainer {
  readonly config: ResolvedDbdConfig;
  private readonly machine: Machine;
  private readonly live: LearnedDbd;
  private readonly data: PreparedData;
  private readonly rng: Rng;
  private readonly P: number;
  private readonly C: number;
  private readonly R: number;
  private readonly roles: ParameterRoles;
  private readonly estimator: MomentEstimator;
  private readonly adjoint: AdjointSolver;
  private readonly optimizer: FeOptimizer;
  // State.
  private _stepIndex: number;
  private _horizon: number;
  private _windowStart: number;
  private entered: number;
  private readonly conds: Condition[];
  /** Running mean of the FE coefficients after the steps past `averageFrom` (null before). */
  private average: readonly FeFunction[] | null;
  // Scratch (allocated once): moments and differences of the window rows of the condition at hand.
  private readonly awakeMean: Float64Array;
  private readonly asleepMean: Float64Array;
  private readonly dE: Float64Array;
  private readonly dEc: Float64Array;
  private readonly awakeWin: Float64Array;
  private readonly asleepWin: Float64Array;
  private readonly order: Int32Array;
  /** Model variances of the window rows and the preconditioner's scales (null without `precondition`). */
  private readonly varWin: Float64Array | null;
  private readonly scales: Float64Array | null;

  constructor(config: ResolvedDbdConfig, model: LearnedDbd, data: PreparedData, rng: Rng, state: DecodedCheckpoint['state'] | null) {
    this.config = config;
    const m = (this.machine = model.machine);
    this.live = model;
    this.data = data;
    this.rng = rng;
    const P = (this.P = m.parameters.count);
    const C = (this.C = m.centerCount);
    const d = model.domainIndex.length;
    const W = config.window;
    const R = (this.R = W + 1);
    const nf = model.functions[0].factorsPerPoint;
    this.roles = parameterRoles(m, model.domainIndex);
    this.estimator = createMomentEstimator(config, m, data, rng);
    this.adjoint = new AdjointSolver(model, this.roles, { units: config.psiDerivScale }, config.dt, config.substeps, R);
    this.optimizer = createFeOptimizer(
      config,
      model.functions,
      state === null ? null : { count: state.adamCount, m: state.adamM, v: state.adamV },
    );
    this.awakeMean = new Float64Array(P);
    this.asleepMean = new Float64Array(P);
    this.dE = new Float64Array(R * P);
    this.dEc = new Float64Array(R * P);
    this.awakeWin = new Float64Array(R * P);
    this.asleepWin = new Float64Array(R * P);
    this.order = new Int32Array(data.count);
    this.varWin = config.precondition === undefined ? null : new Float64Array(R * P);
    this.scales = config.precondition === undefined ? null : new Float64Array(P);
    const T = data.timePoints;
    const K = data.conditionCount;
    const B = config.batchSize;
    const condition = (k: number, mu: Float64Array): Condition => ({
      ...createWindowCache(P, d, nf, R),
      theta0: K > 1 ? model.conditionTheta0![k] : model.theta0,
      members: data.members[k],
      mu,
      chains: Array.from({ length: R }, () => createChains(m, B)),
      batch: new Int32Array(B),
    });
    if (state === null) {
      this._stepIndex = 0;
      this._horizon = config.horizonStart;
      this._windowStart = config.horizonStart - W;
      this.entered = config.horizonStart;
      const hidden = m.layers.slice(1).map((L) => L.index);
      this.conds = [];
      for (let k = 0; k < K; k++) {
        const mu = new Float64Array(T * C);
        const start = initialOffsets(config, m, data, data.members[k]);
        for (let t = 0; t < T; t++) mu.set(start, t * C);
        const c = condition(k, mu);
        if (hidden.length > 0) {
          for (let t = this._windowStart; t <= this._horizon; t++) randomizeChains(m, c.chains[t % R], rng, { layers: hidden });
        }
        this.conds.push(c);
      }
      this.average = null;
    } else {
      this._stepIndex = state.stepIndex;
      this._horizon = state.horizon;
      this._windowStart = state.windowStart;
      this.entered = state.entered;
      this.conds = state.conditions.map((s, k) => {
        const c = condition(k, s.offsets);
        for (let t = this._windowStart; t <= this._horizon; t++) c.chains[t % R].set(s.chains[t - this._windowStart]);
        return c;
      });
      this.average = state.average;
    }
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
    return cloneModel(this.modelView());
  }

  modelView(): LearnedDbd {
    return this.average === null ? this.live : Object.freeze({ ...this.live, functions: this.average });
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
    const { horizon: H, windowStart: tau } = nextWindow(cfg, this._stepIndex, this._horizon, this._windowStart, this.data.timePoints);
    // 1. Forward solves from every condition's θ(0) (throw before any state changes).
    for (const c of this.conds) this.adjoint.forward(c.theta0, H, tau, c);
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
    let mismatch = 0;
    const batch = K > 1 ? new Int32Array(K * cfg.batchSize) : null;
    for (let ci = 0; ci < K; ci++) {
      const c = this.conds[ci];
      // 2. Batch of the condition's trajectories (partial Fisher–Yates from its member list).
      const n = c.members.length;
      const B = cfg.batchSize;
      this.order.set(c.members);
      for (let b = 0; b < B; b++) {
        const j = b + Math.floor(this.rng.nextFloat64() * (n - b));
        const tmp = this.order[b];
        this.order[b] = this.order[j];
        this.order[j] = tmp;
        c.batch[b] = this.order[b];
      }
      // 3. Moments, offsets, centered differences at every time point of the window.
      const md = K > 1 ? new Float64Array(P) : momentDifference;
      for (let t = tau; t <= H; t++) {
        this.moments(c, t, t - tau);
        for (let k = 0; k < P; k++) md[k] += this.dE[(t - tau) * P + k] / (H - tau + 1);
      }
      // 3b. Diagonal Fisher preconditioner: scale every parameter's differences, then recenter them (the reports keep
      // the raw differences).
      if (this.scales !== null) {
        fisherDiagonalScales(this.varWin!, rows, P, this.scales, undefined, cfg.precondition === 'fisher-max' ? 'max' : 'geometric');
        scaleDifferences(this.dE, rows, P, this.scales);
        for (let t = tau; t <= H; t++) centerDifferences(this.roles, c.mu, t, this.dE, this.dEc, (t - tau) * P);
      }
      mismatch += this.windowMismatch(rows) / K;
      // 4. Backward costates (the update waits until every condition has its costates: one F per step).
      this.adjoint.backward(c.mu, this.dE, this.dEc, H, tau, c);
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
    // 5. Gradient of the shared F (mean over the conditions; row H has zero costates) and the update.
    this.optimizer.begin(K);
    for (const c of this.conds) {
      for (let i = 0; i < H - tau; i++) for (let j = 0; j < P; j++) this.optimizer.addCostate(c.cells, c.factors, i, j, c.lam[i * P + j]);
    }
    this.optimizer.finish();
    this._stepIndex++;
    if (cfg.averageFrom !== null && this._stepIndex > cfg.averageFrom) {
      this.average = accumulateAverage(this.average, this.live.functions, this._stepIndex - cfg.averageFrom);
    }
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
      mismatch,
    };
  }

  /** The relative moment mismatch of the window rows just estimated (see {@link DbdStepInfo.mismatch}). */
  private windowMismatch(rows: number): number {
    const P = this.P;
    let sum = 0;
    let used = 0;
    for (let k = 0; k < P; k++) {
      let diff = 0;
      let data = 0;
      for (let i = 0; i < rows; i++) {
        diff += Math.abs(this.asleepWin[i * P + k] - this.awakeWin[i * P + k]);
        data += Math.abs(this.awakeWin[i * P + k]);
      }
      if (data > 0) {
        sum += diff / data;
        used++;
      }
    }
    return used > 0 ? sum / used : 0;
  }

  /** Moments at time point t (window row i) of a condition: raw ΔE, offsets slide, centered ΔE. */
  private moments(c: Condition, t: number, i: number): void {
    const P = this.P;
    const aw = this.awakeMean;
    const as = this.asleepMean;
    const variance = this.varWin === null ? undefined : this.varWin.subarray(i * P, (i + 1) * P);
    this.estimator.estimate(c.thetaViews[i], t, c.batch, c.chains[t % this.R], aw, as, variance);
    // Offsets slide towards the awake means (bias moments first, spec 5.3).
    slideOffsets(this.roles, c.mu, t, aw, this.config.lambda);
    // Raw and centered differences with the updated offsets.
    const o = i * P;
    this.awakeWin.set(aw, o);
    this.asleepWin.set(as, o);
    for (let k = 0; k < P; k++) this.dE[o + k] = as[k] - aw[k];
    centerDifferences(this.roles, c.mu, t, this.dE, this.dEc, o);
  }

  checkpoint(): Uint8Array {
    return encodeCheckpoint(this.checkpointContent());
  }

  checkpointChunks(): Uint8Array[] {
    return encodeCheckpointChunks(this.checkpointContent());
  }

  private checkpointContent(): CheckpointContent {
    const rows = (c: Condition) => Array.from({ length: this._horizon - this._windowStart + 1 }, (_, i) => c.chains[(this._windowStart + i) % this.R]);
    return {
      config: this.config,
      model: this.live,
      fingerprint: this.data.fingerprint,
      stepIndex: this._stepIndex,
      horizon: this._horizon,
      windowStart: this._windowStart,
      entered: this.entered,
      conditions: this.conds.map((c) => ({ offsets: c.mu, chains: rows(c) })),
      rngState: this.rng.getState(),
      adamCount: this.optimizer.count,
      adamM: this.optimizer.m,
      adamV: this.optimizer.v,
      average: this.average,
    };
  }
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
  const thetas = conditionTheta0(cfg, machine, prepared, data, rng);
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
  const d = decodeCheckpoint(bytes, data, options);
  return new DbdTrainerImpl(d.config, d.model, d.prepared, d.rng, d.state);
}
