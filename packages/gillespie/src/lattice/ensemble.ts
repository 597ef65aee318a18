/**
 * Ensembles of lattice runs: per-replicate observables (stream-per-run: run i uses `createRng(seed, i)`), initial
 * conditions drawn per run (K conditions × M samples), and ensemble means / SDs per time point, overall and per
 * condition, with extinction flags.
 */
import { formatCsv } from '../csv.ts';
import { createRng, type Seed } from '../rng.ts';
import {
  type BoltzmannParameters,
  type BoltzmannSampler,
  checkInitialCondition,
  createBoltzmannSampler,
  drawBoltzmannParameters,
  initialConditionCount,
  type LatticeInitialCondition,
  placeInitialCondition,
} from './initial.ts';
import { compileObservables, defaultObservables, type LatticeObservable, measureStateUnchecked } from './observables.ts';
import { type LatticeConfig, type LatticeEventCounts, type PreparedLatticeConfig, prepareLatticeConfig, simulateLattice } from './simulate.ts';
import type { LatticeState } from './state.ts';

/** One run of an ensemble. */
export interface LatticeReplicate {
  /** Replicate index i (its random stream is `createRng(seed, i)`). */
  run: number;
  /** Initial condition index c = floor(run / samplesPerCondition) (0 without several conditions). */
  condition: number;
  /** The drawn Boltzmann parameters of the run's condition (null for other initial conditions). */
  parameters: BoltzmannParameters | null;
  /** Observables per time point: `observables[t * K + c]` for the K observable columns of the ensemble. */
  observables: Float64Array;
  /** Species counts per time point: `counts[t * S + k]` (species order). */
  counts: Int32Array;
  /** True when some species has count 0 at the last time point. */
  extinct: boolean;
  /** First recorded time at which each species' count was 0 (NaN if never), in species order. */
  extinctionTimes: Float64Array;
  events: LatticeEventCounts;
  /** The packed `T × N` snapshots, when requested. */
  occupancy?: Uint8Array;
}

/** Options of {@link runLatticeReplicates}. */
export interface LatticeReplicateOptions {
  seed: Seed;
  /** First replicate index (inclusive). */
  start: number;
  /** Last replicate index (exclusive). */
  end: number;
  /** Keep the packed snapshots of every run (default false). */
  keepTrajectories?: boolean;
  /** Initial condition of every run, overriding `config.initial` (see {@link LatticeEnsembleOptions}). */
  initialCondition?: LatticeInitialCondition;
  /** Samples per condition M (run r belongs to condition floor(r / M)); required with several conditions. */
  samplesPerCondition?: number;
  /** Observables (default {@link defaultObservables}); boundary-aware. */
  observables?: LatticeObservable[];
  /** Called at every time point of every run with the live state (e.g. to stream snapshots without keeping them). */
  onRecord?: (run: number, index: number, time: number, state: LatticeState) => void;
}

/**
 * Stream offset of the per-condition parameter draws (`createRng(seed, LATTICE_CONDITION_STREAM + c)`), far above
 * any run index, so a condition's parameters do not depend on which worker (or batch) draws them.
 */
export const LATTICE_CONDITION_STREAM = 2 ** 48;

/**
 * The drawn parameters of condition `condition` of a Boltzmann IC in an ensemble with seed `seed` (the values
 * recorded with every run of that condition).
 *
 * @example
 * ```ts
 * const ic = { type: 'boltzmann', h: { A: { min: -1, max: 1 } }, sweeps: 100, conditions: 50 } as const;
 * latticeConditionParameters(ic, 7, 3); // { h: { A: … }, J: {}, K: {} }, the same in every worker
 * ```
 */
export function latticeConditionParameters(
  ic: Extract<LatticeInitialCondition, { type: 'boltzmann' }>,
  seed: Seed,
  condition: number,
): BoltzmannParameters {
  const count = initialConditionCount(ic);
  if (!Number.isInteger(condition) || condition < 0 || condition >= count) {
    throw new RangeError(`condition must be an integer in [0, ${count}); got ${String(condition)}`);
  }
  return drawBoltzmannParameters(ic, createRng(seed, LATTICE_CONDITION_STREAM + condition));
}

