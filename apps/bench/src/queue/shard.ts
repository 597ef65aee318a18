/**
 * Shards: the unit of work on the queue. A shard is (model hash, seed, replicate range) plus the serialisable inputs
 * the local worker pool already carries (a well-mixed ensemble's batch tasks, or a lattice ensemble task). It is a
 * pure function of its inputs: computing it runs exactly the functions the local path runs (`runEnsembleBatch`,
 * `latticeEnsembleTask`), and its result is stored under a key derived from the inputs, so a duplicate delivery
 * writes the same bytes again and a retried shard finds nothing half-done.
 *
 * This module runs in the submitting process, in `srn-bench worker` and in the worker threads that compute shards;
 * it imports nothing from BullMQ.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { type CompiledModel, type EnsembleBatchResult, type EnsembleBatchTask, runEnsembleBatch } from '@srn/gillespie';
import type { LatticeConfig, LatticeReplicate } from '@srn/gillespie/lattice';
import { type LatticeEnsembleTask, latticeEnsembleTask } from '@srn/gillespie/lattice-node';
import { writeFileAtomic } from '../io.ts';

/** Layout version of {@link ShardJobData}; bumped when the payload or result encoding changes. */
export const SHARD_FORMAT = 1;

/** What a shard computes: well-mixed ensemble batches, or lattice replicates. */
export type ShardKind = 'ensemble' | 'lattice';

/** The JSON a queue job carries. */
export interface ShardJobData {
  readonly format: number;
  /** The submitter's {@link srnVersion}; a worker with another version refuses the shard. */
  readonly version: string;
  readonly kind: ShardKind;
  /** {@link canonicalHash} of the model (the compiled plan or the lattice configuration). */
  readonly modelHash: string;
  /** The result key: a hash of everything the result depends on (see {@link shardKey}). */
  readonly key: string;
  readonly seed: number | string;
  /** Replicates `start … end − 1`. */
  readonly start: number;
  readonly end: number;
  /** `v8.serialize({ model, tasks })` in base64 (typed arrays survive, unlike JSON). */
  readonly payload: string;
  /** A results directory every worker can reach (`--store`), or null to keep the result in Redis. */
  readonly store: string | null;
}

/** Model and task parts of a shard's payload. */
interface EnsemblePayload {
  readonly model: CompiledModel;
  readonly tasks: Omit<EnsembleBatchTask, 'plan'>[];
}
interface LatticePayload {
  readonly model: LatticeConfig;
  readonly tasks: Omit<LatticeEnsembleTask, 'config'>[];
}

/** A worker refuses a shard it must not compute (other srn version, model hash it cannot reproduce, bad format). */
export class ShardRefusedError extends Error {
  // BullMQ fails a job without retrying when the error's name is UnrecoverableError; the message says why.
  override name = 'UnrecoverableError';
}

let cachedVersion: string | undefined;

/**
 * The srn version a shard is stamped with and a worker compares: the versions of `@srn/gillespie` (the simulators)
 * and of `srn-bench` (the shard code), e.g. `gillespie@0.1.0+bench@0.0.0`.
 *
 * @example
 * ```ts
 * srnVersion(); // 'gillespie@0.1.0+bench@0.0.0'
 * ```
 */
export function srnVersion(): string {
  if (cachedVersion === undefined) {
    const require = createRequire(import.meta.url);
    const gillespie = (require('@srn/gillespie/package.json') as { version: string }).version;
    const bench = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    cachedVersion = `gillespie@${gillespie}+bench@${bench}`;
  }
  return cachedVersion;
}

/** JSON with sorted keys, typed arrays as tagged lists and non-finite numbers spelled out: the same value, same text. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : `"#${String(value)}"`;
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return `"#${value}n"`;
  if (ArrayBuffer.isView(value)) {
    const array = value as unknown as ArrayLike<number> & { constructor: { name: string } };
    return `{"#${array.constructor.name}":[${Array.from(array, (x) => canonical(x)).join(',')}]}`;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot hash a ${typeof value} (shard inputs must be plain data)`);
}

/**
 * SHA-256 of a value's canonical JSON (sorted keys, typed arrays tagged with their type): equal data, equal hash,
 * whatever the key order or the process.
 *
 * @example
 * ```ts
 * canonicalHash({ b: 1, a: new Float64Array([0.5]) }) === canonicalHash({ a: new Float64Array([0.5]), b: 1 }); // true
 * ```
 */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

