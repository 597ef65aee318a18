/**
 * The core of `lv simulate`: one lattice Lotka-Volterra ensemble (spec sections 1-3) written as compact binary
 * trajectories plus DIR/moments.csv and DIR/summary.json. Used by the standalone command and the pipeline's
 * simulate stage.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Seed } from '@srn/gillespie/rng';
import { latticeSummaryToCsv, lotkaVolterraLattice, type LatticeEnsembleSummary } from '@srn/gillespie/lattice';
import { simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import { latticeTrajectoryWriter } from '../commands/lattice-run.ts';
import { commitDirectory, prepareOutputDirectory, startStaging, writeFileAtomic } from '../io.ts';

/** Options of {@link lvSimulate} (the parsed command line). */
export interface LvSimulateOptions {
  out: string;
  runs: number;
  /** Seed (a number or a string); run i uses `createRng(seed, i)`. */
  seed: Seed;
  scheme: 'paper' | 'exact';
  size: number;
  steps: number;
  workers: number;
  selection?: 'uniform' | 'row-biased';
  excludeExtinct?: boolean;
  trajectories?: 'binary' | 'text' | 'none';
  /** Model rates (defaults: the paper's). */
  preyBirth?: number;
  predatorDeath?: number;
  predationProbability?: number;
  signal?: AbortSignal;
  /** Progress callback (the command draws a bar on an interactive stderr). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the ensemble and writes every file atomically; returns the summary.
 *
 * @example
 * ```ts
 * await lvSimulate({ out: 'out/lv', runs: 100, seed: 1, scheme: 'paper', size: 40, steps: 500, workers: 2 });
 * ```
 */
export async function lvSimulate(options: LvSimulateOptions): Promise<{ summary: LatticeEnsembleSummary; wallSeconds: number; events: number }> {
  const out = resolve(options.out);
  prepareOutputDirectory(out);
  const config = lotkaVolterraLattice({
    scheme: options.scheme,
    size: options.size,
    steps: options.steps,
    selection: options.selection,
    preyBirth: options.preyBirth,
    predatorDeath: options.predatorDeath,
    predationProbability: options.predationProbability,
  });
  const mode = options.trajectories ?? 'binary';
  // The trajectories of this run replace those of an earlier one as a whole (an earlier run with more runs or
  // steps must not leave files behind): they are written into a staging directory, committed at the end.
  const trajectoriesDir = join(out, 'trajectories');
  // Each run's trajectory goes to disk as soon as its batch is done and is then dropped, so memory does not grow
  // with the number of runs.
  const writer = mode === 'none' ? undefined : latticeTrajectoryWriter(startStaging(trajectoriesDir), mode, options.runs);
  const started = performance.now();
  const { summary, replicates } = await simulateLatticeEnsembleParallel(config, {
    runs: options.runs,
    seed: options.seed,
    workers: options.workers,
    excludeExtinct: options.excludeExtinct ?? false,
    keepTrajectories: mode !== 'none',
    onTrajectory: writer?.write,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (mode === 'none') rmSync(trajectoriesDir, { recursive: true, force: true });
  else commitDirectory(trajectoriesDir);
  const events = replicates.reduce((a, r) => a + r.events.attempts + r.events.unimolecular, 0);
  writeFileAtomic(join(out, 'moments.csv'), latticeSummaryToCsv(summary));
  const summaryJson = {
    command: 'lv simulate',
    config,
    runs: options.runs,
    seed: options.seed,
    workers: options.workers,
    excludeExtinct: options.excludeExtinct ?? false,
    runsUsed: summary.runsUsed,
    extinctRuns: summary.extinctRuns,
    extinctionTimes: replicates.map((r) => ({ run: r.run, X: nanToNull(r.extinctionTimes[0]), Y: nanToNull(r.extinctionTimes[1]) })),
    events,
    wallSeconds,
    files: { moments: 'moments.csv', trajectories: mode === 'none' ? null : `trajectories/run-*.${mode === 'binary' ? 'srnl' : 'txt'}` },
  };
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summaryJson, null, 2)}\n`);
  return { summary, wallSeconds, events };
}

function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

