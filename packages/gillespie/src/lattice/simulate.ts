/**
 * Running a lattice model: the validated configuration, a step-by-step simulator and a one-call trajectory run.
 */
import type { Rng } from '../rng.ts';
import { createLatticeGeometry, type LatticeBoundary, type LatticeGeometry } from './geometry.ts';
import { checkInitialCondition, type LatticeInitialCondition, placeInitialCondition } from './initial.ts';
import { createExactContext, type ExactContext, exactAdvance } from './kernels/exact.ts';
import {
  COUNTER_ATTEMPTS,
  COUNTER_CONTACTS,
  COUNTER_HOPS,
  COUNTER_NULL,
  COUNTER_UNI,
  createPaperContext,
  type PaperContext,
  paperStep,
  placeParticles,
} from './kernels/paper.ts';
import { type CompiledLatticeModel, compileLatticeModel, type LatticeModel } from './model.ts';
import { checkSnapshot, type LatticeSnapshot, type LatticeTrajectory } from './snapshot.ts';
import { LatticeState } from './state.ts';

/** `paper`: the original operator-split hybrid (spec section 2). `exact`: continuous-time lattice SSA. */
export type LatticeScheme = 'paper' | 'exact';

/**
 * Everything that defines a lattice run except the random stream (plain, serialisable data).
 *
 * @example
 * ```ts
 * const config: LatticeConfig = {
 *   model: { species: ['A'], diffusion: { A: 1 }, reactions: [{ type: 'decay', reactant: 'A', rate: 0.1 }] },
 *   shape: [20, 20], boundary: 'periodic', initial: { A: 50 }, scheme: 'exact', dt: 1, steps: 10,
 * };
 * ```
 */
export interface LatticeConfig {
  model: LatticeModel;
  /** Lattice extents, 1 to 3 axes. */
  shape: number[];
  /** Default `periodic`. */
  boundary?: LatticeBoundary;
  /**
   * Particle counts placed on distinct uniformly random sites, a starting snapshot of the same shape, or any
   * {@link LatticeInitialCondition} (`{ type: 'counts', counts }` places exactly like the plain counts, also under
   * row-biased selection; densities and Boltzmann samples are drawn from the run's stream before it simulates).
   */
  initial: Record<string, number> | LatticeSnapshot | LatticeInitialCondition;
  scheme: LatticeScheme;
  /** Time between snapshots (and, in the paper scheme, between sweeps). */
  dt: number;
  /** Number of snapshots, at t = 0, dt, …, (steps − 1) dt; the state at the start of each step. */
  steps: number;
  /**
   * Paper scheme only: `uniform` (default) picks molecules, free sites and the sweep order uniformly; `row-biased`
   * emulates the original's picks (a row uniformly among rows holding a match, then a match in that row; rows are
   * slabs of axis 0), including the initial placement. O(1) per pick, as fast as `uniform` (a per-row index).
   */
  selection?: 'uniform' | 'row-biased';
}

/** A validated configuration with its compiled model and lattice. */
export interface PreparedLatticeConfig {
  readonly config: LatticeConfig;
  readonly model: CompiledLatticeModel;
  readonly geometry: LatticeGeometry;
}

/**
 * Validates a configuration (TypeError/RangeError naming the field) and compiles its model and lattice; reuse the
 * result across the runs of an ensemble.
 *
 * @example
 * ```ts
 * const prepared = prepareLatticeConfig(config);
 * prepared.geometry.size; // 400
 * ```
 */