/**
 * The initial condition an ensemble uses: `override` (an ensemble option) when given, else `config.initial` when it
 * is a typed {@link LatticeInitialCondition}, else undefined (plain counts or a snapshot: the simulator places them).
 *
 * @example
 * ```ts
 * resolveInitialCondition({ ...config, initial: { type: 'densities', densities: { A: 0.5 } } }); // the densities IC
 * ```
 */
export function resolveInitialCondition(config: LatticeConfig, override?: LatticeInitialCondition): LatticeInitialCondition | undefined {
  if (override !== undefined) return override;
  const initial = config.initial as { type?: unknown };
  return initial !== null && typeof initial === 'object' && typeof initial.type === 'string' ? (config.initial as LatticeInitialCondition) : undefined;
}

/** Validates the per-condition layout; returns M (Infinity with a single condition and no explicit M). */
function samplesPerConditionOf(conditions: number, samples: number | undefined, name: string): number {
  if (samples === undefined) {
    if (conditions > 1) throw new RangeError(`${name} is required with ${conditions} initial conditions`);
    return Number.POSITIVE_INFINITY;
  }
  if (!Number.isSafeInteger(samples) || samples < 1) throw new RangeError(`${name} must be a positive integer; got ${String(samples)}`);
  return samples;
}

/**
 * Runs replicates `start … end − 1` of `config` (the unit of work of a worker task). Run r draws its initial
 * lattice (when `initialCondition` is given and is not `counts`) from `createRng(seed, r)` and then simulates on
 * the same stream; `counts` initial conditions are placed by the simulator itself (so they honour the
 * configuration's pick rule).
 *
 * @example
 * ```ts
 * const reps = runLatticeReplicates(lotkaVolterraLattice({ steps: 50 }), { seed: 1, start: 0, end: 4 });
 * reps[0].observables.length; // 50 × 8
 * ```
 */
export function runLatticeReplicates(config: LatticeConfig | PreparedLatticeConfig, options: LatticeReplicateOptions): LatticeReplicate[] {
  const prepared = 'geometry' in config ? config : prepareLatticeConfig(config);
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { start, end } = options;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`options.start must be a non-negative integer; got ${start}`);
  if (!Number.isSafeInteger(end) || end < start) throw new RangeError(`options.end must be an integer >= start; got ${end}`);
  const { shape, steps } = prepared.config;
  const { geometry } = prepared;
  const species = prepared.model.species;
  const compiled = compileObservables(geometry, species, options.observables ?? defaultObservables(species, shape.length));
  const ic = resolveInitialCondition(prepared.config, options.initialCondition);
  if (ic !== undefined) checkInitialCondition(ic, geometry, species, 'options.initialCondition');
  const conditions = ic === undefined ? 1 : initialConditionCount(ic);
  const M = samplesPerConditionOf(conditions, options.samplesPerCondition, 'options.samplesPerCondition');
  if (conditions > 1 && end > conditions * M) {
    throw new RangeError(`options.end ${end} exceeds ${conditions} conditions × ${M} samples`);
  }
  const parameterCache = new Map<number, BoltzmannParameters>();
  const samplerCache = new Map<number, BoltzmannSampler>();
  const K = compiled.names.length;
  const S = species.length;
  const out: LatticeReplicate[] = [];
  for (let run = start; run < end; run++) {
    const rng = createRng(options.seed, run);
    const condition = conditions > 1 ? Math.floor(run / M) : 0;
    let parameters: BoltzmannParameters | null = null;
    let initialOccupancy: Uint8Array | undefined;
    if (ic !== undefined && ic.type !== 'counts') {
      if (ic.type === 'boltzmann') {
        parameters = parameterCache.get(condition) ?? latticeConditionParameters(ic, options.seed, condition);
        parameterCache.set(condition, parameters);
        let sampler = samplerCache.get(condition);
        if (sampler === undefined) {
          sampler = createBoltzmannSampler(geometry, species, parameters);
          samplerCache.clear();
          samplerCache.set(condition, sampler);
        }
        initialOccupancy = sampler.sample(ic.sweeps, rng);
      } else initialOccupancy = placeInitialCondition(ic, geometry, species, rng);
    }
    // Counts go through the simulator's own placement (it honours the configuration's pick rule).
    const runConfig: PreparedLatticeConfig =
      ic?.type === 'counts' ? { ...prepared, config: { ...prepared.config, initial: ic.counts } } : prepared;
    const observables = new Float64Array(steps * K);
    const extinctionTimes = new Float64Array(S).fill(Number.NaN);
    const result = simulateLattice(runConfig, rng, {
      initialOccupancy,
      recordSnapshots: options.keepTrajectories ?? false,
      onRecord: (i, t, state) => {
        measureStateUnchecked(compiled, state, observables, i * K);
        for (let k = 0; k < S; k++) if (state.counts[k + 1] === 0 && Number.isNaN(extinctionTimes[k])) extinctionTimes[k] = t;
        options.onRecord?.(run, i, t, state);
      },
    });
    let extinct = false;
    for (let k = 0; k < S; k++) if (result.counts[(steps - 1) * S + k] === 0) extinct = true;
    const replicate: LatticeReplicate = {
      run,
      condition,
      parameters,
      observables,
      counts: result.counts,
      extinct,
      extinctionTimes,
      events: result.events,
    };
    if (result.trajectory) replicate.occupancy = result.trajectory.occupancy;
    out.push(replicate);
  }
  return out;
}

