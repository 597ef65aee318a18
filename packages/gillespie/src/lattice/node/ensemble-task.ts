/**
 * The worker-pool task of lattice ensembles: a plain, serialisable batch of replicate indices.
 */
import { runLatticeReplicates, type LatticeReplicate } from '../ensemble.ts';
import type { LatticeConfig } from '../simulate.ts';
import type { Seed } from '../../rng.ts';

/** One batch: replicates `start … end − 1` of `config` with seed `seed`. */
export interface LatticeEnsembleTask {
  config: LatticeConfig;
  seed: Seed;
  start: number;
  end: number;
  keepTrajectories: boolean;
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
  });
}
