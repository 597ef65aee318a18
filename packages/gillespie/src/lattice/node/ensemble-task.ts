/**
 * The worker-pool task of lattice ensembles: a plain, serialisable batch of replicate indices.
 */
import { runLatticeReplicates, type LatticeReplicate } from '../ensemble.ts';
import type { LatticeInitialCondition } from '../initial.ts';
import type { LatticeObservable } from '../observables.ts';
import type { LatticeConfig } from '../simulate.ts';
import { encodeLattice } from '../snapshot.ts';
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
  /**
   * With `keepTrajectories`: hand each trajectory back as the bytes of `encodeLattice` (`encoded`, bit-packed: a
   * quarter of the size for two species) instead of the raw `occupancy`, encoded on the thread that ran it.
   */
  encodeTrajectories?: boolean;
}

/** A replicate as a task returns it: with `encoded` instead of `occupancy` when the task asked for encoding. */
export type LatticeTaskReplicate = LatticeReplicate & { encoded?: Uint8Array };

/**
 * Pool handler: runs one batch (see `runTasks`).
 *
 * @example
 * ```ts
 * latticeEnsembleTask({ config, seed: 1, start: 0, end: 10, keepTrajectories: false });
 * ```
 */
export function latticeEnsembleTask(task: LatticeEnsembleTask): LatticeTaskReplicate[] {
  const options = {
    seed: task.seed,
    start: task.start,
    end: task.end,
    initialCondition: task.initialCondition,
    samplesPerCondition: task.samplesPerCondition,
    observables: task.observables,
  };
  if (!(task.encodeTrajectories && task.keepTrajectories)) {
    return runLatticeReplicates(task.config, { ...options, keepTrajectories: task.keepTrajectories });
  }
  // Snapshots go into one buffer reused by every run of the batch and are encoded at each run's last time point:
  // a fresh T × N array per run would pile up as garbage until the next collection (tens of MB per thread).
  const { shape, model, dt, steps } = task.config;
  const times = Float64Array.from({ length: steps }, (_, t) => t * dt);
  let buffer = new Uint8Array(0);
  const encoded = new Map<number, Uint8Array>();
  const replicates: LatticeTaskReplicate[] = runLatticeReplicates(task.config, {
    ...options,
    keepTrajectories: false,
    onRecord: (run, index, _time, state) => {
      const N = state.occupancy.length;
      if (buffer.length !== steps * N) buffer = new Uint8Array(steps * N);
      buffer.set(state.occupancy, index * N);
      if (index === steps - 1) encoded.set(run, encodeLattice({ shape, species: model.species, times, occupancy: buffer }));
    },
  });
  for (const replicate of replicates) replicate.encoded = encoded.get(replicate.run);
  return replicates;
}
