/**
 * Validated entry points of the well-mixed SSA: one run ({@link simulate}) and ensembles of runs
 * ({@link simulateEnsemble}), with statistics on a fixed time grid.
 *
 * @packageDocumentation
 */
import { type CompiledModel, compileModel } from './compile.ts';
import { formatCsv } from './csv.ts';
import { createWorkspace, instantiateModel, type RunControl } from './kernels/ssa.ts';
import { ArgumentError, ArgumentTypeError } from './errors.ts';
import { MAX_AMOUNT, type ReactionModel } from './model.ts';
import type { Rng, Seed } from './rng.ts';
import {
  keepsValues,
  type EnsembleBatchResult,
  type EnsembleBatchTask,
  newReport,
  type ResolvedRunOptions,
  type RunStatus,
  runEnsembleBatch,
  runOne,
  SSA_METHODS,
  type SsaMethod,
  STATUS_NAMES,
  timeGrid,
} from './run.ts';

export { type EnsembleBatchResult, type EnsembleBatchTask, runEnsembleBatch, type RunStatus, SSA_METHODS, type SsaMethod };

/** Options shared by {@link simulate} and {@link simulateEnsemble}. */
export interface RunOptions {
  /** End time (> t0). */
  readonly tEnd: number;
  /** Number of grid intervals: the state is recorded at t0 + k (tEnd − t0) / steps, k = 0..steps. Default 100. */
  readonly steps?: number;
  /** Start time, default 0. */
  readonly t0?: number;
  /** Algorithm, default `direct`. */
  readonly method?: SsaMethod;
  /** Stop a run after this many events (flagged `event-cap`). Default 1e9. */
  readonly maxEvents?: number;
  /** Stop a run when a species exceeds this amount (flagged `population-cap`); at most 2^53 − 1. Default 1e12. */
  readonly maxPopulation?: number;
  /**
   * Generate code (`new Function`) for speed: the model-specific direct-method kernel and the general propensities.
   * Default true; set false where generated code is forbidden (a strict Content-Security-Policy without
   * `'unsafe-eval'`): propensities are then evaluated as closures and the generic kernels run. Both paths give
   * identical results. (SBML models with events, rules or time-dependent laws still need code generation.)
   */
  readonly specialise?: boolean;
}

/** Options of {@link simulate}. */
export interface SimulateOptions extends RunOptions {
  /** The random source. */
  readonly rng: Rng;
  /** Also record the first `logEvents` events (time and reaction index). Default 0. */
  readonly logEvents?: number;
}

/** One simulated trajectory on the time grid. */
export interface Trajectory {
  readonly species: readonly string[];
  readonly times: Float64Array;
  /** Row-major: values[g * species.length + s]; rows not reached (capped runs) are NaN. */
  readonly values: Float64Array;
  readonly status: RunStatus;
  /** Time reached: tEnd when completed, else the time of the last event. */
  readonly stoppedAt: number;
  readonly events: number;
  /** Wall-clock seconds of the kernel and events per second. */
  readonly wallSeconds: number;
  readonly eventsPerSecond: number;
  /** The first `logEvents` events, if requested. */
  readonly eventLog?: { readonly times: Float64Array; readonly reactions: Int32Array; readonly reactionNames: readonly string[] };
}

function checkPositiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ArgumentError(name, `${name} must be an integer in [1, ${max}]; got ${String(value)}`);
  }
  return value;
}