/** Means and SDs of one initial condition's runs (same layout as {@link LatticeEnsembleSummary}). */
export interface LatticeConditionSummary {
  condition: number;
  parameters: BoltzmannParameters | null;
  /** Runs of this condition. */
  runs: number;
  /** Runs of this condition that entered the statistics. */
  runsUsed: number;
  mean: Float64Array[];
  sd: Float64Array[];
}

/**
 * Ensemble statistics per time point. Column c of `mean`/`sd` is observable `names[c]`; `sd` is the sample SD
 * (n − 1 denominator; 0 with a single run).
 */
export interface LatticeEnsembleSummary {
  times: Float64Array;
  names: string[];
  species: string[];
  mean: Float64Array[];
  sd: Float64Array[];
  /** Fraction of the included runs with count 0 at each time, per species. */
  extinctFraction: Float64Array[];
  /** Runs in the ensemble. */
  runs: number;
  /** Runs that entered the statistics. */
  runsUsed: number;
  /** Replicate indices flagged extinct (some species at 0 at the last time). */
  extinctRuns: number[];
  /** Per-condition statistics, in condition order (one entry with a single condition). */
  conditions: LatticeConditionSummary[];
}

/** Options of {@link summarizeLatticeEnsemble}. */
export interface SummarizeOptions {
  /** Leave runs flagged extinct out of the statistics, as the paper's figure does (default false: keep all). */
  excludeExtinct?: boolean;
  /** The observables the replicates were measured with (default {@link defaultObservables}); names the columns. */
  observables?: LatticeObservable[];
}

/** Means and sample SDs over `runs` of the `steps × K` observables (read through `data`, one run at a time). */
function moments(runs: readonly LatticeReplicate[], steps: number, K: number, data: ReplicateData): { mean: Float64Array[]; sd: Float64Array[] } {
  const n = runs.length;
  const mean = Array.from({ length: K }, () => new Float64Array(steps).fill(n === 0 ? Number.NaN : 0));
  const sd = Array.from({ length: K }, () => new Float64Array(steps).fill(n === 0 ? Number.NaN : 0));
  if (n === 0) return { mean, sd };
  for (const r of runs) {
    const x = data(r).observables;
    for (let t = 0; t < steps; t++) for (let c = 0; c < K; c++) mean[c][t] += x[t * K + c];
  }
  for (let c = 0; c < K; c++) for (let t = 0; t < steps; t++) mean[c][t] /= n;
  for (const r of runs) {
    const x = data(r).observables;
    for (let t = 0; t < steps; t++) {
      for (let c = 0; c < K; c++) {
        const d = x[t * K + c] - mean[c][t];
        sd[c][t] += d * d;
      }
    }
  }
  for (let c = 0; c < K; c++) for (let t = 0; t < steps; t++) sd[c][t] = n > 1 ? Math.sqrt(sd[c][t] / (n - 1)) : 0;
  return { mean, sd };
}

/** A replicate's per-time-point data, as {@link summarizeLatticeEnsemble} reads it. */
export type LatticeReplicateData = Pick<LatticeReplicate, 'observables' | 'counts'>;

type ReplicateData = (replicate: LatticeReplicate) => LatticeReplicateData;

const ownData: ReplicateData = (replicate) => replicate;