export function prepareLatticeConfig(config: LatticeConfig): PreparedLatticeConfig {
  if (config === null || typeof config !== 'object') throw new TypeError(`config must be an object; got ${String(config)}`);
  const model = compileLatticeModel(config.model);
  const geometry = createLatticeGeometry(config.shape, config.boundary ?? 'periodic');
  if (config.scheme !== 'paper' && config.scheme !== 'exact') {
    throw new RangeError(`config.scheme must be 'paper' or 'exact'; got ${String(config.scheme)}`);
  }
  if (typeof config.dt !== 'number' || !Number.isFinite(config.dt) || config.dt <= 0) {
    throw new RangeError(`config.dt must be a positive finite number; got ${String(config.dt)}`);
  }
  if (!Number.isInteger(config.steps) || config.steps < 1) {
    throw new RangeError(`config.steps must be a positive integer; got ${String(config.steps)}`);
  }
  const selection = config.selection ?? 'uniform';
  if (selection !== 'uniform' && selection !== 'row-biased') {
    throw new RangeError(`config.selection must be 'uniform' or 'row-biased'; got ${String(selection)}`);
  }
  if (selection === 'row-biased' && config.scheme !== 'paper') {
    throw new RangeError(`config.selection 'row-biased' needs scheme 'paper'; got ${config.scheme}`);
  }
  if (config.scheme === 'paper') {
    for (let r = 0; r < model.contactCount; r++) {
      if (Number.isNaN(model.contactProbability[r])) {
        throw new RangeError(`config.model: contact reaction ${r} has no probability (needed by the paper scheme)`);
      }
    }
  } else {
    for (let r = 0; r < model.contactCount; r++) {
      if (Number.isNaN(model.contactRate[r])) {
        throw new RangeError(`config.model: contact reaction ${r} has no rate (needed by the exact scheme)`);
      }
    }
  }
  const given = config.initial;
  if (given === null || typeof given !== 'object') throw new TypeError('config.initial must be counts, a snapshot or an initial condition');
  const typed = typeof (given as { type?: unknown }).type === 'string' ? (given as LatticeInitialCondition) : null;
  if (typed && typed.type !== 'counts' && typed.type !== 'snapshot') {
    checkInitialCondition(typed, geometry, model.species, 'config.initial');
    return { config, model, geometry };
  }
  const initial = typed ? (typed.type === 'counts' ? typed.counts : typed.snapshot) : given;
  if (initial === null || typeof initial !== 'object') throw new TypeError(`config.initial.${typed?.type} must be an object`);
  if ('occupancy' in initial) {
    checkSnapshot(initial as LatticeSnapshot, 'config.initial');
    const snap = initial as LatticeSnapshot;
    if (snap.shape.join('x') !== geometry.shape.join('x')) {
      throw new RangeError(`config.initial.shape [${snap.shape}] differs from config.shape [${geometry.shape}]`);
    }
    if (snap.species.join(',') !== model.species.join(',')) {
      throw new RangeError(`config.initial.species [${snap.species}] differs from the model's [${model.species}]`);
    }
  } else {
    let total = 0;
    for (const [name, n] of Object.entries(initial)) {
      if (!model.species.includes(name)) throw new RangeError(`config.initial has unknown species ${JSON.stringify(name)}`);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`config.initial.${name} must be a non-negative integer; got ${n}`);
      total += n;
    }
    if (total > geometry.size) throw new RangeError(`config.initial places ${total} particles on ${geometry.size} sites`);
  }
  return { config, model, geometry };
}

/** Event counters of a run. */
export interface LatticeEventCounts {
  /** Hop attempts (paper) or drawn events including null events (exact). */
  attempts: number;
  hops: number;
  contactReactions: number;
  unimolecular: number;
  /** Rejected draws: blocked hops, failed births, thinning slack. */
  nullEvents: number;
}

/**
 * Steps a lattice model through time. The random stream is consumed in a fixed order, so a run is a function of
 * the configuration and the generator's state.
 *
 * @example
 * ```ts
 * const sim = new LatticeSimulator(config, createRng(1, 0));
 * sim.advanceTo(5);           // paper scheme: exactly five steps of dt = 1
 * sim.state.count('A');
 * ```
 */
export class LatticeSimulator {
  /** The configuration, validated. */
  readonly prepared: PreparedLatticeConfig;
  /** The live state (read it; do not modify it while simulating). */
  readonly state: LatticeState;
  private readonly rng: Rng;
  private readonly paper: PaperContext | null;
  private readonly exact: ExactContext | null;

  /**
   * `initialOccupancy` (occupancy codes, one per site; validated) replaces `config.initial` (an ensemble places
   * its runs' initial conditions itself and passes them here).
   */
  constructor(config: LatticeConfig | PreparedLatticeConfig, rng: Rng, initialOccupancy?: Uint8Array) {
    this.prepared = 'geometry' in config ? config : prepareLatticeConfig(config);
    if (rng === null || typeof rng !== 'object' || typeof rng.nextFloat64 !== 'function') {
      throw new TypeError(`rng must be an Rng (e.g. createRng(seed, run)); got ${String(rng)}`);
    }
    this.rng = rng;
    const { geometry, model, config: c } = this.prepared;
    this.state = new LatticeState(geometry, model.species);
    const rowBiased = c.selection === 'row-biased';
    const typed = typeof (c.initial as { type?: unknown }).type === 'string' ? (c.initial as LatticeInitialCondition) : null;
    const initial = typed?.type === 'counts' ? typed.counts : typed?.type === 'snapshot' ? typed.snapshot : c.initial;
    // Counts on the paper scheme with the original's picks are placed by the row index once it exists (below).
    let rowBiasedCounts: Record<string, number> | null = null;
    if (initialOccupancy !== undefined) {
      this.state.load(initialOccupancy); // validates length and codes
    } else if (typed && typed.type !== 'counts' && typed.type !== 'snapshot') {
      this.state.load(placeInitialCondition(typed, geometry, model.species, rng));
    } else if ('occupancy' in initial) this.state.load((initial as LatticeSnapshot).occupancy);
    else if (rowBiased && c.scheme === 'paper') rowBiasedCounts = initial as Record<string, number>;
    else this.state.scatter(initial as Record<string, number>, rng);
    if (c.scheme === 'paper') {
      this.paper = createPaperContext(this.state, geometry.neighbors, geometry.degree, model, geometry.strides[0], rowBiased);
      this.exact = null;
      if (rowBiasedCounts !== null) {
        // The original's placement: one row-biased pick of a free site per particle, species in model order.
        for (let k = 1; k <= model.speciesCount; k++) placeParticles(this.paper, k, rowBiasedCounts[model.species[k - 1]] ?? 0, rng);
      }
    } else {
      this.exact = createExactContext(this.state, geometry.neighbors, geometry.degree, model);
      this.paper = null;
    }
  }