/**
 * The result key of a shard: a hash of the format, version, kind, model hash and the tasks (seed, ranges, options).
 *
 * @example
 * ```ts
 * shardKey('ensemble', modelHash, tasks); // 64 hex digits
 * ```
 */
export function shardKey(kind: ShardKind, modelHash: string, tasks: readonly unknown[], version = srnVersion()): string {
  return canonicalHash({ format: SHARD_FORMAT, version, kind, modelHash, tasks });
}

function makeShard(kind: ShardKind, model: unknown, modelHash: string, tasks: { seed: number | string; start: number; end: number }[], version: string, store: string | null): ShardJobData {
  return {
    format: SHARD_FORMAT,
    version,
    kind,
    modelHash,
    key: shardKey(kind, modelHash, tasks, version),
    seed: tasks[0].seed,
    start: tasks[0].start,
    end: tasks[tasks.length - 1].end,
    payload: serialize({ model, tasks }).toString('base64'),
    store,
  };
}

/** Where shards go and how they are stamped. */
export interface ShardOptions {
  /** Results directory every worker can reach, or null/undefined to keep results in Redis. */
  readonly store?: string | null;
  /** Version stamp (default {@link srnVersion}); tests use another to play an older submitter. */
  readonly version?: string;
}

/**
 * Groups a well-mixed ensemble's batch tasks (from `planEnsemble`) into shards of `batchesPerShard` consecutive
 * batches. The merged statistics do not depend on the grouping: the batches themselves are unchanged.
 *
 * @example
 * ```ts
 * const tasks = planEnsemble(model, { runs: 1000, seed: 1, tEnd: 10 });
 * const shards = ensembleShards(tasks, 3); // 4 shards: 3 + 3 + 3 + 1 batches
 * ```
 */
export function ensembleShards(tasks: readonly EnsembleBatchTask[], batchesPerShard: number, options: ShardOptions = {}): ShardJobData[] {
  if (!Number.isInteger(batchesPerShard) || batchesPerShard < 1) throw new RangeError(`batchesPerShard must be a positive integer; got ${batchesPerShard}`);
  if (tasks.length === 0) throw new RangeError('tasks must not be empty');
  const model = tasks[0].plan;
  const modelHash = canonicalHash(model);
  const shards: ShardJobData[] = [];
  for (let i = 0; i < tasks.length; i += batchesPerShard) {
    const group = tasks.slice(i, i + batchesPerShard).map(({ plan: _plan, ...rest }) => rest);
    shards.push(makeShard('ensemble', model, modelHash, group, options.version ?? srnVersion(), options.store ?? null));
  }
  return shards;
}

/**
 * Cuts a lattice ensemble (the task the local pool would run for every range) into shards of `shardSize`
 * replicates. Replicates are reduced in replicate order, so the summary does not depend on `shardSize`.
 *
 * @example
 * ```ts
 * const shards = latticeShards({ config, seed: 1, start: 0, end: 1000, keepTrajectories: false }, 100);
 * ```
 */
export function latticeShards(whole: LatticeEnsembleTask, shardSize: number, options: ShardOptions = {}): ShardJobData[] {
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new RangeError(`shardSize must be a positive integer; got ${shardSize}`);
  const { config, ...rest } = whole;
  const modelHash = canonicalHash(config);
  const shards: ShardJobData[] = [];
  for (let start = whole.start; start < whole.end; start += shardSize) {
    const task = { ...rest, start, end: Math.min(whole.end, start + shardSize) };
    shards.push(makeShard('lattice', config, modelHash, [task], options.version ?? srnVersion(), options.store ?? null));
  }
  return shards;
}

/** What a computed shard holds: batch results (well-mixed) or replicates (lattice), in order. */
export type ShardResult = EnsembleBatchResult[] | LatticeReplicate[];

/**
 * Checks a shard (format, version, model hash against its payload) and computes it with the same functions the
 * local worker pool runs. Throws {@link ShardRefusedError} for a shard this worker must not compute.
 *
 * @example
 * ```ts
 * const result = computeShard(shards[0]); // EnsembleBatchResult[] for an 'ensemble' shard
 * ```
 */