function resolveRunOptions(options: RunOptions): ResolvedRunOptions {
  if (options === null || typeof options !== 'object') throw new ArgumentTypeError('options', 'options must be an object');
  const t0 = options.t0 ?? 0;
  if (typeof t0 !== 'number' || !Number.isFinite(t0)) throw new ArgumentError('t0', `t0 must be a finite number; got ${String(t0)}`);
  const { tEnd } = options;
  if (typeof tEnd !== 'number' || !Number.isFinite(tEnd) || tEnd <= t0) {
    throw new ArgumentError('tEnd', `tEnd must be a finite number greater than t0 = ${t0}; got ${String(tEnd)}`);
  }
  const steps = checkPositiveInteger(options.steps ?? 100, 'steps', 10_000_000);
  const method = options.method ?? 'direct';
  if (!SSA_METHODS.includes(method)) {
    throw new ArgumentError('method', `method must be one of ${SSA_METHODS.join(', ')}; got ${String(method)}`);
  }
  const maxEvents = options.maxEvents ?? 1e9;
  if (typeof maxEvents !== 'number' || !(maxEvents >= 0) || !Number.isInteger(maxEvents)) {
    throw new ArgumentError('maxEvents', `maxEvents must be a non-negative integer; got ${String(maxEvents)}`);
  }
  const maxPopulation = options.maxPopulation ?? 1e12;
  if (typeof maxPopulation !== 'number' || !(maxPopulation > 0 && maxPopulation <= MAX_AMOUNT)) {
    // Above 2^53 − 1 counts are no longer exact integers (x + 1 === x), so no run may go there.
    throw new ArgumentError('maxPopulation', `maxPopulation must be a positive number up to 2^53 − 1 = ${MAX_AMOUNT}; got ${String(maxPopulation)}`);
  }
  const specialise = options.specialise ?? true;
  if (typeof specialise !== 'boolean') throw new ArgumentTypeError('specialise', `specialise must be a boolean; got ${String(specialise)}`);
  return { t0, tEnd, steps, method, maxEvents, maxPopulation, specialise };
}

/** Most values an ensemble keeps for trajectories or quantiles (2^28 doubles, 2 GiB). */
const MAX_KEPT_VALUES = 2 ** 28;

function checkProbabilities(value: unknown): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`quantiles must be an array of probabilities; got ${String(value)}`);
  for (const q of value) {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new RangeError(`quantiles: each probability must be in [0, 1]; got ${String(q)}`);
  }
  return [...value];
}