  /** Current time. */
  get time(): number {
    return this.paper ? this.paper.time : this.exact!.time;
  }

  /** Event counters so far. */
  get events(): LatticeEventCounts {
    const c = this.paper ? this.paper.counters : this.exact!.counters;
    return {
      attempts: c[COUNTER_ATTEMPTS],
      hops: c[COUNTER_HOPS],
      contactReactions: c[COUNTER_CONTACTS],
      unimolecular: c[COUNTER_UNI],
      nullEvents: c[COUNTER_NULL],
    };
  }

  /**
   * Advances to time `t`. The paper scheme moves in whole steps of `dt` (it runs ⌈(t − now)/dt − 1e-9⌉ steps,
   * the last ending exactly at t only when t is on the grid); the exact scheme stops exactly at t.
   */
  advanceTo(t: number): void {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < this.time) {
      throw new RangeError(`t must be a finite time not before the current time ${this.time}; got ${String(t)}`);
    }
    this.advanceUnchecked(t);
  }

  /** Kernel entry without validation (used by the run loop). */
  private advanceUnchecked(t: number): void {
    if (this.paper) {
      const dt = this.prepared.config.dt;
      while (this.paper.time < t - 1e-9 * dt) {
        const end = this.paper.time + dt;
        paperStep(this.paper, this.rng, Math.abs(end - t) < 1e-9 * dt ? t : end);
      }
    } else {
      exactAdvance(this.exact!, this.rng, t);
    }
  }

  /**
   * Runs the configured time grid: calls `onRecord(index, time, state)` at t = index · dt for index = 0 …
   * steps − 1 (the state at the start of each step), advancing between records. Call once, on a fresh simulator.
   */
  run(onRecord: (index: number, time: number, state: LatticeState) => void): void {
    if (typeof onRecord !== 'function') throw new TypeError('onRecord must be a function');
    if (this.time !== 0) throw new RangeError(`run needs a fresh simulator; time is ${this.time}`);
    const { dt, steps } = this.prepared.config;
    for (let i = 0; i < steps; i++) {
      if (i > 0) this.advanceUnchecked(i * dt);
      onRecord(i, i * dt, this.state);
    }
  }
}

/** Result of {@link simulateLattice}. */
export interface LatticeRun {
  /** The snapshots (null when `recordSnapshots` is false). */
  trajectory: LatticeTrajectory | null;
  /** The time grid. */
  times: Float64Array;
  /** Species counts per time point: `counts[t * S + (k − 1)]`. */
  counts: Int32Array;
  events: LatticeEventCounts;
}

/** Options of {@link simulateLattice}. */
export interface SimulateLatticeOptions {
  /** Keep every snapshot in a packed `T × N` array (default true). */
  recordSnapshots?: boolean;
  /** Called at every time point with the live state (compute statistics here instead of storing snapshots). */
  onRecord?: (index: number, time: number, state: LatticeState) => void;
  /** The run's initial lattice (occupancy codes), replacing `config.initial`; see {@link LatticeSimulator}. */
  initialOccupancy?: Uint8Array;
}

/**
 * Simulates one run of `config` with `rng` (run i of an ensemble uses `createRng(seed, i)`).
 *
 * @example
 * ```ts
 * const run = simulateLattice(lotkaVolterraLattice(), createRng(2024, 0));
 * run.counts[499 * 2]; // prey at t = 499
 * ```
 */
export function simulateLattice(
  config: LatticeConfig | PreparedLatticeConfig,
  rng: Rng,
  options: SimulateLatticeOptions = {},
): LatticeRun {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const sim = new LatticeSimulator(config, rng, options.initialOccupancy);
  const { steps } = sim.prepared.config;
  const record = options.recordSnapshots ?? true;
  const S = sim.state.species.length;
  const N = sim.state.size;
  if (record && steps * N > 2 ** 31) {
    throw new RangeError(`recording ${steps} snapshots of ${N} sites needs more than 2 GiB; set recordSnapshots: false`);
  }
  const occupancy = record ? new Uint8Array(steps * N) : null;
  const counts = new Int32Array(steps * S);
  const times = new Float64Array(steps);
  sim.run((i, t, state) => {
    times[i] = t;
    for (let k = 0; k < S; k++) counts[i * S + k] = state.counts[k + 1];
    occupancy?.set(state.occupancy, i * N);
    options.onRecord?.(i, t, state);
  });
  return {
    trajectory: occupancy
      ? { shape: sim.state.geometry.shape.slice(), species: sim.state.species.slice(), times: times.slice(), occupancy }
      : null,
    times,
    counts,
    events: sim.events,
  };
}
