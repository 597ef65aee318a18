/**
 * Queue mode of the ensemble commands: the same tasks the local worker pool runs, cut into shards, computed by queue
 * workers, and reduced by the local path's own functions (`mergeEnsembleBatches`, `summarizeLatticeEnsemble`), so
 * the output is byte-identical to a local run with the same seed for any number of workers and any shard size.
 */
import { type CompiledModel, type EnsembleBatchResult, type EnsembleOptions, type EnsembleStatistics, mergeEnsembleBatches, planEnsemble, type ReactionModel } from '@srn/gillespie';
import {
  type LatticeConfig,
  type LatticeEnsembleSummary,
  type LatticeReplicate,
  latticeSamplesPerCondition,
  prepareLatticeConfig,
  summarizeLatticeEnsemble,
} from '@srn/gillespie/lattice';
import type { ParallelLatticeEnsembleOptions } from '@srn/gillespie/lattice-node';
import { UsageError } from '../args.ts';
import type { QueueSettings } from './options.ts';
import { ensembleShards, latticeShards, type ShardJobData } from './shard.ts';
import { runShardsOnQueue } from './submit.ts';

/** Progress, messages and cancellation of a queue run. */
export interface QueueHooks {
  readonly onProgress?: (done: number, total: number) => void;
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** Runs per batch of a well-mixed ensemble (`planEnsemble`'s default). */
const ENSEMBLE_BATCH = 100;

/**
 * Plans a well-mixed ensemble's shards: `shardSize` must be a multiple of the 100-run batch, since the batches (not
 * the shards) are the unit whose statistics are merged.
 *
 * @example
 * ```ts
 * const { tasks, shards } = planEnsembleShards(model, { runs: 1000, seed: 1, tEnd: 10 }, { url, shardSize: 200, store: null });
 * ```
 */
export function planEnsembleShards(model: ReactionModel | CompiledModel, options: EnsembleOptions, queue: QueueSettings) {
  if (queue.shardSize % ENSEMBLE_BATCH !== 0) {
    throw new UsageError(`--shard-size ${queue.shardSize} must be a multiple of ${ENSEMBLE_BATCH} (the ensemble's batch of runs)`);
  }
  const tasks = planEnsemble(model, { ...options, batchSize: ENSEMBLE_BATCH });
  return { tasks, shards: ensembleShards(tasks, queue.shardSize / ENSEMBLE_BATCH, { store: queue.store }) };
}

/**
 * A well-mixed ensemble on the queue: statistics identical to `simulateEnsembleParallel`'s.
 *
 * @example
 * ```ts
 * const stats = await ensembleOnQueue(model, { runs: 10_000, seed: 7, tEnd: 10 }, { url, shardSize: 1000, store: null });
 * ```
 */
export async function ensembleOnQueue(model: ReactionModel | CompiledModel, options: EnsembleOptions, queue: QueueSettings, hooks: QueueHooks = {}): Promise<EnsembleStatistics> {
  const { tasks, shards } = planEnsembleShards(model, options, queue);
  const results = await runShardsOnQueue({ url: queue.url, shards, runId: queue.runId, ...hooks });
  return mergeEnsembleBatches(tasks, results.flat() as EnsembleBatchResult[]);
}

/** Largest trajectory payload a shard may push through Redis; above it `--store` is required. */
const MAX_REDIS_TRAJECTORY_BYTES = 64 * 2 ** 20;

/**
 * Plans a lattice ensemble's shards: the task `simulateLatticeEnsembleParallel` would cut into batches.
 *
 * @example
 * ```ts
 * const shards = planLatticeShards(config, { runs: 1000, seed: 1 }, { url, shardSize: 100, store: null });
 * ```
 */
export function planLatticeShards(config: LatticeConfig, options: ParallelLatticeEnsembleOptions, queue: QueueSettings): ShardJobData[] {
  const keepTrajectories = options.keepTrajectories ?? false;
  if (keepTrajectories && queue.store === null) {
    const prepared = prepareLatticeConfig(config);
    const bytes = Math.min(queue.shardSize, options.runs) * prepared.config.steps * prepared.geometry.size;
    if (bytes > MAX_REDIS_TRAJECTORY_BYTES) {
      throw new UsageError(
        `a shard's trajectories take about ${(bytes / 2 ** 20).toFixed(0)} MiB, too much to pass through Redis; give --store DIR (a directory every worker can reach), a smaller --shard-size, or --trajectories none`,
      );
    }
  }
  return latticeShards(
    {
      config,
      seed: options.seed,
      start: 0,
      end: options.runs,
      keepTrajectories,
      initialCondition: options.initialCondition,
      samplesPerCondition: latticeSamplesPerCondition(options, config),
      observables: options.observables,
      encodeTrajectories: options.onTrajectory !== undefined,
    },
    queue.shardSize,
    { store: queue.store },
  );
}

/**
 * A lattice ensemble on the queue: the same replicates and summary as `simulateLatticeEnsembleParallel`. With
 * `onTrajectory` (and `keepTrajectories`) every run's trajectory is handed over as the `encodeLattice` bytes the
 * local pool hands over, and the returned replicates carry no `occupancy`, as there; here they come once all
 * shards are in, in run order.
 *
 * @example
 * ```ts
 * const { summary } = await latticeEnsembleOnQueue(config, { runs: 1000, seed: 1 }, { url, shardSize: 100, store: null });
 * ```
 */
export async function latticeEnsembleOnQueue(
  config: LatticeConfig,
  options: ParallelLatticeEnsembleOptions,
  queue: QueueSettings,
): Promise<{ summary: LatticeEnsembleSummary; replicates: LatticeReplicate[] }> {
  const shards = planLatticeShards(config, options, queue);
  const results = await runShardsOnQueue({ url: queue.url, shards, runId: queue.runId, onProgress: options.onProgress, signal: options.signal, log: (m) => process.stderr.write(m) });
  const replicates = results.flat() as (LatticeReplicate & { encoded?: Uint8Array })[];
  if (options.onTrajectory) {
    for (const replicate of replicates) {
      if (!replicate.encoded) continue;
      options.onTrajectory(replicate.run, replicate.encoded);
      delete replicate.encoded;
    }
  }
  return { summary: summarizeLatticeEnsemble(prepareLatticeConfig(config), replicates, options), replicates };
}