/**
 * Reduces replicates (in replicate order, so the result is bit-identical whatever produced them) to means, SDs and
 * extinction fractions, overall and per initial condition. `data` gives a replicate's observables and counts
 * (default: its own); the reduction asks for one replicate at a time and uses the arrays only until the next call,
 * so they may come from a file into one reused buffer (`LatticeReplicateSpill`, which keeps a long ensemble's
 * memory independent of its number of runs).
 *
 * @example
 * ```ts
 * const summary = summarizeLatticeEnsemble(config, replicates, { excludeExtinct: true });
 * summary.mean[0][100]; // mean prey count at t = 100 over surviving runs
 * ```
 */
export function summarizeLatticeEnsemble(
  config: LatticeConfig | PreparedLatticeConfig,
  replicates: readonly LatticeReplicate[],
  options: SummarizeOptions = {},
  data: (replicate: LatticeReplicate) => LatticeReplicateData = ownData,
): LatticeEnsembleSummary {
  const prepared = 'geometry' in config ? config : prepareLatticeConfig(config);
  if (!Array.isArray(replicates) || replicates.length === 0) throw new RangeError('replicates must be a non-empty array');
  const { steps, dt, shape } = prepared.config;
  const species = prepared.model.species.slice();
  const compiled = compileObservables(prepared.geometry, species, options.observables ?? defaultObservables(species, shape.length));
  const names = compiled.names.slice();
  const K = names.length;
  const S = species.length;
  const sorted = replicates.slice().sort((a, b) => a.run - b.run);
  if (typeof data !== 'function') throw new TypeError(`data must be a function; got ${String(data)}`);
  for (const r of sorted) {
    const { observables, counts } = data(r);
    if (!(observables instanceof Float64Array) || observables.length !== steps * K) {
      throw new RangeError(`replicate ${r.run}: observables must hold ${steps} × ${K} values`);
    }
    if (!(counts instanceof Int32Array) || counts.length !== steps * S) {
      throw new RangeError(`replicate ${r.run}: counts must hold ${steps} × ${S} values`);
    }
  }
  const used = options.excludeExtinct ? sorted.filter((r) => !r.extinct) : sorted;
  const n = used.length;
  const { mean, sd } = moments(used, steps, K, data);
  const extinctFraction = species.map(() => new Float64Array(steps));
  for (const r of used) {
    const counts = data(r).counts;
    for (let t = 0; t < steps; t++) for (let k = 0; k < S; k++) if (counts[t * S + k] === 0) extinctFraction[k][t] += 1 / n;
  }
  const conditionIds = [...new Set(sorted.map((r) => r.condition))].sort((a, b) => a - b);
  const conditions: LatticeConditionSummary[] =
    conditionIds.length === 1
      ? [{ condition: conditionIds[0], parameters: sorted[0].parameters, runs: sorted.length, runsUsed: n, mean, sd }]
      : conditionIds.map((c) => {
          const all = sorted.filter((r) => r.condition === c);
          const mine = used.filter((r) => r.condition === c);
          return { condition: c, parameters: all[0].parameters, runs: all.length, runsUsed: mine.length, ...moments(mine, steps, K, data) };
        });
  return {
    times: Float64Array.from({ length: steps }, (_, t) => t * dt),
    names,
    species,
    mean,
    sd,
    extinctFraction,
    runs: sorted.length,
    runsUsed: n,
    extinctRuns: sorted.filter((r) => r.extinct).map((r) => r.run),
    conditions,
  };
}

function formatNumber(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  return String(Number(x.toFixed(digits)));
}

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new RangeError(`digits must be an integer in [0, 15]; got ${digits}`);
}

/**
 * The summary as CSV: `time,X-mean,X-sd,Y-mean,Y-sd,NN_XX-mean,…,extinct_X,extinct_Y` (the reference CSV's layout).
 *
 * @example
 * ```ts
 * const csv = latticeSummaryToCsv(summary);
 * csv.split('\n')[0]; // 'time,X-mean,X-sd,Y-mean,...'
 * ```
 */
export function latticeSummaryToCsv(summary: LatticeEnsembleSummary, digits = 6): string {
  checkDigits(digits);
  const header = ['time', ...summary.names.flatMap((n) => [`${n}-mean`, `${n}-sd`]), ...summary.species.map((s) => `extinct_${s}`)];
  const lines = [header];
  for (let t = 0; t < summary.times.length; t++) {
    const row = [formatNumber(summary.times[t], 9)];
    for (let c = 0; c < summary.names.length; c++) row.push(formatNumber(summary.mean[c][t], digits), formatNumber(summary.sd[c][t], digits));
    for (let k = 0; k < summary.species.length; k++) row.push(formatNumber(summary.extinctFraction[k][t], digits));
    lines.push(row);
  }
  return formatCsv(lines);
}

