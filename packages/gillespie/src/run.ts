/**
 * Running trajectories on a prepared plan: the part of the simulator that worker threads load. It imports no
 * mathjs (compilation happens before a plan is sent to a worker).
 *
 * @packageDocumentation
 */
import type { CompiledModel } from './compile.ts';
import { SimulationError } from './errors.ts';
import { type SsaKernel, specialiseDirect } from './kernels/direct-specialised.ts';
import {
  createWorkspace,
  instantiateModel,
  type KernelModel,
  type RunControl,
  type RunReport,
  runCompositionRejection,
  runDirect,
  runNextReaction,
  STATUS_BAD_PROPENSITY,
  STATUS_COMPLETED,
  type SsaWorkspace,
} from './kernels/ssa.ts';
import { createRng, type Rng, type Seed } from './rng.ts';
import { sbmlKernelFor } from './sbml/kernel.ts';

/** The exact SSA algorithms: all three sample the same process. */
export const SSA_METHODS = ['direct', 'nrm', 'cr'] as const;
/** `direct`: Gillespie's direct method; `nrm`: Gibson-Bruck next reaction method; `cr`: composition-rejection. */
export type SsaMethod = (typeof SSA_METHODS)[number];

/** Why a run ended. */
export type RunStatus = 'completed' | 'event-cap' | 'population-cap';

/** Run options after validation (plain data, sent to workers). */
export interface ResolvedRunOptions {
  t0: number;
  tEnd: number;
  steps: number;
  method: SsaMethod;
  maxEvents: number;
  maxPopulation: number;
  specialise: boolean;
}

/** The recording grid t0 + k (tEnd − t0)/steps, k = 0..steps. */
export function timeGrid(o: ResolvedRunOptions): Float64Array {
  const grid = new Float64Array(o.steps + 1);
  for (let g = 0; g <= o.steps; g++) grid[g] = o.t0 + ((o.tEnd - o.t0) * g) / o.steps;
  grid[o.steps] = o.tEnd;
  return grid;
}

const KERNELS: Record<SsaMethod, SsaKernel> = { direct: runDirect, nrm: runNextReaction, cr: runCompositionRejection };
/** Largest network for which the direct method generates model-specific code. */
export const SPECIALISE_MAX_REACTIONS = 64;
const specialisedKernels = new WeakMap<KernelModel, SsaKernel>();

function kernelFor(km: KernelModel, o: ResolvedRunOptions): SsaKernel {
  // Plans from `@srn/gillespie/sbml` with events, rules or step changes in time run on the SBML direct kernel.
  const sbml = sbmlKernelFor(km);
  if (sbml) return sbml;
  // Generated code pays off on small networks; a switch over thousands of reactions is too large for V8 to optimise.
  if (o.method !== 'direct' || !o.specialise || km.reactionCount > SPECIALISE_MAX_REACTIONS) return KERNELS[o.method];
  let kernel = specialisedKernels.get(km);
  if (!kernel) {
    kernel = specialiseDirect(km);
    specialisedKernels.set(km, kernel);
  }
  return kernel;
}

/** Status code of a kernel report as a name. */
export const STATUS_NAMES: Record<number, RunStatus> = { 0: 'completed', 1: 'event-cap', 2: 'population-cap' };

/** A fresh kernel report. */
export function newReport(): RunReport {
  return { status: STATUS_COMPLETED, events: 0, time: 0, rowsRecorded: 0, badReaction: -1, badValue: 0 };
}

/** Runs one trajectory in a prepared workspace; throws SimulationError on a bad propensity. */
export function runOne(
  km: KernelModel, ws: SsaWorkspace, rng: Rng, o: ResolvedRunOptions, grid: Float64Array, out: Float64Array,
  control: RunControl, report: RunReport,
): void {
  ws.x.set(km.initial);
  out.fill(Number.NaN);
  kernelFor(km, o)(km, ws, rng, o.t0, o.tEnd, grid, out, control, report);
  if (report.status === STATUS_BAD_PROPENSITY) {
    throw new SimulationError(
      `reaction '${km.reactionNames[report.badReaction]}' has propensity ${report.badValue} at t = ${report.time}; ` +
        'a propensity must be finite and >= 0',
    );
  }
}

/** A serialisable unit of ensemble work: runs [start, end) of a seed. */
export interface EnsembleBatchTask {
  readonly plan: CompiledModel;
  readonly seed: Seed;
  readonly start: number;
  readonly end: number;
  readonly options: ResolvedRunOptions;
  readonly covarianceSpecies: Int32Array;
  readonly keepFinalStates: boolean;
  /** Return every run's trajectory on the grid. Default false. */
  readonly keepTrajectories?: boolean;
  /** Probabilities of the quantiles to estimate (the runs' values are then kept). Default none. */
  readonly quantiles?: readonly number[];
}

