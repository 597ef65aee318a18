/**
 * Lattice ensembles over worker threads. Replicate i always uses `createRng(seed, i)` and results are reduced in
 * replicate order, so the outcome is identical for any worker count or batch size.
 */
import { batchRanges, prestartThreads, runTasks } from '../../node/pool.ts';
import {
  type LatticeEnsembleOptions,
  type LatticeEnsembleSummary,
  type LatticeReplicate,
  latticeSamplesPerCondition,
  resolveInitialCondition,
  summarizeLatticeEnsemble,
} from '../ensemble.ts';
import type { LatticeInitialCondition } from '../initial.ts';
import { type LatticeConfig, prepareLatticeConfig } from '../simulate.ts';
import type { LatticeEnsembleTask, LatticeTaskReplicate } from './ensemble-task.ts';
import { LatticeReplicateSpill } from './spill.ts';

/** Options of {@link simulateLatticeEnsembleParallel}. */
export interface ParallelLatticeEnsembleOptions extends LatticeEnsembleOptions {
  /** Worker threads (default 1: inline). */
  workers?: number;
  /** Replicates per task (default from a cost estimate, aiming at tasks of at least 50 ms). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after every finished task with the number of finished replicates. */
  onProgress?: (runsDone: number, runs: number) => void;
  /**
   * With `keepTrajectories`: receives each run's trajectory as the bytes of `encodeLattice` (the binary SRNL
   * form, encoded on the thread that ran it) as soon as its batch finishes, in completion order rather than run
   * order; the ensemble then lets go of it (the returned replicates carry no `occupancy`). Writing them to disk
   * here keeps the memory of a long ensemble at about one batch per thread instead of every run's trajectory.
   */
  onTrajectory?: (run: number, encoded: Uint8Array) => void;
  /**
   * Path of a scratch file (created, and removed at the end) where each run's observables and counts wait for the
   * reduction instead of memory ({@link LatticeReplicateSpill}), so that the memory of a long ensemble does not grow
   * with its number of runs (36 KB per run for the 40 × 40 × 500 LV). The summary is the same bit for bit; the
   * returned replicates then carry empty `observables` and `counts`.
   */
  spill?: string;
}

/** Rough cost of one particle-step (paper sweep) or one event (exact) in nanoseconds, from bench/lattice.ts. */
const NS_PER_PARTICLE_STEP = 40;
const NS_PER_SITE_STEP = 1.5;
const TARGET_TASK_MS = 50;
/** Rough cost of one Gibbs site update in nanoseconds (tabulated conditionals). */
const NS_PER_GIBBS_UPDATE = 6;

/**
 * Estimated milliseconds of one run (for batching): particles × steps × per-particle cost (the exact scheme's
 * events per unit time are about the particles' total rate bound), plus a per-site cost for recording and, with a
 * Boltzmann initial condition, the Gibbs sweeps (other initial conditions than counts count as half-filled).
 *
 * @example
 * ```ts
 * estimateLatticeRunMs(lotkaVolterraLattice()); // about 10
 * ```
 */
export function estimateLatticeRunMs(config: LatticeConfig, override?: LatticeInitialCondition): number {
  const prepared = prepareLatticeConfig(config);
  const initialCondition = resolveInitialCondition(config, override);
  const { steps, dt, scheme, initial } = prepared.config;
  const size = prepared.geometry.size;
  let setup = 0;
  let particles: number;
  if (initialCondition !== undefined && initialCondition.type === 'counts') {
    particles = Object.values(initialCondition.counts).reduce((a, b) => a + b, 0);
  } else if (initialCondition !== undefined) {
    particles = size / 2;
    if (initialCondition.type === 'boltzmann') setup = (initialCondition.sweeps * size * NS_PER_GIBBS_UPDATE) / 1e6;
  } else {
    particles =
      'occupancy' in initial
        ? (initial.occupancy as Uint8Array).reduce((a, c) => a + (c !== 0 ? 1 : 0), 0)
        : Object.values(initial as Record<string, number>).reduce((a, b) => a + b, 0);
  }
  const density = Math.max(particles, 1);
  let perStep = density * NS_PER_PARTICLE_STEP;
  if (scheme === 'exact') {
    let maxRate = 0;
    for (let k = 1; k <= prepared.model.speciesCount; k++) maxRate = Math.max(maxRate, prepared.model.hopRate[k]);
    perStep = density * Math.max(maxRate, 1) * 2 * dt * NS_PER_PARTICLE_STEP;
  }
  return setup + (steps * (perStep + size * NS_PER_SITE_STEP)) / 1e6;
}

