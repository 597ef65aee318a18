/**
 * A small worker-thread pool for embarrassingly parallel batches (ensembles, parameter sweeps).
 *
 * A task is a plain, serialisable object handed to a named export of an ES module; the export runs in a worker
 * (or inline when `workers` is 1) and returns a structured-cloneable result. Results come back in task order, so a
 * reduction over them is bit-identical for any worker count.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './worker.ts';

/** Options of {@link runTasks}. */
export interface RunTasksOptions<TTask, TResult> {
  /** URL of the ES module that exports the task handler (e.g. `new URL('./ssa-task.ts', import.meta.url)`). */
  moduleUrl: string | URL;
  /** Name of the exported handler `(task) => result | Promise<result>`. */
  exportName: string;
  /** The tasks; each is structured-cloned to a worker. */
  tasks: readonly TTask[];
  /** Number of worker threads; 1 runs every task inline in this thread. */
  workers: number;
  /** Aborts outstanding tasks; the returned promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called once per finished task, in completion order (for progress bars). */
  onTaskDone?: (taskIndex: number, result: TResult) => void;
}

interface TaskMessage {
  readonly taskIndex: number;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly task: unknown;
}

interface ResultMessage {
  readonly taskIndex: number;
  readonly result?: unknown;
  readonly error?: { message: string; name: string; stack?: string };
}

const hostIsTypeScript = import.meta.url.endsWith('.ts');
const hostUrl = new URL(hostIsTypeScript ? './worker-host.ts' : './worker-host.js', import.meta.url);

function startWorker(hostUrl: URL, preload: readonly string[] = []): Worker {
  const workerData = { preload };
  // From sources, a small young generation: the kernels allocate little, and each thread's heap counts in the peak
  // memory. (The compiled host has always run with V8's default young generation.)
  return startModuleWorker(hostUrl, hostIsTypeScript ? { workerData, resourceLimits: { maxYoungGenerationSizeMb: 4 } } : { workerData });
}

/**
 * Idle worker threads kept from earlier calls (unreferenced, so they never keep the process alive): a pipeline that
 * runs several ensembles pays the thread start-up (the TypeScript loader and the module graph, about 0.3 CPU-s
 * under tsx) once, not per call.
 */
const idleThreads: Worker[] = [];

function takeThread(): Worker {
  const thread = idleThreads.pop();
  if (thread) {
    thread.ref();
    return thread;
  }
  return startWorker(hostUrl);
}

function releaseThread(thread: Worker): void {
  thread.removeAllListeners('message');
  thread.removeAllListeners('error');
  thread.removeAllListeners('exit');
  // A thread that dies while idle just leaves the cache.
  thread.once('exit', () => {
    const i = idleThreads.indexOf(thread);
    if (i >= 0) idleThreads.splice(i, 1);
  });
  thread.on('error', () => {});
  thread.unref();
  idleThreads.push(thread);
}

/**
 * Starts worker threads ahead of a {@link runTasks} call, so that their start-up (the thread, its module graph and
 * the task modules in `preload`, imported at once) overlaps whatever this thread does meanwhile, e.g. parsing a
 * model. Threads already idle count: after the call at least `count` are idle or starting. They are unreferenced
 * (an unused one never keeps the process alive) and serve every later call of `runTasks` in this process.
 *
 * @example
 * ```ts
 * prestartThreads(1, [new URL('./sum-task.ts', import.meta.url)]); // before the slow set-up
 * const sums = await runTasks({ moduleUrl: new URL('./sum-task.ts', import.meta.url), exportName: 'sumTask', tasks, workers: 2 });
 * ```
 */
export function prestartThreads(count: number, preload: readonly (string | URL)[] = []): void {
  if (!Number.isInteger(count) || count < 0 || count > 1024) {
    throw new RangeError(`count must be an integer from 0 to 1024; got ${String(count)}`);
  }
  const modules = preload.map(String);
  while (idleThreads.length < count) {
    const thread = startWorker(hostUrl, modules);
    releaseThread(thread);
  }
}

/** Tasks a worker thread holds at once (one running, one queued), so it never waits for the main thread. */
const QUEUE_DEPTH = 2;

