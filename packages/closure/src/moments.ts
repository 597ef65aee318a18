/**
 * The learned moment closure (spec 7): sample the DBM at every time of a parameter trajectory (many chains from
 * noise, N binary sweeps, a final parallel update returning probabilities), predict lattice moments (species counts,
 * NN / NNN pair counts, any pair count over displacements) with Monte Carlo standard errors, the covariances
 * Cov(X, T_θ) over chains, and the closure relation d⟨X⟩/dt = Σ_θ Cov(X, T_θ)·F_θ channel by channel (spec 7.2).
 *
 * @packageDocumentation
 */

import {
  createChains,
  createProbabilities,
  gibbs,
  randomizeChains,
  sufficientStatistics,
  sufficientStatisticsFromProbabilities,
} from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie/rng';
import { displacementTable, nearestNeighbourDisplacements, paperNextNearestDisplacements } from '@srn/gillespie/lattice';
import { lowPassColumns } from './filter.ts';
import { tableGibbs, tablePlan } from './kernels/table-gibbs.ts';
import type { ParameterTrajectory } from './integrate.ts';
import { checkModel, type LearnedDbd, rhsInto } from './model.ts';
import { checkEnum, checkInt, checkObject, checkPositive, checkRngLike, show } from './validate.ts';

/**
 * An observable of the visible layer: a species count Σ_i s_{i,a}, or a pair count over displacements D,
 * Σ_i Σ_{d∈D} s_{i,a} s_{i+d,b} (plus the swapped term s_{i,b} s_{i+d,a} when a ≠ b and `symmetric`, the default, as
 * in the paper's NN_XY), with periodic wrap.
 *
 * @example
 * ```ts
 * const nX: ObservableSpec = { name: 'X', kind: 'count', species: 'X' };
 * const g3: ObservableSpec = { name: 'XY_0_3', kind: 'pairs', a: 'X', b: 'Y', displacements: [[0, 3]], symmetric: false };
 * ```
 */
export type ObservableSpec =
  | { readonly name: string; readonly kind: 'count'; readonly species: string }
  | {
      readonly name: string;
      readonly kind: 'pairs';
      readonly a: string;
      readonly b: string;
      readonly displacements: readonly (readonly number[])[];
      readonly symmetric?: boolean;
    };

/**
 * The default observables, named like the simulation's moments.csv columns: counts of every species, then NN_AB and
 * NNN_AB for A ≤ B (spec 3.1: NN displacements {(0,1), (1,0)}, the paper's NNN {(0,2), (1,1), (2,0)}).
 *
 * @example
 * ```ts
 * defaultObservables(['X', 'Y'], 2).map((o) => o.name);
 * // ['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']
 * ```
 */
export function defaultObservables(species: readonly string[], axes: number): ObservableSpec[] {
  const out: ObservableSpec[] = species.map((s) => ({ name: s, kind: 'count' as const, species: s }));
  for (const [prefix, ds] of [
    ['NN', nearestNeighbourDisplacements(axes)],
    ['NNN', paperNextNearestDisplacements(axes)],
  ] as const) {
    for (let a = 0; a < species.length; a++) {
      for (let b = a; b < species.length; b++) {
        out.push({ name: `${prefix}_${species[a]}${species[b]}`, kind: 'pairs', a: species[a], b: species[b], displacements: ds });
      }
    }
  }
  return out;
}

/**
 * Options of {@link predictMoments}.
 *
 * @example
 * ```ts
 * const o: PredictOptions = { rng: createRng(3), chains: 100, sweeps: 9, filter: { cutoff: 0.1 } };
 * ```
 */
export interface PredictOptions {
  readonly rng: Rng;
  /** Chains per time point (default 100). */
  readonly chains?: number;
  /** Binary Gibbs sweeps from noise before the final update (default 9). */
  readonly sweeps?: number;
  /**
   * true (default, spec 7.1): the final update is a parallel update of all layers returning probabilities and the
   * moments and covariances are computed from them. false: one more binary sweep and binary-state estimates (the
   * honest estimator of covariances). Machines with lateral or triplet couplings in the visible layer default to false and
   * reject true (coupled units are not conditionally independent, so products of their probabilities are biased).
   */
  readonly finalProbabilities?: boolean;
  /** Low-pass filter of θ(t) before sampling (default `{ cutoff: 0.1 }`, 61 taps, Hamming; `false`: raw θ). */
  readonly filter?: { readonly cutoff?: number; readonly taps?: number } | false;
  /** Times of the trajectory rows (default `thetaTrajectory.times`, else 0, Δt, …). */
  readonly times?: Float64Array;
  /** Sample only these rows (default all). */
  readonly rows?: readonly number[];
  /** Observables (default {@link defaultObservables}). */
  readonly observables?: readonly ObservableSpec[];
  /** Gibbs kernel of the binary sweeps (default `'table'`, see `DbdTrainerConfig.sampler`). */
  readonly sampler?: 'table' | 'generic';
  /** Compute Cov(X, T_θ) (default true). */
  readonly covariance?: boolean;
  /** Also evaluate the closure channels with {@link closureChannels} defaults (default true, needs covariance). */
  readonly channels?: boolean;
}