export function computeShard(data: ShardJobData, workerVersion = srnVersion()): ShardResult {
  if (data === null || typeof data !== 'object' || data.format !== SHARD_FORMAT) {
    throw new ShardRefusedError(`shard format ${String(data?.format)} is not the format ${SHARD_FORMAT} this worker reads (srn ${workerVersion})`);
  }
  if (data.version !== workerVersion) {
    throw new ShardRefusedError(`srn version mismatch: the shard was submitted by ${data.version} but this worker runs ${workerVersion}; run workers of the same version`);
  }
  let payload: EnsemblePayload | LatticePayload;
  try {
    payload = deserialize(Buffer.from(data.payload, 'base64')) as EnsemblePayload | LatticePayload;
  } catch (error) {
    throw new ShardRefusedError(`shard ${data.key}: cannot decode its payload (${(error as Error).message})`);
  }
  const hash = canonicalHash(payload.model);
  if (hash !== data.modelHash) {
    throw new ShardRefusedError(`model hash mismatch: the shard names model ${data.modelHash.slice(0, 12)} but its model hashes to ${hash.slice(0, 12)} on this worker (srn ${workerVersion})`);
  }
  const key = shardKey(data.kind, hash, payload.tasks, workerVersion);
  if (key !== data.key) {
    throw new ShardRefusedError(
      `shard key mismatch: the shard says ${data.key.slice(0, 12)}, its inputs give ${key.slice(0, 12)} under srn ${workerVersion}: a shard keyed by another srn version, or an altered job`,
    );
  }
  if (data.kind === 'ensemble') {
    const { model, tasks } = payload as EnsemblePayload;
    return tasks.map((task) => runEnsembleBatch({ ...task, plan: model }));
  }
  if (data.kind === 'lattice') {
    const { model, tasks } = payload as LatticePayload;
    return tasks.flatMap((task) => latticeEnsembleTask({ ...task, config: model }));
  }
  throw new ShardRefusedError(`unknown shard kind ${JSON.stringify(data.kind)}`);
}

/**
 * Redis key of a shard's result (or of the marker that says it is in the store).
 *
 * @example
 * ```ts
 * await redis.getBuffer(resultKey(shard.key));
 * ```
 */
export function resultKey(key: string): string {
  return `srn:result:${key}`;
}

/**
 * Redis key under which a one-shot worker (`srn-bench worker --run NAME --index I`, which takes no queue job) leaves
 * the reason it refused a shard, for the submitting command to report.
 *
 * @example
 * ```ts
 * await redis.get(refusalKey(shard.key)); // 'srn version mismatch: ...' or null
 * ```
 */
export function refusalKey(key: string): string {
  return `srn:refused:${key}`;
}

/**
 * File of a shard's result in a `--store` directory.
 *
 * @example
 * ```ts
 * storeFile('/mnt/srn-store', shard.key); // /mnt/srn-store/shards/KEY.v8
 * ```
 */
export function storeFile(store: string, key: string): string {
  return join(store, 'shards', `${key}.v8`);
}

/**
 * Encodes a result for Redis or the store: `v8.serialize` keeps typed arrays exactly.
 *
 * @example
 * ```ts
 * decodeShardResult(encodeShardResult(result)); // equal to result
 * ```
 */
export function encodeShardResult(result: ShardResult): Buffer {
  return serialize(result);
}

/**
 * Decodes {@link encodeShardResult}'s bytes.
 *
 * @example
 * ```ts
 * const replicates = decodeShardResult(readFileSync(storeFile(store, key))) as LatticeReplicate[];
 * ```
 */
export function decodeShardResult(bytes: Uint8Array): ShardResult {
  return deserialize(bytes) as ShardResult;
}

/**
 * Writes a shard's result into the store atomically (a temporary file in the same directory, then a rename), so a
 * reader never sees a partial file and two workers writing the same shard leave one complete copy.
 *
 * @example
 * ```ts
 * writeStoreResult('/mnt/srn-store', shard.key, encodeShardResult(result));
 * ```
 */
export function writeStoreResult(store: string, key: string, bytes: Uint8Array): string {
  const path = storeFile(store, key);
  mkdirSync(join(store, 'shards'), { recursive: true });
  writeFileAtomic(path, bytes);
  return path;
}
