/**
 * The submitting side of queue mode: enqueue the shards that have no result yet (job id = result key, so BullMQ
 * itself drops duplicate submissions), wait while workers anywhere compute them, surface a refused or failed shard as
 * an error, and hand the results back in shard order for the local path's own reduction.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type ConnectionOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { displayUrl, durableConnection, probeQueue, SHARD_QUEUE } from './connection.ts';
import { decodeShardResult, refusalKey, resultKey, type ShardJobData, type ShardResult, storeFile } from './shard.ts';

/** A shard failed on a worker (refused: other version, model hash mismatch; or its computation threw). */
export class QueueShardError extends Error {
  override name = 'QueueShardError';
}

/** Options of {@link runShardsOnQueue}. */
export interface QueueRunOptions {
  /** `redis://HOST:PORT[/DB]`. */
  readonly url: string;
  readonly shards: readonly ShardJobData[];
  /** Called as shards finish: replicates done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Messages for the user (waiting for workers, Redis unreachable for a while). */
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Give up when Redis stays unreachable this long during the run (default 120 s). */
  readonly outageMs?: number;
  /** Poll interval (default 200 ms). */
  readonly pollMs?: number;
  /**
   * Name under which the shard list is published (`srn:run:NAME`), so that `srn-bench worker --run NAME --index I`
   * (a Kubernetes Indexed Job's pod) can compute shard I without taking jobs from the queue.
   */
  readonly runId?: string;
}