/**
 * Closure channels of {@link closureChannels}: `channels[X][r·P + k]` = Cov(X, T_k)·F_k at row r, and their sum.
 *
 * @example
 * ```ts
 * const ch: ClosureChannels = closureChannels(prediction);
 * ch.sum.X; // predicted d⟨n_X⟩/dt at every sampled row
 * ```
 */
export interface ClosureChannels {
  readonly names: string[];
  readonly parameters: string[];
  /** dθ/dt used, R × P. */
  readonly derivative: Float64Array;
  readonly channels: Record<string, Float64Array>;
  readonly sum: Record<string, Float64Array>;
}

/**
 * Result of {@link predictMoments}.
 *
 * @example
 * ```ts
 * const p: MomentPrediction = predictMoments(model, traj, { rng });
 * p.mean.NN_XX[10]; p.standardError.NN_XX[10];
 * ```
 */
export interface MomentPrediction {
  /** Times of the sampled rows. */
  readonly times: Float64Array;
  /** Indices of the sampled rows in the trajectory. */
  readonly rows: Int32Array;
  /** Observable names. */
  readonly names: string[];
  /** Parameter names. */
  readonly parameters: string[];
  /** Times of every trajectory row and the θ actually used (filtered or raw), all rows, T × P. */
  readonly allTimes: Float64Array;
  readonly theta: Float64Array;
  readonly mean: Record<string, Float64Array>;
  /** Monte Carlo standard error of the mean over chains, sd/√chains. */
  readonly standardError: Record<string, Float64Array>;
  /** Cov(X, T_θ) over chains (1/n), R × P per observable. */
  readonly covariance?: Record<string, Float64Array>;
  readonly channels?: ClosureChannels;
  readonly chains: number;
  readonly finalProbabilities: boolean;
}

interface CompiledObservable {
  name: string;
  kind: 0 | 1;
  a: number;
  b: number;
  tables: Int32Array[];
  symmetric: boolean;
}

function compileObservables(model: LearnedDbd, specs: readonly ObservableSpec[]): CompiledObservable[] {
  const V = model.machine.layers[0];
  if (!Array.isArray(specs) || specs.length === 0) throw new TypeError(`options.observables must be a non-empty array; got ${show(specs)}`);
  const names = new Set<string>();
  return specs.map((o, i) => {
    const name = `options.observables[${i}]`;
    if (o === null || typeof o !== 'object' || typeof o.name !== 'string' || o.name.length === 0) {
      throw new TypeError(`${name} must be an ObservableSpec with a name; got ${show(o)}`);
    }
    if (names.has(o.name)) throw new RangeError(`${name}.name repeats ${show(o.name)}`);
    names.add(o.name);
    const state = (s: unknown, field: string): number => {
      const k = typeof s === 'string' ? V.states.indexOf(s) : -1;
      if (k < 0) throw new RangeError(`${name}.${field} must be a visible state (${V.states.join(', ')}); got ${show(s)}`);
      return k;
    };
    if (o.kind === 'count') return { name: o.name, kind: 0, a: state(o.species, 'species'), b: 0, tables: [], symmetric: false };
    if (o.kind !== 'pairs') throw new RangeError(`${name}.kind must be 'count' or 'pairs'; got ${show((o as { kind: unknown }).kind)}`);
    if (!Array.isArray(o.displacements) || o.displacements.length === 0) {
      throw new TypeError(`${name}.displacements must be a non-empty array of ${V.shape.length}-vectors; got ${show(o.displacements)}`);
    }
    const tables = (o.displacements as readonly (readonly number[])[]).map((d) => displacementTable(V.shape, d as number[], true));
    const a = state(o.a, 'a');
    const b = state(o.b, 'b');
    return { name: o.name, kind: 1, a, b, tables, symmetric: o.symmetric !== false && a !== b };
  });
}