/**
 * Runs an ensemble on worker threads through `runTasks` and reduces it.
 *
 * @example
 * ```ts
 * const { summary } = await simulateLatticeEnsembleParallel(lotkaVolterraLattice(), { runs: 100, seed: 1, workers: 2 });
 * latticeSummaryToCsv(summary);
 * ```
 */
export async function simulateLatticeEnsembleParallel(
  config: LatticeConfig,
  options: ParallelLatticeEnsembleOptions,
): Promise<{ summary: LatticeEnsembleSummary; replicates: LatticeReplicate[] }> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { runs } = options;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`options.runs must be a positive integer; got ${String(runs)}`);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`options.workers must be a positive integer; got ${String(workers)}`);
  const moduleUrl = new URL(import.meta.url.endsWith('.ts') ? './ensemble-task.ts' : './ensemble-task.js', import.meta.url);
  // The worker threads start (and load the task module) while this thread prepares the configuration.
  if (workers > 1) prestartThreads(workers - 1, [moduleUrl]);
  const samplesPerCondition = latticeSamplesPerCondition(options, config);
  const prepared = prepareLatticeConfig(config);
  let batchSize = options.batchSize;
  if (batchSize === undefined) {
    const perRun = estimateLatticeRunMs(config, options.initialCondition);
    // At least eight tasks per thread, so the last tasks balance out between threads on a busy machine.
    batchSize = Math.max(1, Math.min(Math.ceil(TARGET_TASK_MS / Math.max(perRun, 1e-3)), Math.ceil(runs / (8 * workers))));
  } else if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`options.batchSize must be a positive integer; got ${String(batchSize)}`);
  }
  const tasks: LatticeEnsembleTask[] = batchRanges(runs, batchSize).map((r) => ({
    config,
    seed: options.seed,
    start: r.start,
    end: r.end,
    keepTrajectories: options.keepTrajectories ?? false,
    initialCondition: options.initialCondition,
    samplesPerCondition,
    observables: options.observables,
    encodeTrajectories: options.onTrajectory !== undefined,
  }));
  if (options.spill !== undefined && (typeof options.spill !== 'string' || options.spill.length === 0)) {
    throw new TypeError(`options.spill must be a file path; got ${String(options.spill)}`);
  }
  let spill: LatticeReplicateSpill | undefined;
  let done = 0;
  try {
    const results = await runTasks<LatticeEnsembleTask, LatticeTaskReplicate[]>({
      moduleUrl,
      exportName: 'latticeEnsembleTask',
      tasks,
      workers,
      signal: options.signal,
      onTaskDone: (i, batch) => {
        for (const replicate of batch) {
          if (options.onTrajectory && replicate.encoded) {
            options.onTrajectory(replicate.run, replicate.encoded);
            delete replicate.encoded;
          }
          if (options.spill !== undefined) {
            const steps = prepared.config.steps;
            spill ??= new LatticeReplicateSpill(options.spill, steps, replicate.observables.length / steps, replicate.counts.length / steps);
            spill.put(replicate);
            replicate.observables = new Float64Array(0);
            replicate.counts = new Int32Array(0);
          }
        }
        done += tasks[i].end - tasks[i].start;
        options.onProgress?.(done, runs);
      },
    });
    const replicates = results.flat();
    return { summary: summarizeLatticeEnsemble(prepared, replicates, options, spill?.data), replicates };
  } finally {
    spill?.close();
  }
}
