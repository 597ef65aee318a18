/**
 * The worker-pool task of lattice ensembles: a plain, serialisable batch of replicate indices.
 */
import { runLatticeReplicates, type LatticeReplicate } from '../ensemble.ts';
import type { LatticeInitialCondition } from '../initial.ts';
import type { LatticeObservable } from '../observables.ts';
import type { LatticeConfig } from '../simulate.ts';
import type { Seed } from '../../rng.ts';

/** One batch: replicates `start … end − 1` of `config` with seed `seed` (and the ensemble's IC and observables). */
export interface LatticeEnsembleTask {
  config: LatticeConfig;
  seed: Seed;
  start: number;
  end: number;
  keepTrajectories: boolean;
  initialCondition?: LatticeInitialCondition;
  samplesPerCondition?: number;
  observables?: LatticeObservable[];
}

/**
 * Pool handler: runs one batch (see `runTasks`).
 *
 * @example
 * ```ts
 * latticeEnsembleTask({ config, seed: 1, start: 0, end: 10, keepTrajectories: false });
 * ```
 */
export function latticeEnsembleTask(task: LatticeEnsembleTask): LatticeReplicate[] {
  return runLatticeReplicates(task.config, {
    seed: task.seed,
    start: task.start,
    end: task.end,
    keepTrajectories: task.keepTrajectories,
    initialCondition: task.initialCondition,
    samplesPerCondition: task.samplesPerCondition,
    observables: task.observables,
  });
}