/**
 * Whether a batch keeps its runs' values (for returned trajectories or quantiles).
 *
 * @example
 * ```ts
 * keepsValues(planEnsemble(model, { runs: 10, seed: 1, tEnd: 1, quantiles: [0.5] })[0]); // true
 * ```
 */
export function keepsValues(task: EnsembleBatchTask): boolean {
  return task.keepTrajectories === true || (task.quantiles?.length ?? 0) > 0;
}

/** Per-batch partial statistics (Welford sums), merged in batch order. */
export interface EnsembleBatchResult {
  readonly start: number;
  readonly end: number;
  /** Per grid row: runs that reached it. */
  readonly count: Float64Array;
  /** Per grid row and species: running mean and sum of squared deviations. */
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  /** Per grid row: co-moments of the covariance species (k × k, row-major). */
  readonly comoment: Float64Array;
  readonly events: number;
  /** Runs that did not complete: run index, status code, time reached. */
  readonly flaggedRuns: Int32Array;
  readonly flaggedStatus: Int32Array;
  readonly flaggedTimes: Float64Array;
  readonly finalStates: Float64Array | null;
  /** Every run's values, run-major ((end − start) × grid rows × S), NaN past a capped run's stop; or null. */
  readonly trajectories: Float64Array | null;
  readonly kernelSeconds: number;
}

/**
 * Runs one batch of an ensemble (runs start..end-1, run i on stream i) and returns its partial statistics.
 * Deterministic: the same task gives the same result in any thread.
 *
 * @example
 * ```ts
 * const partial = runEnsembleBatch(planEnsemble(model, { runs: 10, seed: 3, tEnd: 5 })[0]);
 * ```
 */
export function runEnsembleBatch(task: EnsembleBatchTask): EnsembleBatchResult {
  const km = instantiateModel(task.plan, { codegen: task.options.specialise });
  const ws = createWorkspace(km);
  const o = task.options;
  const grid = timeGrid(o);
  const rows = grid.length;
  const S = km.speciesCount;
  const k = task.covarianceSpecies.length;
  const values = new Float64Array(rows * S);
  const count = new Float64Array(rows);
  const mean = new Float64Array(rows * S);
  const m2 = new Float64Array(rows * S);
  const comoment = new Float64Array(rows * k * k);
  const deltaOld = new Float64Array(k);
  const finalStates = task.keepFinalStates ? new Float64Array((task.end - task.start) * S) : null;
  const trajectories = keepsValues(task) ? new Float64Array((task.end - task.start) * rows * S) : null;
  const flaggedRuns: number[] = [];
  const flaggedStatus: number[] = [];
  const flaggedTimes: number[] = [];
  const control: RunControl = { maxEvents: o.maxEvents, maxPopulation: o.maxPopulation, logTimes: null, logReactions: null };
  const report = newReport();
  const rootRng = createRng(task.seed);
  let events = 0;
  const started = performance.now();
  for (let run = task.start; run < task.end; run++) {
    const rng = rootRng.stream(run);
    runOne(km, ws, rng, o, grid, values, control, report);
    events += report.events;
    if (report.status !== STATUS_COMPLETED) {
      flaggedRuns.push(run);
      flaggedStatus.push(report.status);
      flaggedTimes.push(report.time);
    }
    for (let g = 0; g < report.rowsRecorded; g++) {
      const n = ++count[g];
      const base = g * S;
      for (let q = 0; q < k; q++) deltaOld[q] = values[base + task.covarianceSpecies[q]] - mean[base + task.covarianceSpecies[q]];
      for (let s = 0; s < S; s++) {
        const value = values[base + s];
        const delta = value - mean[base + s];
        mean[base + s] += delta / n;
        m2[base + s] += delta * (value - mean[base + s]);
      }
      const cbase = g * k * k;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          const sb = task.covarianceSpecies[b];
          comoment[cbase + a * k + b] += deltaOld[a] * (values[base + sb] - mean[base + sb]);
        }
      }
    }
    if (trajectories) {
      const offset = (run - task.start) * rows * S;
      trajectories.set(values.subarray(0, report.rowsRecorded * S), offset);
      trajectories.fill(Number.NaN, offset + report.rowsRecorded * S, offset + rows * S);
    }
    if (finalStates) {
      const offset = (run - task.start) * S;
      for (let s = 0; s < S; s++) finalStates[offset + s] = values[(rows - 1) * S + s];
    }
  }
  return {
    start: task.start,
    end: task.end,
    count, mean, m2, comoment, events,
    flaggedRuns: Int32Array.from(flaggedRuns),
    flaggedStatus: Int32Array.from(flaggedStatus),
    flaggedTimes: Float64Array.from(flaggedTimes),
    finalStates,
    trajectories,
    kernelSeconds: (performance.now() - started) / 1000,
  };
}