/** Redis key of a run's published shard list. */
export function runListKey(runId: string): string {
  return `srn:run:${runId}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Attempts per shard for errors other than refusals (a worker crash during the store write, say). */
const ATTEMPTS = 3;

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new QueueShardError(`Redis did not answer for ${Math.round(ms / 1000)} s (${what}); the run is not finished`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `shards` on the queue at `url` and returns their results in shard order. Shards whose result already exists
 * (an earlier or concurrent submission, a store filled by a Kubernetes Indexed Job) are not enqueued again.
 *
 * @example
 * ```ts
 * const results = await runShardsOnQueue({ url: 'redis://127.0.0.1:6379', shards: ensembleShards(tasks, 10) });
 * const stats = mergeEnsembleBatches(tasks, results.flat() as EnsembleBatchResult[]);
 * ```
 */
export async function runShardsOnQueue(options: QueueRunOptions): Promise<ShardResult[]> {
  const { url, shards } = options;
  await probeQueue(url);
  const outageMs = options.outageMs ?? 120_000;
  const pollMs = options.pollMs ?? 200;
  const redis = new Redis(durableConnection(url));
  redis.on('error', () => {});
  const queue = new Queue(SHARD_QUEUE, { connection: durableConnection(url) as ConnectionOptions });
  queue.on('error', () => {});
  const total = shards.reduce((a, s) => a + s.end - s.start, 0);
  const done = new Array<boolean>(shards.length).fill(false);
  let runsDone = 0;
  /** Which of `indices` have a result (in the store or in Redis), in one pipelined round trip. */
  const finishedOf = async (indices: readonly number[]): Promise<boolean[]> => {
    const pipeline = redis.pipeline();
    for (const i of indices) pipeline.exists(resultKey(shards[i].key));
    const replies = (await pipeline.exec()) ?? [];
    return indices.map((i, k) => {
      const [error, count] = replies[k] ?? [new Error('no reply'), 0];
      if (error) throw error;
      const shard = shards[i];
      return count === 1 || (shard.store !== null && existsSync(storeFile(shard.store, shard.key)));
    });
  };
  const enqueue = async (shard: ShardJobData): Promise<void> => {
    await queue.add('shard', shard, {
      jobId: shard.key,
      attempts: ATTEMPTS,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: false,
    });
  };
  try {
    await withDeadline(
      (async () => {
        // One-shot workers' refusals from an earlier submission are cleared before the shards are published again.
        await redis.del(...shards.map((s) => refusalKey(s.key)));
        if (options.runId !== undefined) {
          const list = runListKey(options.runId);
          await redis.multi().del(list).rpush(list, ...shards.map((s) => JSON.stringify(s))).expire(list, 7 * 24 * 3600).exec();
          options.log?.(`shard list published as run '${options.runId}' (${shards.length} shards: srn-bench worker --run ${options.runId} --index 0..${shards.length - 1})\n`);
        }
        const already = await finishedOf(shards.map((_, i) => i));
        for (let i = 0; i < shards.length; i++) {
          if (already[i]) {
            done[i] = true;
            runsDone += shards[i].end - shards[i].start;
            continue;
          }
          // A failed job from an earlier submission (e.g. refused by an old worker) is cleared and tried afresh.
          const job = await queue.getJob(shards[i].key);
          if (job && (await job.getState()) === 'failed') await job.remove();
          await enqueue(shards[i]);
        }
      })(),
      outageMs,
      'enqueueing shards',
    );
    options.onProgress?.(runsDone, total);
    let lastChange = Date.now();
    let warned = false;
    for (let round = 0; done.includes(false); round++) {
      options.signal?.throwIfAborted();
      await sleep(pollMs);
      const pending = done.flatMap((d, i) => (d ? [] : [i]));
      const inspectJobs = round % 5 === 4;
      await withDeadline(
        (async () => {
          const now = await finishedOf(pending);
          const open: number[] = [];
          const drops: Promise<unknown>[] = [];
          for (const [k, i] of pending.entries()) {
            const shard = shards[i];
            if (!now[k]) {
              open.push(i);
              continue;
            }
            done[i] = true;
            runsDone += shard.end - shard.start;
            lastChange = Date.now();
            options.onProgress?.(runsDone, total);
            // Computed elsewhere (an indexed pod, an earlier job): a copy still waiting in the queue is dropped.
            drops.push(queue.remove(shard.key).catch(() => 0));
          }
          await Promise.all(drops);
          if (!inspectJobs || open.length === 0) return;
          // Refusals left by one-shot workers (`worker --run NAME --index I`), which take no queue job.
          const refusals = await redis.mget(open.map((i) => refusalKey(shards[i].key)));
          const refused = refusals.findIndex((r) => r !== null);
          if (refused >= 0) {
            const shard = shards[open[refused]];
            throw new QueueShardError(`shard of runs ${shard.start}-${shard.end - 1} (${shard.kind}) was refused by a one-shot worker (--run): ${refusals[refused]}`);
          }
          // The states of the open shards' jobs, requested together (ioredis pipelines concurrent commands).
          const states = await Promise.all(open.map((i) => queue.getJobState(shards[i].key)));
          const unknown = open.filter((_, k) => states[k] === 'unknown');
          // A job that completed (and was removed) since the results were checked is not lost: check again.
          const recheck = unknown.length > 0 ? await finishedOf(unknown) : [];
          const landed = new Set(unknown.filter((_, k) => recheck[k]));
          for (const [k, i] of open.entries()) {
            const shard = shards[i];
            if (states[k] === 'unknown' && !landed.has(i)) {
              // Lost (Redis restarted without its append-only file, or removed by hand): submit it again.
              await enqueue(shard);
            } else if (states[k] === 'failed') {
              const job = await queue.getJob(shard.key);
              throw new QueueShardError(`shard of runs ${shard.start}-${shard.end - 1} (${shard.kind}) failed on a worker: ${job?.failedReason ?? 'no reason recorded'}`);
            }
          }
        })(),
        outageMs,
        'waiting for shards',
      );
      if (!warned && Date.now() - lastChange > 30_000 && (await queue.getActiveCount()) === 0) {
        warned = true;
        options.log?.(`waiting for workers: no shard is running; start some with 'srn-bench worker --queue ${displayUrl(url)}'\n`);
      }
    }
    const results: ShardResult[] = [];
    for (const shard of shards) {
      const path = shard.store === null ? undefined : storeFile(shard.store, shard.key);
      if (path !== undefined && existsSync(path)) {
        results.push(decodeShardResult(readFileSync(path)));
        continue;
      }
      const bytes = await redis.getBuffer(resultKey(shard.key));
      if (bytes !== null && bytes.length === 5 && bytes.toString() === 'store') {
        throw new QueueShardError(`the result of shard ${shard.start}-${shard.end - 1} was written to a results directory this machine cannot see; give --store the directory the workers share`);
      }
      if (bytes === null) throw new QueueShardError(`the result of shard ${shard.start}-${shard.end - 1} vanished before it was read (expired or flushed); run again`);
      results.push(decodeShardResult(bytes));
    }
    return results;
  } finally {
    await queue.close().catch(() => {});
    redis.disconnect();
  }
}
