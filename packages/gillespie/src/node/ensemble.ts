/**
 * Well-mixed ensembles over worker threads.
 */
import type { CompiledModel } from '../compile.ts';
import type { ReactionModel } from '../model.ts';
import type { EnsembleBatchResult, EnsembleBatchTask } from '../run.ts';
import { type EnsembleOptions, type EnsembleStatistics, mergeEnsembleBatches, planEnsemble } from '../simulate.ts';
import { prestartThreads, runTasks } from './pool.ts';

/** Options of {@link simulateEnsembleParallel}. */
export interface ParallelEnsembleOptions extends EnsembleOptions {
  /** Worker threads (1 runs inline). Default: the number of available cores. */
  readonly workers?: number;
  /** Aborts the ensemble. */
  readonly signal?: AbortSignal;
  /** Called after each finished batch with the runs done so far and the total. */
  readonly onProgress?: (runsDone: number, runsTotal: number) => void;
}

const taskModule = new URL(import.meta.url.endsWith('.ts') ? './ensemble-task.ts' : './ensemble-task.js', import.meta.url);

/**
 * Simulates an ensemble on worker threads. Run i uses stream i of the seed and batches are merged in order, so the
 * statistics are bit-identical to `simulateEnsemble` and to any other worker count.
 *
 * @example
 * ```ts
 * import { parseModel } from '@srn/gillespie';
 * import { simulateEnsembleParallel } from '@srn/gillespie/node';
 * const stats = await simulateEnsembleParallel(parseModel(text), { runs: 10_000, seed: 1, tEnd: 10, workers: 2 });
 * ```
 */
export async function simulateEnsembleParallel(
  model: ReactionModel | CompiledModel,
  options: ParallelEnsembleOptions,
): Promise<EnsembleStatistics> {
  const { availableParallelism } = await import('node:os');
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer; got ${String(workers)}`);
  // The worker threads start (and load the task module) while this thread compiles the plan.
  if (workers > 1) prestartThreads(workers - 1, [taskModule]);
  const tasks = planEnsemble(model, options);
  const runsTotal = tasks[tasks.length - 1].end;
  let runsDone = 0;
  const results = await runTasks<EnsembleBatchTask, EnsembleBatchResult>({
    moduleUrl: taskModule,
    exportName: 'ensembleBatchTask',
    tasks,
    workers,
    signal: options.signal,
    onTaskDone: (index) => {
      runsDone += tasks[index].end - tasks[index].start;
      options.onProgress?.(runsDone, runsTotal);
    },
  });
  return mergeEnsembleBatches(tasks, results);
}
