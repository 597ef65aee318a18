/**
 * Ensembles of lattice runs: per-replicate observables (stream-per-run: run i uses `createRng(seed, i)`), and
 * ensemble means / SDs per time point with extinction flags.
 */
import { createRng, type Seed } from '../rng.ts';
import { type LatticeConfig, type LatticeEventCounts, type PreparedLatticeConfig, prepareLatticeConfig, simulateLattice } from './simulate.ts';
import type { LatticeState } from './state.ts';
import { LatticeObserver } from './statistics.ts';

/** One run of an ensemble. */
export interface LatticeReplicate {
  /** Replicate index i (its random stream is `createRng(seed, i)`). */
  run: number;
  /** Observables per time point: `observables[t * K + c]` for the K columns of {@link LatticeObserver.names}. */
  observables: Float64Array;
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
  /** Called at every time point of every run with the live state (e.g. to stream snapshots without keeping them). */
  onRecord?: (run: number, index: number, time: number, state: LatticeState) => void;
}

/**
 * Runs replicates `start … end − 1` of `config` (the unit of work of a worker task).
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
  const species = prepared.model.species;
  const observer = new LatticeObserver(shape, species);
  const K = observer.names.length;
  const S = species.length;
  const out: LatticeReplicate[] = [];
  for (let run = start; run < end; run++) {
    const rng = createRng(options.seed, run);
    const observables = new Float64Array(steps * K);
    const extinctionTimes = new Float64Array(S).fill(Number.NaN);
    const result = simulateLattice(prepared, rng, {
      recordSnapshots: options.keepTrajectories ?? false,
      onRecord: (i, t, state) => {
        observer.measureState(state, observables, i * K);
        for (let k = 0; k < S; k++) if (state.counts[k + 1] === 0 && Number.isNaN(extinctionTimes[k])) extinctionTimes[k] = t;
        options.onRecord?.(run, i, t, state);
      },
    });
    let extinct = false;
    for (let k = 0; k < S; k++) if (result.counts[(steps - 1) * S + k] === 0) extinct = true;
    const replicate: LatticeReplicate = { run, observables, extinct, extinctionTimes, events: result.events };
    if (result.trajectory) replicate.occupancy = result.trajectory.occupancy;
    out.push(replicate);
  }
  return out;
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
}

/** Options of {@link summarizeLatticeEnsemble}. */
export interface SummarizeOptions {
  /** Leave runs flagged extinct out of the statistics, as the paper's figure does (default false: keep all). */
  excludeExtinct?: boolean;
}

/**
 * Reduces replicates (in replicate order, so the result is bit-identical whatever produced them) to means, SDs and
 * extinction fractions.
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
): LatticeEnsembleSummary {
  const prepared = 'geometry' in config ? config : prepareLatticeConfig(config);
  if (!Array.isArray(replicates) || replicates.length === 0) throw new RangeError('replicates must be a non-empty array');
  const { steps, dt, shape } = prepared.config;
  const species = prepared.model.species.slice();
  const names = new LatticeObserver(shape, species).names.slice();
  const K = names.length;
  const S = species.length;
  const sorted = replicates.slice().sort((a, b) => a.run - b.run);
  for (const r of sorted) {
    if (!(r.observables instanceof Float64Array) || r.observables.length !== steps * K) {
      throw new RangeError(`replicate ${r.run}: observables must hold ${steps} × ${K} values`);
    }
  }
  const used = options.excludeExtinct ? sorted.filter((r) => !r.extinct) : sorted;
  const n = used.length;
  const mean = names.map(() => new Float64Array(steps).fill(n === 0 ? Number.NaN : 0));
  const sd = names.map(() => new Float64Array(steps).fill(n === 0 ? Number.NaN : 0));
  const extinctFraction = species.map(() => new Float64Array(steps));
  for (const r of used) {
    for (let t = 0; t < steps; t++) for (let c = 0; c < K; c++) mean[c][t] += r.observables[t * K + c];
  }
  if (n > 0) for (let c = 0; c < K; c++) for (let t = 0; t < steps; t++) mean[c][t] /= n;
  for (const r of used) {
    for (let t = 0; t < steps; t++) {
      for (let c = 0; c < K; c++) {
        const d = r.observables[t * K + c] - mean[c][t];
        sd[c][t] += d * d;
      }
      for (let k = 0; k < S; k++) if (r.observables[t * K + k] === 0) extinctFraction[k][t] += 1 / n;
    }
  }
  for (let c = 0; c < K; c++) for (let t = 0; t < steps; t++) sd[c][t] = n > 1 ? Math.sqrt(sd[c][t] / (n - 1)) : 0;
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
  };
}

function formatNumber(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  return String(Number(x.toFixed(digits)));
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
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new RangeError(`digits must be an integer in [0, 15]; got ${digits}`);
  const header = ['time', ...summary.names.flatMap((n) => [`${n}-mean`, `${n}-sd`]), ...summary.species.map((s) => `extinct_${s}`)];
  const lines = [header.join(',')];
  for (let t = 0; t < summary.times.length; t++) {
    const row = [formatNumber(summary.times[t], 9)];
    for (let c = 0; c < summary.names.length; c++) row.push(formatNumber(summary.mean[c][t], digits), formatNumber(summary.sd[c][t], digits));
    for (let k = 0; k < summary.species.length; k++) row.push(formatNumber(summary.extinctFraction[k][t], digits));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Options of {@link simulateLatticeEnsemble}. */
export interface LatticeEnsembleOptions extends SummarizeOptions {
  runs: number;
  seed: Seed;
  keepTrajectories?: boolean;
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
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new RangeError(`options.runs must be a positive integer; got ${options.runs}`);
  const prepared = prepareLatticeConfig(config);
  const replicates = runLatticeReplicates(prepared, {
    seed: options.seed,
    start: 0,
    end: options.runs,
    keepTrajectories: options.keepTrajectories,
  });
  return { summary: summarizeLatticeEnsemble(prepared, replicates, options), replicates };
}
