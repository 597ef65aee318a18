/**
 * The command-line options queue mode adds to every ensemble command, and their checks.
 */
import { resolve } from 'node:path';
import type { simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import { prepareOutputDirectory } from '../io.ts';
import { parseQueueUrl } from './connection.ts';

/**
 * `--queue`, `--shard-size`, `--store`: spread into a command's options.
 *
 * @example
 * ```ts
 * options: { ...ownOptions, ...queueOptions(100) }
 * ```
 */
export function queueOptions(defaultShardSize: number, unit = 'runs'): CommandSpec['options'] {
  return {
    'queue': {
      type: 'string',
      description: "redis://HOST:PORT[/DB]: run the ensemble as shards on a BullMQ queue there (start workers with 'srn-bench worker'); same output as a local run",
      placeholder: 'URL',
    },
    'shard-size': { type: 'integer', description: `${unit} per queue shard (results do not depend on it)`, default: defaultShardSize, min: 1, max: 1e9 },
    'store': { type: 'string', description: 'with --queue: results directory every worker can reach (for large trajectories)', placeholder: 'DIR' },
    'run-id': {
      type: 'string',
      description: "with --queue: publish the shard list under NAME for 'srn-bench worker --run NAME --index I' (Kubernetes Indexed Jobs)",
      placeholder: 'NAME',
    },
  };
}

/** The queue settings a command was given, or undefined for a local run. */
export interface QueueSettings {
  readonly url: string;
  readonly shardSize: number;
  readonly store: string | null;
  /** Name of the published shard list (`--run-id`), if any. */
  readonly runId?: string;
}

/**
 * Reads and checks the queue options (the URL's form; `--store` writable; `--store` without `--queue` refused).
 *
 * @example
 * ```ts
 * const queue = queueSettings(options); // undefined without --queue
 * ```
 */
export function queueSettings(options: ParsedOptions): QueueSettings | undefined {
  if (options.queue === undefined) {
    if (options.store !== undefined) throw new UsageError('--store needs --queue (it is where queue workers put their results)');
    if (options.runId !== undefined) throw new UsageError('--run-id needs --queue');
    return undefined;
  }
  const url = String(options.queue);
  parseQueueUrl(url);
  let store: string | null = null;
  if (options.store !== undefined) {
    store = resolve(String(options.store));
    prepareOutputDirectory(store, '--store');
  }
  const runId = options.runId === undefined ? undefined : String(options.runId);
  if (runId !== undefined && !/^[A-Za-z0-9._-]{1,100}$/.test(runId)) throw new UsageError(`--run-id must be 1-100 letters, digits, '.', '_' or '-'; got '${runId}'`);
  return { url, shardSize: Number(options.shardSize), store, runId };
}

/**
 * The lattice ensemble of a command in queue mode (`queueSettings` gave settings), or undefined to run locally. The
 * queue client (bullmq, and @srn/gillespie's root with mathjs) is imported only when a queue is given: about 1.2 CPU s
 * of start-up saved by every lattice command run without `--queue`.
 *
 * @example
 * ```ts
 * const ensemble = latticeQueueEnsemble(queueSettings(options)); // undefined without --queue
 * ```
 */
export function latticeQueueEnsemble(queue: QueueSettings | undefined): typeof simulateLatticeEnsembleParallel | undefined {
  if (!queue) return undefined;
  return async (config, ensembleOptions) => (await import('./ensembles.ts')).latticeEnsembleOnQueue(config, ensembleOptions, queue);
}