/**
 * Runs `tasks` through `moduleUrl`'s `exportName` on `workers` threads and returns the results in task order.
 *
 * The calling thread is one of the `workers`: with `workers: 2` it runs tasks itself while one worker thread does
 * the same, so nothing waits for a thread to start (tasks go to whichever is free; a worker thread holds at most
 * two at a time). Each task's result depends on the task alone, so the results are identical for any worker count.
 *
 * @example
 * ```ts
 * const sums = await runTasks({
 *   moduleUrl: new URL('./sum-task.ts', import.meta.url), exportName: 'sumTask',
 *   tasks: [{ from: 0, to: 10 }, { from: 10, to: 20 }], workers: 2,
 * });
 * ```
 */
export async function runTasks<TTask, TResult>(options: RunTasksOptions<TTask, TResult>): Promise<TResult[]> {
  const { tasks, workers, signal, onTaskDone, exportName } = options;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`workers must be a positive integer; got ${String(workers)}`);
  }
  const moduleUrl = String(options.moduleUrl);
  const results = new Array<TResult>(tasks.length);
  signal?.throwIfAborted();
  const module = (await import(moduleUrl)) as Record<string, (task: TTask) => TResult | Promise<TResult>>;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${moduleUrl} has no exported function ${exportName}`);
  if (workers === 1 || tasks.length <= 1) {
    for (let i = 0; i < tasks.length; i++) {
      signal?.throwIfAborted();
      results[i] = await handler(tasks[i]);
      onTaskDone?.(i, results[i]);
    }
    return results;
  }

  const threadCount = Math.min(workers - 1, tasks.length - 1);
  const threads: Worker[] = [];
  return new Promise<TResult[]>((resolve, reject) => {
    let nextTask = 0;
    let finished = 0;
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) {
        for (const thread of threads) releaseThread(thread);
        resolve(results);
      } else {
        for (const thread of threads) void thread.terminate();
        reject(error);
      }
    };
    const onAbort = (): void => finish(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (index: number, result: TResult): void => {
      results[index] = result;
      try {
        onTaskDone?.(index, result);
      } catch (error) {
        finish(error);
        return;
      }
      finished++;
      if (finished === tasks.length) finish();
    };
    const feed = (thread: Worker): void => {
      if (settled || nextTask >= tasks.length) return;
      const message: TaskMessage = { taskIndex: nextTask, moduleUrl, exportName, task: tasks[nextTask] };
      nextTask++;
      thread.postMessage(message);
    };
    for (let w = 0; w < threadCount; w++) {
      const thread = takeThread();
      threads.push(thread);
      thread.on('message', (message: ResultMessage) => {
        if (settled) return;
        if (message.error) {
          const error = new Error(message.error.message);
          error.name = message.error.name;
          if (message.error.stack) error.stack = message.error.stack;
          finish(error);
          return;
        }
        done(message.taskIndex, message.result as TResult);
        feed(thread);
      });
      thread.on('error', (error) => finish(error));
      thread.on('exit', (code) => {
        if (!settled) finish(new Error(`worker exited with code ${code}`));
      });
      for (let q = 0; q < QUEUE_DEPTH; q++) feed(thread);
    }
    // The calling thread works through the queue too, yielding between tasks so worker results are handled.
    const runHere = async (): Promise<void> => {
      while (!settled && nextTask < tasks.length) {
        const index = nextTask++;
        const result = await handler(tasks[index]);
        if (settled) return;
        done(index, result);
        await new Promise<void>((next) => setImmediate(next));
      }
    };
    runHere().catch((error: unknown) => finish(error));
  });
}

/**
 * Splits `count` replicate indices into contiguous batches of at most `batchSize`, the unit of work a pool (or a
 * distributed queue) carries.
 *
 * @example
 * ```ts
 * batchRanges(10, 4); // [{ start: 0, end: 4 }, { start: 4, end: 8 }, { start: 8, end: 10 }]
 * ```
 */
export function batchRanges(count: number, batchSize: number): { start: number; end: number }[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer; got ${count}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
  }
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < count; start += batchSize) ranges.push({ start, end: Math.min(count, start + batchSize) });
  return ranges;
}