/**
 * The per-condition statistics as one long CSV: `condition,time,runs,X-mean,X-sd,…` (one block of rows per
 * condition, in condition order; `runs` is the number of runs of the condition in the statistics).
 *
 * @example
 * ```ts
 * latticeConditionsToCsv(summary).split('\n')[0]; // 'condition,time,runs,n_A-mean,n_A-sd,...'
 * ```
 */
export function latticeConditionsToCsv(summary: LatticeEnsembleSummary, digits = 6): string {
  checkDigits(digits);
  const header = ['condition', 'time', 'runs', ...summary.names.flatMap((n) => [`${n}-mean`, `${n}-sd`])];
  const lines = [header.join(',')];
  for (const c of summary.conditions) {
    for (let t = 0; t < summary.times.length; t++) {
      const row = [String(c.condition), formatNumber(summary.times[t], 9), String(c.runsUsed)];
      for (let k = 0; k < summary.names.length; k++) row.push(formatNumber(c.mean[k][t], digits), formatNumber(c.sd[k][t], digits));
      lines.push(row.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Options of {@link simulateLatticeEnsemble}. */
export interface LatticeEnsembleOptions extends SummarizeOptions {
  /** Total runs: K conditions × M samples (must be a multiple of the condition count K). */
  runs: number;
  seed: Seed;
  keepTrajectories?: boolean;
  /**
   * Initial condition of every run, overriding `config.initial` (default: `config.initial` when it is a typed
   * initial condition). With K conditions (`conditions` of a Boltzmann IC)
   * run r belongs to condition floor(r / M), M = runs / K; condition c's parameters are drawn from
   * `createRng(seed, LATTICE_CONDITION_STREAM + c)` and run r's lattice is placed with `createRng(seed, r)` before
   * it simulates on the same stream, so results do not depend on the worker count.
   */
  initialCondition?: LatticeInitialCondition;
}

/**
 * Validates `options.runs` against the initial condition's condition count (the option's, else a typed
 * `config.initial`'s) and returns M, the samples per condition (`runs / K`).
 *
 * @example
 * ```ts
 * latticeSamplesPerCondition({ runs: 2500, seed: 1, initialCondition: { type: 'boltzmann', h: { A: 0 }, sweeps: 100, conditions: 50 } }); // 50
 * ```
 */
export function latticeSamplesPerCondition(options: LatticeEnsembleOptions, config?: LatticeConfig): number {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (!Number.isSafeInteger(options.runs) || options.runs < 1) {
    throw new RangeError(`options.runs must be a positive integer; got ${options.runs}`);
  }
  const ic = config === undefined ? options.initialCondition : resolveInitialCondition(config, options.initialCondition);
  const conditions = ic === undefined ? 1 : initialConditionCount(ic);
  if (options.runs % conditions !== 0) {
    throw new RangeError(`options.runs (${options.runs}) must be a multiple of the ${conditions} initial conditions`);
  }
  return options.runs / conditions;
}

/**
 * Runs an ensemble in this thread (for worker threads use `simulateLatticeEnsembleParallel` from
 * `@srn/gillespie/lattice-node`; both give identical results).
 *
 * @example
 * ```ts
 * const { summary } = simulateLatticeEnsemble(lotkaVolterraLattice({ steps: 100 }), { runs: 20, seed: 7 });
 * ```
 */
export function simulateLatticeEnsemble(
  config: LatticeConfig,
  options: LatticeEnsembleOptions,
): { summary: LatticeEnsembleSummary; replicates: LatticeReplicate[] } {
  const M = latticeSamplesPerCondition(options, config);
  const prepared = prepareLatticeConfig(config);
  const replicates = runLatticeReplicates(prepared, {
    seed: options.seed,
    start: 0,
    end: options.runs,
    keepTrajectories: options.keepTrajectories,
    initialCondition: options.initialCondition,
    samplesPerCondition: M,
    observables: options.observables,
  });
  return { summary: summarizeLatticeEnsemble(prepared, replicates, options), replicates };
}
