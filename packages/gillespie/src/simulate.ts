/**
 * Validated entry points of the well-mixed SSA: one run ({@link simulate}) and ensembles of runs
 * ({@link simulateEnsemble}), with statistics on a fixed time grid.
 *
 * @packageDocumentation
 */
import { type CompiledModel, compileModel } from './compile.ts';
import { createWorkspace, instantiateModel, type RunControl } from './kernels/ssa.ts';
import { ArgumentError, ArgumentTypeError } from './errors.ts';
import { MAX_AMOUNT, type ReactionModel } from './model.ts';
import type { Rng, Seed } from './rng.ts';
import {
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
   * Direct method only: generate model-specific code (`new Function`) for speed. Default true; set false where
   * generated code is forbidden (strict Content-Security-Policy). Both paths give identical results.
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
  const km = instantiateModel(plan);
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
  const tasks: EnsembleBatchTask[] = [];
  for (let start = 0; start < runs; start += batchSize) {
    tasks.push({
      plan, seed, start, end: Math.min(runs, start + batchSize), options: o, covarianceSpecies,
      keepFinalStates: options.keepFinalStates ?? false,
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

function formatNumber(value: number): string {
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/**
 * Formats ensemble statistics as CSV: `time,X-mean,X-sd,Y-mean,Y-sd,...` (the layout of the SBML stochastic test
 * suite's result files). When some runs were capped, a final `runs` column gives the runs behind each row.
 *
 * @example
 * ```ts
 * const csv = ensembleToCsv(simulateEnsemble(model, { runs: 100, seed: 1, tEnd: 10 }));
 * ```
 */
export function ensembleToCsv(stats: EnsembleStatistics, kind: 'mean-sd' | 'mean' | 'sd' = 'mean-sd'): string {
  const S = stats.species.length;
  const withCount = stats.flagged.length > 0;
  const header = ['time'];
  for (const name of stats.species) {
    if (kind === 'mean-sd') header.push(`${name}-mean`, `${name}-sd`);
    else header.push(name);
  }
  if (withCount) header.push('runs');
  const lines = [header.join(',')];
  for (let g = 0; g < stats.times.length; g++) {
    const cells = [formatNumber(stats.times[g])];
    for (let s = 0; s < S; s++) {
      if (kind !== 'sd') cells.push(formatNumber(stats.mean[g * S + s]));
      if (kind !== 'mean') cells.push(formatNumber(stats.sd[g * S + s]));
    }
    if (withCount) cells.push(String(stats.count[g]));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