/** Quantile p of sorted finite values xs[0..n) (linear interpolation between order statistics, R type 7). */
function quantileOfSorted(xs: Float64Array, n: number, p: number): number {
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

function toPlan(model: ReactionModel | CompiledModel): CompiledModel {
  if (model && typeof model === 'object' && 'massActionConstant' in model) return model;
  return compileModel(model as ReactionModel);
}

/**
 * Simulates one trajectory exactly and records it on a fixed time grid.
 *
 * @example
 * ```ts
 * const model = parseModel('X -> 2 X @ 1.0\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100');
 * const run = simulate(model, { tEnd: 10, steps: 100, rng: createRng(1) });
 * run.values[100 * 2 + 0]; // prey at t = 10
 * ```
 */
export function simulate(model: ReactionModel | CompiledModel, options: SimulateOptions): Trajectory {
  const o = resolveRunOptions(options);
  const rng = options.rng;
  if (!rng || typeof rng.nextFloat64 !== 'function') throw new ArgumentTypeError('rng', 'rng must implement the Rng interface');
  const logEvents = options.logEvents ?? 0;
  if (!Number.isInteger(logEvents) || logEvents < 0) {
    throw new ArgumentError('logEvents', `logEvents must be a non-negative integer; got ${String(logEvents)}`);
  }
  const plan = toPlan(model);
  const km = instantiateModel(plan, { codegen: o.specialise });
  const ws = createWorkspace(km);
  const grid = timeGrid(o);
  const values = new Float64Array(grid.length * km.speciesCount);
  const control: RunControl = {
    maxEvents: o.maxEvents,
    maxPopulation: o.maxPopulation,
    logTimes: logEvents > 0 ? new Float64Array(logEvents) : null,
    logReactions: logEvents > 0 ? new Int32Array(logEvents) : null,
  };
  const report = newReport();
  const started = performance.now();
  runOne(km, ws, rng, o, grid, values, control, report);
  const wallSeconds = (performance.now() - started) / 1000;
  const logged = Math.min(logEvents, report.events);
  return {
    species: plan.species,
    times: grid,
    values,
    status: STATUS_NAMES[report.status],
    stoppedAt: report.time,
    events: report.events,
    wallSeconds,
    eventsPerSecond: wallSeconds > 0 ? report.events / wallSeconds : 0,
    eventLog:
      logEvents > 0
        ? {
            times: control.logTimes!.slice(0, logged),
            reactions: control.logReactions!.slice(0, logged),
            reactionNames: plan.reactionNames,
          }
        : undefined,
  };
}

// ---------------------------------------------------------------- ensembles

/** Options of an ensemble. */
export interface EnsembleOptions extends RunOptions {
  /** Number of independent runs; run i uses stream i of `seed`. */
  readonly runs: number;
  readonly seed: Seed;
  /** Species whose covariance matrix is estimated at every grid time. Default none. */
  readonly covariance?: readonly string[];
  /** Keep every run's final state. Default false. */
  readonly keepFinalStates?: boolean;
  /** Runs per batch (the unit of parallel work; results do not depend on it). Default 100. */
  readonly batchSize?: number;
  /**
   * Return every run's trajectory on the grid ({@link EnsembleStatistics.trajectories}); memory is
   * runs × (steps + 1) × species × 8 bytes. Default false.
   */
  readonly keepTrajectories?: boolean;
  /**
   * Probabilities in [0, 1] of quantiles to estimate per grid time and species over the runs that reached it
   * (linear interpolation between order statistics, the default of R and NumPy). The runs' values are held in
   * memory as for `keepTrajectories`. Default none.
   */
  readonly quantiles?: readonly number[];
}

/** Quantiles of an ensemble: `values[(g * S + s) * Q + q]` is quantile `probabilities[q]` of species s at grid row g. */
export interface EnsembleQuantiles {
  readonly probabilities: readonly number[];
  readonly values: Float64Array;
}

/** Ensemble statistics on the time grid. */
export interface EnsembleStatistics {
  readonly species: readonly string[];
  readonly times: Float64Array;
  readonly runs: number;
  /** Runs that reached each grid time (equal to `runs` unless some were capped). */
  readonly count: Float64Array;
  /** mean[g * S + s] and sample SD (n − 1 denominator) sd[g * S + s]. */
  readonly mean: Float64Array;
  readonly sd: Float64Array;
  /** Sample covariance matrices of the chosen species per grid time, if requested. */
  readonly covariance?: { readonly species: readonly string[]; readonly values: Float64Array };
  readonly events: number;
  /** Runs stopped by a cap, with where and why. */
  readonly flagged: readonly { readonly run: number; readonly status: RunStatus; readonly stoppedAt: number }[];
  /** Final state of every run (runs × S), if requested; NaN rows for capped runs. */
  readonly finalStates?: Float64Array;
  /**
   * Every run's trajectory if `keepTrajectories` was set: `trajectories[(run * times.length + g) * S + s]`, NaN past
   * the stop of a capped run.
   */
  readonly trajectories?: Float64Array;
  /** Requested quantiles (NaN where no run reached a grid time). */
  readonly quantiles?: EnsembleQuantiles;
  /** Sum over batches of kernel wall time, and events per kernel-second. */
  readonly kernelSeconds: number;
  readonly eventsPerSecond: number;
}

/**
 * Validates ensemble options and cuts the runs into serialisable batch tasks (the work unit of a worker pool).
 *
 * @example
 * ```ts
 * const tasks = planEnsemble(model, { runs: 1000, seed: 1, tEnd: 10 });
 * const stats = mergeEnsembleBatches(tasks, tasks.map(runEnsembleBatch));
 * ```
 */
export function planEnsemble(model: ReactionModel | CompiledModel, options: EnsembleOptions): EnsembleBatchTask[] {
  const o = resolveRunOptions(options);
  const runs = checkPositiveInteger(options.runs, 'runs', 1e9);
  const batchSize = checkPositiveInteger(options.batchSize ?? 100, 'batchSize', 1e9);
  const seed = options.seed;
  if (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new ArgumentError('seed', `seed must be a non-negative safe integer or a string; got ${seed}`);
  }
  if (typeof seed !== 'number' && typeof seed !== 'string') throw new ArgumentTypeError('seed', `seed must be a number or a string; got ${String(seed)}`);
  const plan = toPlan(model);
  const covarianceSpecies = Int32Array.from((options.covariance ?? []).map((name) => {
    const index = plan.species.indexOf(name);
    if (index < 0) throw new ArgumentError('covariance', `covariance: unknown species '${name}' (known: ${plan.species.join(', ')})`);
    return index;
  }));
  const keepTrajectories = options.keepTrajectories ?? false;
  if (typeof keepTrajectories !== 'boolean') throw new TypeError(`keepTrajectories must be a boolean; got ${String(keepTrajectories)}`);
  const quantiles = checkProbabilities(options.quantiles);
  const keepValues = keepTrajectories || quantiles.length > 0;
  const cells = runs * (o.steps + 1) * plan.species.length;
  if (keepValues && cells > MAX_KEPT_VALUES) {
    throw new RangeError(
      `keepTrajectories/quantiles: runs × (steps + 1) × species = ${cells} values exceed ${MAX_KEPT_VALUES}; use fewer runs or steps`,
    );
  }
  const tasks: EnsembleBatchTask[] = [];
  for (let start = 0; start < runs; start += batchSize) {
    tasks.push({
      plan, seed, start, end: Math.min(runs, start + batchSize), options: o, covarianceSpecies,
      keepFinalStates: options.keepFinalStates ?? false,
      keepTrajectories,
      quantiles,
    });
  }
  return tasks;
}

/**
 * Merges batch results in batch order (Chan et al.'s pairwise update), so the statistics are bit-identical for any
 * number of workers.
 *
 * @example
 * ```ts
 * const tasks = planEnsemble(model, { runs: 200, seed: 1, tEnd: 10 });
 * const stats = mergeEnsembleBatches(tasks, tasks.map(runEnsembleBatch));
 * ```
 */
export function mergeEnsembleBatches(tasks: readonly EnsembleBatchTask[], results: readonly EnsembleBatchResult[]): EnsembleStatistics {
  if (tasks.length === 0 || tasks.length !== results.length) {
    throw new ArgumentError('results', `need one result per task; got ${results.length} results for ${tasks.length} tasks`);
  }
  const { plan, options, covarianceSpecies } = tasks[0];
  const grid = timeGrid(options);
  const rows = grid.length;
  const S = plan.species.length;
  const k = covarianceSpecies.length;
  const count = new Float64Array(rows);
  const mean = new Float64Array(rows * S);
  const m2 = new Float64Array(rows * S);
  const comoment = new Float64Array(rows * k * k);
  const runs = tasks[tasks.length - 1].end;
  const finalStates = tasks[0].keepFinalStates ? new Float64Array(runs * S) : undefined;
  const trajectories = keepsValues(tasks[0]) ? new Float64Array(runs * rows * S) : undefined;
  const flagged: { run: number; status: RunStatus; stoppedAt: number }[] = [];
  let events = 0;
  let kernelSeconds = 0;
  for (const result of results) {
    events += result.events;
    kernelSeconds += result.kernelSeconds;
    for (let i = 0; i < result.flaggedRuns.length; i++) {
      flagged.push({ run: result.flaggedRuns[i], status: STATUS_NAMES[result.flaggedStatus[i]], stoppedAt: result.flaggedTimes[i] });
    }
    if (finalStates && result.finalStates) finalStates.set(result.finalStates, result.start * S);
    if (trajectories && result.trajectories) trajectories.set(result.trajectories, result.start * rows * S);
    for (let g = 0; g < rows; g++) {
      const nb = result.count[g];
      if (nb === 0) continue;
      const na = count[g];
      const n = na + nb;
      const base = g * S;
      const cbase = g * k * k;
      for (let a = 0; a < k; a++) {
        const sa = covarianceSpecies[a];
        const da = result.mean[base + sa] - mean[base + sa];
        for (let b = 0; b < k; b++) {
          const sb = covarianceSpecies[b];
          const db = result.mean[base + sb] - mean[base + sb];
          comoment[cbase + a * k + b] += result.comoment[cbase + a * k + b] + (da * db * na * nb) / n;
        }
      }
      for (let s = 0; s < S; s++) {
        const delta = result.mean[base + s] - mean[base + s];
        mean[base + s] += (delta * nb) / n;
        m2[base + s] += result.m2[base + s] + (delta * delta * na * nb) / n;
      }
      count[g] = n;
    }
  }
  const sd = new Float64Array(rows * S);
  for (let g = 0; g < rows; g++) {
    for (let s = 0; s < S; s++) {
      const i = g * S + s;
      if (count[g] === 0) mean[i] = Number.NaN;
      sd[i] = count[g] > 1 ? Math.sqrt(m2[i] / (count[g] - 1)) : Number.NaN;
    }
    for (let q = 0; q < k * k; q++) comoment[g * k * k + q] = count[g] > 1 ? comoment[g * k * k + q] / (count[g] - 1) : Number.NaN;
  }
  flagged.sort((a, b) => a.run - b.run);
  const probabilities = tasks[0].quantiles ?? [];
  let quantiles: EnsembleQuantiles | undefined;
  if (trajectories && probabilities.length > 0) {
    const Q = probabilities.length;
    const values = new Float64Array(rows * S * Q);
    const column = new Float64Array(runs);
    for (let g = 0; g < rows; g++) {
      for (let s = 0; s < S; s++) {
        let n = 0;
        for (let run = 0; run < runs; run++) {
          const v = trajectories[(run * rows + g) * S + s];
          if (!Number.isNaN(v)) column[n++] = v;
        }
        const sorted = column.subarray(0, n).sort();
        for (let q = 0; q < Q; q++) values[(g * S + s) * Q + q] = quantileOfSorted(sorted, n, probabilities[q]);
      }
    }
    quantiles = { probabilities: [...probabilities], values };
  }
  return {
    species: plan.species,
    times: grid,
    runs,
    count,
    mean,
    sd,
    covariance: k > 0 ? { species: Array.from(covarianceSpecies, (s) => plan.species[s]), values: comoment } : undefined,
    events,
    flagged,
    finalStates,
    trajectories: tasks[0].keepTrajectories ? trajectories : undefined,
    quantiles,
    kernelSeconds,
    eventsPerSecond: kernelSeconds > 0 ? events / kernelSeconds : 0,
  };
}

/**
 * Simulates an ensemble in this thread (see `simulateEnsembleParallel` in `@srn/gillespie/node` for worker threads;
 * both give identical statistics for the same seed).
 *
 * @example
 * ```ts
 * const stats = simulateEnsemble(model, { runs: 1000, seed: 42, tEnd: 10, steps: 50 });
 * ensembleToCsv(stats);
 * ```
 */
export function simulateEnsemble(model: ReactionModel | CompiledModel, options: EnsembleOptions): EnsembleStatistics {
  const tasks = planEnsemble(model, options);
  return mergeEnsembleBatches(tasks, tasks.map(runEnsembleBatch));
}

/** Layout of a CSV file: one row per time (`wide`) or one row per time, species and statistic (`long`, "tidy"). */
export type CsvLayout = 'wide' | 'long';

function checkLayout(layout: unknown): CsvLayout {
  if (layout !== 'wide' && layout !== 'long') throw new RangeError(`layout must be 'wide' or 'long'; got ${String(layout)}`);
  return layout;
}

/**
 * Formats ensemble statistics as CSV. The wide layout is `time,X-mean,X-sd,Y-mean,Y-sd,...` (the layout of the SBML
 * stochastic test suite's result files; `kind` 'mean' or 'sd' gives `time,X,Y,...`), followed by `X-q0.05`-style
 * columns when quantiles were requested. The long ("tidy") layout has one row per time, species and statistic:
 * `time,species,statistic,value` with statistic `mean`, `sd` or `q<probability>`. When some runs were capped, a
 * final `runs` column gives the runs behind each row.
 *
 * @example
 * ```ts
 * const stats = simulateEnsemble(model, { runs: 100, seed: 1, tEnd: 10, quantiles: [0.05, 0.95] });
 * ensembleToCsv(stats); // 'time,X-mean,X-sd,X-q0.05,X-q0.95,...'
 * ensembleToCsv(stats, 'mean-sd', 'long'); // 'time,species,statistic,value\n0,X,mean,50\n...'
 * ```
 */
export function ensembleToCsv(stats: EnsembleStatistics, kind: 'mean-sd' | 'mean' | 'sd' = 'mean-sd', layout: CsvLayout = 'wide'): string {
  if (kind !== 'mean-sd' && kind !== 'mean' && kind !== 'sd') throw new RangeError(`kind must be 'mean-sd', 'mean' or 'sd'; got ${String(kind)}`);
  checkLayout(layout);
  const S = stats.species.length;
  const withCount = stats.flagged.length > 0;
  const q = stats.quantiles;
  const Q = q ? q.probabilities.length : 0;
  const statistics: { label: string; value: (g: number, s: number) => number }[] = [];
  if (kind !== 'sd') statistics.push({ label: 'mean', value: (g, s) => stats.mean[g * S + s] });
  if (kind !== 'mean') statistics.push({ label: 'sd', value: (g, s) => stats.sd[g * S + s] });
  for (let k = 0; k < Q; k++) statistics.push({ label: `q${q!.probabilities[k]}`, value: (g, s) => q!.values[(g * S + s) * Q + k] });
  const rows: (string | number)[][] = [];
  if (layout === 'long') {
    rows.push(withCount ? ['time', 'species', 'statistic', 'value', 'runs'] : ['time', 'species', 'statistic', 'value']);
    for (let g = 0; g < stats.times.length; g++) {
      for (let s = 0; s < S; s++) {
        for (const st of statistics) {
          const row: (string | number)[] = [stats.times[g], stats.species[s], st.label, st.value(g, s)];
          if (withCount) row.push(stats.count[g]);
          rows.push(row);
        }
      }
    }
    return formatCsv(rows);
  }
  const header = ['time'];
  for (const name of stats.species) {
    if (kind === 'mean-sd' || Q > 0) for (const st of statistics) header.push(`${name}-${st.label}`);
    else header.push(name);
  }
  if (withCount) header.push('runs');
  rows.push(header);
  for (let g = 0; g < stats.times.length; g++) {
    const cells: number[] = [stats.times[g]];
    for (let s = 0; s < S; s++) for (const st of statistics) cells.push(st.value(g, s));
    if (withCount) cells.push(stats.count[g]);
    rows.push(cells);
  }
  return formatCsv(rows);
}

/**
 * Formats the per-run trajectories of an ensemble simulated with `keepTrajectories: true` as CSV: wide
 * `run,time,X,Y,...` (one row per run and time) or long `run,time,species,value`. Values past the stop of a
 * capped run are `NaN`.
 *
 * @example
 * ```ts
 * const stats = simulateEnsemble(model, { runs: 10, seed: 1, tEnd: 10, steps: 10, keepTrajectories: true });
 * trajectoriesToCsv(stats).split('\n')[0]; // 'run,time,X,Y'
 * ```
 */
export function trajectoriesToCsv(stats: EnsembleStatistics, layout: CsvLayout = 'wide'): string {
  checkLayout(layout);
  const traj = stats.trajectories;
  if (!traj) throw new RangeError('stats has no trajectories: simulate the ensemble with keepTrajectories: true');
  const S = stats.species.length;
  const G = stats.times.length;
  const rows: (string | number)[][] = [layout === 'wide' ? ['run', 'time', ...stats.species] : ['run', 'time', 'species', 'value']];
  for (let run = 0; run < stats.runs; run++) {
    for (let g = 0; g < G; g++) {
      const base = (run * G + g) * S;
      if (layout === 'wide') rows.push([run, stats.times[g], ...traj.subarray(base, base + S)]);
      else for (let s = 0; s < S; s++) rows.push([run, stats.times[g], stats.species[s], traj[base + s]]);
    }
  }
  return formatCsv(rows);
}
