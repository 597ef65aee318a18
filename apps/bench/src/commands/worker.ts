/**
 * `srn-bench worker --queue URL`: computes queue shards for ensemble commands run anywhere with `--queue URL`.
 * Each shard runs in a worker thread (a BullMQ sandboxed processor), so this thread keeps renewing the job locks; a
 * worker that dies loses its lock and BullMQ hands the shard to another worker.
 */
import { availableParallelism } from 'node:os';
import { type ConnectionOptions, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { displayUrl, durableConnection, probeQueue, SHARD_QUEUE } from '../queue/connection.ts';
import { closeShardConnection, processShard, RESULT_TTL_SECONDS, type ShardReport } from '../queue/process-shard.ts';
import { refusalKey, resultKey, type ShardJobData, ShardRefusedError, srnVersion } from '../queue/shard.ts';
import { QueueShardError, runListKey } from '../queue/submit.ts';

/** Declaration of the `worker` command. */
export const workerSpec: CommandSpec = {
  name: 'worker',
  summary:
    "Compute ensemble shards from a Redis queue (for 'simulate', 'lattice simulate', 'lv simulate' and 'sweep' run with --queue) until " +
    'interrupted (Ctrl-C or SIGTERM: the running shards are retried elsewhere once their locks expire).',
  options: {
    'queue': { type: 'string', description: 'redis://HOST:PORT[/DB]: the Redis the ensemble commands submit to', required: true, placeholder: 'URL' },
    'concurrency': { type: 'integer', description: 'shards computed at once, each in its own worker thread', default: availableParallelism(), min: 1, max: 256 },
    'lock-ms': {
      type: 'integer',
      description: 'job lock time: a shard of a worker that died is retried after about this long',
      default: 30_000,
      min: 500,
      max: 3_600_000,
    },
    'quiet': { type: 'boolean', description: 'do not print a line per shard' },
    'run': {
      type: 'string',
      description: "compute one shard of the run published with --run-id NAME, then exit (no jobs are taken from the queue)",
      placeholder: 'NAME',
    },
    'index': { type: 'integer', description: "with --run: the shard's index (a Kubernetes Indexed Job's completion index)", min: 0, max: 1e9 },
    'wait': { type: 'integer', description: 'with --run: seconds to wait for the run to be published', default: 600, min: 0, max: 86_400 },
  },
  examples: [
    'srn-bench worker --queue redis://10.0.0.5:6379 --concurrency 8',
    'srn-bench worker --queue redis://redis:6379 --run lv-10k --index "$JOB_COMPLETION_INDEX"',
  ],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `--run NAME --index I`: computes shard I of a published run in this process, stores it, and returns. */
async function runIndexedShard(url: string, run: string, index: number, waitSeconds: number, signal?: AbortSignal): Promise<void> {
  const redis = new Redis(durableConnection(url));
  redis.on('error', () => {});
  try {
    const deadline = Date.now() + waitSeconds * 1000;
    let length = await redis.llen(runListKey(run));
    while (length === 0) {
      if (Date.now() > deadline) throw new QueueShardError(`run '${run}' was not published on ${displayUrl(url)} within ${waitSeconds} s (submit it with --queue ${displayUrl(url)} --run-id ${run})`);
      signal?.throwIfAborted();
      await sleep(500);
      length = await redis.llen(runListKey(run));
    }
    if (index >= length) {
      process.stdout.write(`run '${run}' has ${length} shards; index ${index} has nothing to do\n`);
      return;
    }
    const data = JSON.parse((await redis.lindex(runListKey(run), index)) ?? 'null') as ShardJobData;
    if ((await redis.exists(resultKey(data.key))) === 1) {
      process.stdout.write(`shard ${index} of run '${run}' (runs ${data.start}-${data.end - 1}) is already computed\n`);
      return;
    }
    try {
      const report = await processShard(data, url);
      process.stdout.write(`shard ${index} of run '${run}': ${data.kind} runs ${report.start}-${report.end - 1} in ${report.seconds.toFixed(2)} s, ${report.bytes} bytes to ${report.where}\n`);
    } catch (error) {
      // No queue job carries this refusal back: leave it where the submitting command looks for it.
      if (error instanceof ShardRefusedError) await redis.set(refusalKey(data.key), error.message, 'EX', RESULT_TTL_SECONDS);
      throw error;
    } finally {
      closeShardConnection();
    }
  } finally {
    redis.disconnect();
  }
}

/** Runs the `worker` command. */
export async function runWorker(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const url = String(options.queue);
  if (options.index !== undefined && options.run === undefined) throw new UsageError('--index needs --run NAME');
  if (options.run !== undefined && options.index === undefined) throw new UsageError('--run needs --index I (the shard to compute)');
  const redisVersion = await probeQueue(url);
  if (options.run !== undefined) {
    await runIndexedShard(url, String(options.run), Number(options.index), Number(options.wait), context?.signal);
    return;
  }
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
  process.stdout.write(`srn-bench worker (srn ${srnVersion()}) on ${displayUrl(url)} (Redis ${redisVersion}), ${concurrency} threads\n`);
  const stop = new AbortController();
  const onTerm = () => stop.abort();
  process.once('SIGTERM', onTerm);
  context?.signal.addEventListener('abort', onTerm, { once: true });
  await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  process.off('SIGTERM', onTerm);
  process.stdout.write('worker: stopping; unfinished shards are retried by other workers once their locks expire\n');
  await worker.close(true);
}
