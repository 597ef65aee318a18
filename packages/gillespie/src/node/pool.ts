/**
 * A small worker-thread pool for embarrassingly parallel batches (ensembles, parameter sweeps).
 *
 * A task is a plain, serialisable object handed to a named export of an ES module; the export runs in a worker
 * (or inline when `workers` is 1) and returns a structured-cloneable result. Results come back in task order, so a
 * reduction over them is bit-identical for any worker count.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

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

function startWorker(hostUrl: URL): Worker {
  if (!hostIsTypeScript) return new Worker(hostUrl);
  // Running from sources (tests, the CLI through tsx): register the TypeScript loader inside the worker before
  // loading the host, and resolve sibling packages to their sources as this thread does.
  const require = createRequire(import.meta.url);
  const tsxRoot = dirname(require.resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(hostUrl.href)}); });`;
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--conditions') && arg !== '-C');
  return new Worker(bootstrap, { eval: true, execArgv: [...execArgv, '--conditions=@srn/source'] });
}

/**
 * Runs `tasks` through `moduleUrl`'s `exportName` on `workers` threads and returns the results in task order.
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
  if (workers === 1 || tasks.length <= 1) {
    const module = (await import(moduleUrl)) as Record<string, (task: TTask) => TResult | Promise<TResult>>;
    const handler = module[exportName];
    if (typeof handler !== 'function') throw new TypeError(`${moduleUrl} has no exported function ${exportName}`);
    for (let i = 0; i < tasks.length; i++) {
      signal?.throwIfAborted();
      results[i] = await handler(tasks[i]);
      onTaskDone?.(i, results[i]);
    }
    return results;
  }

  const hostUrl = new URL(hostIsTypeScript ? './worker-host.ts' : './worker-host.js', import.meta.url);
  const threadCount = Math.min(workers, tasks.length);
  const threads: Worker[] = [];
  return new Promise<TResult[]>((resolve, reject) => {
    let nextTask = 0;
    let finished = 0;
    let failed = false;
    const stopAll = (): void => {
      for (const thread of threads) void thread.terminate();
    };
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      stopAll();
      reject(error);
    };
    const onAbort = (): void => fail(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (thread: Worker): void => {
      if (nextTask >= tasks.length) return;
      const message: TaskMessage = { taskIndex: nextTask, moduleUrl, exportName, task: tasks[nextTask] };
      nextTask++;
      thread.postMessage(message);
    };
    for (let w = 0; w < threadCount; w++) {
      const thread = startWorker(hostUrl);
      threads.push(thread);
      thread.on('message', (message: ResultMessage) => {
        if (failed) return;
        if (message.error) {
          const error = new Error(message.error.message);
          error.name = message.error.name;
          if (message.error.stack) error.stack = message.error.stack;
          fail(error);
          return;
        }
        results[message.taskIndex] = message.result as TResult;
        onTaskDone?.(message.taskIndex, results[message.taskIndex]);
        finished++;
        if (finished === tasks.length) {
          signal?.removeEventListener('abort', onAbort);
          stopAll();
          resolve(results);
        } else {
          feed(thread);
        }
      });
      thread.on('error', fail);
      thread.on('exit', (code) => {
        if (!failed && finished < tasks.length && code !== 0) fail(new Error(`worker exited with code ${code}`));
      });
      feed(thread);
    }
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
