/**
 * `srn-bench worker --queue URL`: computes queue shards for ensemble commands run anywhere with `--queue URL`.
 * Each shard runs in a worker thread (a BullMQ sandboxed processor), so this thread keeps renewing the job locks; a
 * worker that dies loses its lock and BullMQ hands the shard to another worker.
 */
import { availableParallelism } from 'node:os';
import { type ConnectionOptions, Worker } from 'bullmq';
import type { CommandSpec, ParsedOptions } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { durableConnection, probeQueue, SHARD_QUEUE } from '../queue/connection.ts';
import type { ShardReport } from '../queue/process-shard.ts';
import { srnVersion } from '../queue/shard.ts';

/** Declaration of the `worker` command. */
export const workerSpec: CommandSpec = {
  name: 'worker',
  summary:
    "Compute ensemble shards from a Redis queue (for 'simulate', 'lattice simulate' and 'sweep' run with --queue) until " +
    'interrupted (Ctrl-C or SIGTERM: running shards are handed back to the queue).',
  options: {
    'queue': { type: 'string', description: 'the Redis the ensemble commands submit to', required: true, placeholder: 'redis://HOST:PORT[/DB]' },
    'concurrency': { type: 'integer', description: 'shards computed at once, each in its own worker thread', default: availableParallelism(), min: 1, max: 256 },
    'lock-ms': {
      type: 'integer',
      description: 'job lock time: a shard of a worker that died is retried after about this long',
      default: 30_000,
      min: 500,
      max: 3_600_000,
    },
    'quiet': { type: 'boolean', description: 'do not print a line per shard' },
  },
  examples: ['srn-bench worker --queue redis://10.0.0.5:6379 --concurrency 8'],
};

/** Runs the `worker` command. */
export async function runWorker(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const url = String(options.queue);
  const redisVersion = await probeQueue(url);
  const lockDuration = Number(options.lockMs);
  const concurrency = Number(options.concurrency);
  const worker = new Worker(SHARD_QUEUE, new URL('../queue/processor.mjs', import.meta.url), {
    connection: durableConnection(url) as ConnectionOptions,
    concurrency,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData: { url } },
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 5,
  });
  const quiet = options.quiet === true;
  worker.on('completed', (job, report: ShardReport) => {
    if (!quiet) process.stdout.write(`shard ${job.data.kind} runs ${report.start}-${report.end - 1}: ${report.seconds.toFixed(2)} s, ${report.bytes} bytes to ${report.where}\n`);
  });
  worker.on('failed', (job, error) => {
    process.stderr.write(`shard ${job?.data.kind ?? '?'} runs ${job?.data.start ?? '?'}-${(job?.data.end ?? 0) - 1}: ${error.message}\n`);
  });
  worker.on('error', (error) => process.stderr.write(`worker: ${error.message}\n`));
  await worker.waitUntilReady();
  process.stdout.write(`srn-bench worker (srn ${srnVersion()}) on ${url} (Redis ${redisVersion}), ${concurrency} threads\n`);
  const stop = new AbortController();
  const onTerm = () => stop.abort();
  process.once('SIGTERM', onTerm);
  context?.signal.addEventListener('abort', onTerm, { once: true });
  await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  process.off('SIGTERM', onTerm);
  process.stdout.write('worker: stopping; unfinished shards go back to the queue\n');
  await worker.close(true);
}