/** Observable value of one chain from its visible one-hot/probability block pv (N × K). */
function observe(o: CompiledObservable, pv: Float64Array, N: number, K: number): number {
  let s = 0;
  if (o.kind === 0) {
    for (let i = 0; i < N; i++) s += pv[i * K + o.a];
    return s;
  }
  for (const tab of o.tables) {
    for (let i = 0; i < N; i++) {
      const j = tab[i];
      s += pv[i * K + o.a] * pv[j * K + o.b];
      if (o.symmetric) s += pv[i * K + o.b] * pv[j * K + o.a];
    }
  }
  return s;
}

/**
 * Samples the DBM along a parameter trajectory and predicts moments with Monte Carlo errors (spec 7.1), the
 * covariances Cov(X, T_θ) (spec 3.3) and, by default, the closure channels (spec 7.2).
 *
 * @example
 * ```ts
 * const times = Float64Array.from({ length: 500 }, (_, t) => t);
 * const traj = integrateParameters(model, times);
 * const pred = predictMoments(model, traj, { rng: createRng(5), chains: 100 });
 * pred.mean.X;            // ⟨n_X⟩(t)
 * pred.channels?.sum.X;   // closure prediction of d⟨n_X⟩/dt
 * ```
 */
export function predictMoments(model: LearnedDbd, thetaTrajectory: ParameterTrajectory, options: PredictOptions): MomentPrediction {
  checkModel(model, 'model');
  const P = model.theta0.length;
  const tt = thetaTrajectory as Partial<ParameterTrajectory>;
  if (tt === null || typeof tt !== 'object' || !(tt.theta instanceof Float64Array) || tt.theta.length === 0 || tt.theta.length % P !== 0) {
    throw new TypeError(`thetaTrajectory must be { names, theta: Float64Array(T × ${P}) }; got ${show(thetaTrajectory)}`);
  }
  if (!Array.isArray(tt.names) || tt.names.length !== P || tt.names.some((n, k) => n !== model.names[k])) {
    throw new RangeError(`thetaTrajectory.names must equal the model's parameter names ${show([...model.names])}; got ${show(tt.names)}`);
  }
  for (let i = 0; i < tt.theta.length; i++) {
    if (!Number.isFinite(tt.theta[i])) throw new RangeError(`thetaTrajectory.theta[${i}] must be finite; got ${tt.theta[i]}`);
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object with an rng; got ${show(options)}`);
  const o = options;
  checkRngLike(o.rng, 'options.rng');
  const T = tt.theta.length / P;
  const chains = o.chains === undefined ? 100 : checkInt(o.chains, 'options.chains', 2);
  const sweeps = o.sweeps === undefined ? 9 : checkInt(o.sweeps, 'options.sweeps', 0);
  // Products of conditional probabilities estimate pair moments without bias only when the visible units are
  // conditionally independent given layer 1, i.e. when the visible layer has no lateral or triplet couplings.
  const lateralVisible =
    model.machine.connections.some((c) => c.lower === 0 && c.upper === 0) || model.machine.triplets.some((t) => t.layer === 0);
  if (lateralVisible && o.finalProbabilities === true) {
    throw new RangeError(
      'options.finalProbabilities must be false for a machine with lateral visible couplings or visible triplets (products of conditional probabilities of coupled units are biased); got true',
    );
  }
  const finalProbabilities = o.finalProbabilities === undefined ? !lateralVisible : o.finalProbabilities !== false;
  let allTimes: Float64Array;
  const times = o.times ?? tt.times;
  if (times !== undefined) {
    if (!(times instanceof Float64Array) || times.length !== T) {
      throw new TypeError(`options.times must be a Float64Array of ${T} times; got ${show(times)}`);
    }
    allTimes = times.slice();
  } else {
    allTimes = Float64Array.from({ length: T }, (_, t) => t * model.dt);
  }
  let theta: Float64Array = tt.theta.slice();
  if (o.filter !== false && T > 1) {
    const f = checkObject(o.filter, 'options.filter') as { cutoff?: number; taps?: number };
    theta = lowPassColumns(theta, T, P, {
      cutoff: f.cutoff === undefined ? 0.1 : checkPositive(f.cutoff, 'options.filter.cutoff'),
      ...(f.taps !== undefined ? { taps: f.taps } : {}),
    });
  }
  let rows: Int32Array;
  if (o.rows !== undefined) {
    if (!Array.isArray(o.rows) || o.rows.length === 0) throw new TypeError(`options.rows must be a non-empty array of row indices; got ${show(o.rows)}`);
    rows = Int32Array.from(o.rows, (r, i) => checkInt(r, `options.rows[${i}]`, 0, T - 1));
  } else {
    rows = Int32Array.from({ length: T }, (_, t) => t);
  }
  const obs = compileObservables(model, o.observables ?? defaultObservables(model.machine.layers[0].states, model.machine.layers[0].shape.length));
  const wantCov = o.covariance !== false;
  const machine = model.machine;
  const V = machine.layers[0];
  const N = V.size;
  const K = V.stateCount;
  const R = rows.length;
  const states = createChains(machine, chains);
  const probs = createProbabilities(machine, chains);
  const stats = new Float64Array(chains * P);
  const values = new Float64Array(chains * obs.length);
  const pv = new Float64Array(N * K);
  const mean: Record<string, Float64Array> = {};
  const se: Record<string, Float64Array> = {};
  const cov: Record<string, Float64Array> = {};
  for (const ob of obs) {
    mean[ob.name] = new Float64Array(R);
    se[ob.name] = new Float64Array(R);
    if (wantCov) cov[ob.name] = new Float64Array(R * P);
  }
  const sampler = o.sampler === undefined ? 'table' : checkEnum(o.sampler, 'options.sampler', ['table', 'generic']);
  const plan = sampler === 'generic' ? null : tablePlan(machine);
  const th = new Float64Array(P);
  const tMean = new Float64Array(P);
  for (let r = 0; r < R; r++) {
    th.set(theta.subarray(rows[r] * P, (rows[r] + 1) * P));
    randomizeChains(machine, states, o.rng);
    if (plan !== null) {
      // Binary sweeps with the tabulated kernel; the final update through `gibbs` (probabilities or one binary sweep).
      tableGibbs(plan, th, states, chains, o.rng, sweeps, false);
      if (finalProbabilities) {
        gibbs(machine, th, states, o.rng, { sweeps: 1, probabilities: probs, final: 'parallel' });
        if (wantCov) sufficientStatisticsFromProbabilities(machine, probs, { out: stats });
      } else {
        tableGibbs(plan, th, states, chains, o.rng, 1, false);
        if (wantCov) sufficientStatistics(machine, states, { out: stats });
      }
    } else if (finalProbabilities) {
      gibbs(machine, th, states, o.rng, { sweeps: sweeps + 1, probabilities: probs, final: 'parallel' });
      if (wantCov) sufficientStatisticsFromProbabilities(machine, probs, { out: stats });
    } else {
      gibbs(machine, th, states, o.rng, { sweeps: sweeps + 1 });
      if (wantCov) sufficientStatistics(machine, states, { out: stats });
    }
    for (let c = 0; c < chains; c++) {
      if (finalProbabilities) {
        const base = c * machine.probabilityCount + V.probabilityOffset;
        for (let i = 0; i < N * K; i++) pv[i] = probs[base + i];
      } else {
        pv.fill(0);
        const base = c * machine.unitCount + V.unitOffset;
        for (let i = 0; i < N; i++) {
          const s = states[base + i];
          if (s !== 0) pv[i * K + s - 1] = 1;
        }
      }
      for (let q = 0; q < obs.length; q++) values[c * obs.length + q] = observe(obs[q], pv, N, K);
    }
    if (wantCov) {
      tMean.fill(0);
      for (let c = 0; c < chains; c++) for (let k = 0; k < P; k++) tMean[k] += stats[c * P + k] / chains;
    }
    for (let q = 0; q < obs.length; q++) {
      let m = 0;
      for (let c = 0; c < chains; c++) m += values[c * obs.length + q];
      m /= chains;
      let v = 0;
      for (let c = 0; c < chains; c++) v += (values[c * obs.length + q] - m) ** 2;
      const name = obs[q].name;
      mean[name][r] = m;
      se[name][r] = Math.sqrt(v / (chains - 1) / chains);
      if (wantCov) {
        const out = cov[name];
        for (let c = 0; c < chains; c++) {
          const dx = (values[c * obs.length + q] - m) / chains;
          for (let k = 0; k < P; k++) out[r * P + k] += dx * (stats[c * P + k] - tMean[k]);
        }
      }
    }
  }
  const prediction: MomentPrediction = {
    times: Float64Array.from(rows, (r) => allTimes[r]),
    rows,
    names: obs.map((x) => x.name),
    parameters: [...model.names],
    allTimes,
    theta,
    mean,
    standardError: se,
    ...(wantCov ? { covariance: cov } : {}),
    chains,
    finalProbabilities,
  };
  if (wantCov && o.channels !== false) {
    return { ...prediction, channels: closureChannels(prediction, { model }) };
  }
  return prediction;
}

/**
 * Options of {@link closureChannels}.
 *
 * @example
 * ```ts
 * const o: ClosureOptions = { derivative: 'model', model };
 * ```
 */
export interface ClosureOptions {
  /**
   * dθ/dt: `'forward-difference'` (default, as the paper's notebook) of the prediction's θ (filtered when it was),
   * [θ(t+1) − θ(t)]/Δt (backward difference at the last row), or `'model'`: F(x(θ(t))) of `model`.
   */
  readonly derivative?: 'forward-difference' | 'model';
  /** Required for `derivative: 'model'`. */
  readonly model?: LearnedDbd;
  /** Low-pass filter the covariances along the sampled rows first (the notebook used `{ cutoff: 0.1 }`); default false. */
  readonly filterCovariance?: { readonly cutoff?: number; readonly taps?: number } | false;
}

/**
 * The moment-closure relation of spec 7.2: for every observable X and parameter θ_k, the channel
 * Cov(X, T_k)·dθ_k/dt, and their sum Σ_k, the closure's prediction of d⟨X⟩/dt.
 *
 * @example
 * ```ts
 * const pred = predictMoments(model, traj, { rng, channels: false });
 * const ch = closureChannels(pred, { filterCovariance: { cutoff: 0.1 } });
 * ch.channels.NN_XX; // R × P contributions
 * ```
 */
export function closureChannels(prediction: MomentPrediction, options?: ClosureOptions): ClosureChannels {
  const p = prediction;
  if (p === null || typeof p !== 'object' || p.covariance === undefined || !(p.theta instanceof Float64Array)) {
    throw new TypeError(`prediction must be a MomentPrediction computed with covariance; got ${show(prediction)}`);
  }
  const o = checkObject(options, 'options');
  const P = p.parameters.length;
  const R = p.rows.length;
  const T = p.theta.length / P;
  const deriv = new Float64Array(R * P);
  const kind = o.derivative ?? 'forward-difference';
  if (kind === 'model') {
    if (o.model === undefined) throw new TypeError("options.model is required with derivative: 'model'");
    checkModel(o.model, 'options.model');
    const x = new Float64Array(o.model.domainIndex.length);
    const out = new Float64Array(P);
    for (let r = 0; r < R; r++) {
      rhsInto(o.model, p.theta.slice(p.rows[r] * P, (p.rows[r] + 1) * P), out, x);
      deriv.set(out, r * P);
    }
  } else if (kind === 'forward-difference') {
    if (T < 2) throw new RangeError('a forward difference needs at least 2 trajectory rows');
    for (let r = 0; r < R; r++) {
      const t = p.rows[r];
      const a = t + 1 < T ? t : t - 1;
      const dt = p.allTimes[a + 1] - p.allTimes[a];
      for (let k = 0; k < P; k++) deriv[r * P + k] = (p.theta[(a + 1) * P + k] - p.theta[a * P + k]) / dt;
    }
  } else {
    throw new RangeError(`options.derivative must be 'forward-difference' or 'model'; got ${show(kind)}`);
  }
  const channels: Record<string, Float64Array> = {};
  const sum: Record<string, Float64Array> = {};
  for (const name of p.names) {
    let c = p.covariance[name];
    if (o.filterCovariance !== undefined && o.filterCovariance !== false && R > 1) {
      const f = checkObject(o.filterCovariance, 'options.filterCovariance') as { cutoff?: number; taps?: number };
      c = lowPassColumns(c, R, P, { cutoff: f.cutoff ?? 0.1, ...(f.taps !== undefined ? { taps: f.taps } : {}) });
    }
    const ch = new Float64Array(R * P);
    const s = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < P; k++) {
        ch[r * P + k] = c[r * P + k] * deriv[r * P + k];
        s[r] += ch[r * P + k];
      }
    }
    channels[name] = ch;
    sum[name] = s;
  }
  return { names: [...p.names], parameters: [...p.parameters], derivative: deriv, channels, sum };
}
