/**
 * What a worker thread does with one queue job: check and compute the shard, then store the result under its key
 * (in Redis, or atomically in the `--store` directory with a marker in Redis). Storing twice stores the same data.
 */
import { Redis } from 'ioredis';
import { durableConnection } from './connection.ts';
import { computeShard, encodeShardResult, resultKey, type ShardJobData, writeStoreResult } from './shard.ts';

/** How long results stay in Redis: long enough for any submitter to collect them. */
export const RESULT_TTL_SECONDS = 7 * 24 * 3600;

let client: Redis | undefined;

/** What a worker reports for a finished shard. */
export interface ShardReport {
  key: string;
  kind: string;
  start: number;
  end: number;
  bytes: number;
  seconds: number;
  where: 'redis' | 'store';
}

/**
 * Computes `data`'s shard and stores the result; refusals throw a `ShardRefusedError`.
 *
 * @example
 * ```ts
 * await processShard(job.data, 'redis://127.0.0.1:6379');
 * ```
 */
export async function processShard(data: ShardJobData, url: string): Promise<ShardReport> {
  const started = performance.now();
  const bytes = encodeShardResult(computeShard(data));
  client ??= new Redis(durableConnection(url));
  if (data.store !== null) {
    writeStoreResult(data.store, data.key, bytes);
    await client.set(resultKey(data.key), 'store', 'EX', RESULT_TTL_SECONDS, 'NX');
  } else {
    await client.set(resultKey(data.key), bytes, 'EX', RESULT_TTL_SECONDS, 'NX');
  }
  return {
    key: data.key,
    kind: data.kind,
    start: data.start,
    end: data.end,
    bytes: bytes.length,
    seconds: (performance.now() - started) / 1000,
    where: data.store === null ? 'redis' : 'store',
  };
}

/**
 * Closes this thread's Redis connection (for one-shot use, e.g. `srn-bench worker --run NAME --index I`).
 *
 * @example
 * ```ts
 * await processShard(data, url);
 * closeShardConnection();
 * ```
 */
export function closeShardConnection(): void {
  client?.disconnect();
  client = undefined;
}
