/**
 * Worker threads on a module of this workspace, compiled or from its TypeScript sources (kept apart from the pool so
 * that a caller that only starts a thread loads nothing else of the package).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the ES module at `moduleUrl`, compiled JavaScript or a TypeScript source. For a `.ts`
 * module (tests, the CLI run through tsx) the thread first registers the TypeScript loader and resolves the
 * workspace's packages to their sources (`--conditions=@srn/source`), as this thread does; this thread's own
 * `--import tsx` is left out of the worker's `execArgv`: it does not reach a worker's module loader (Node 20) and
 * would only cost memory. `options` are Node's `WorkerOptions` (`workerData`, `resourceLimits`, ...).
 *
 * @example
 * ```ts
 * const worker = startModuleWorker(new URL('./figure-thread-main.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 128 } });
 * worker.postMessage({ id: 0 });
 * ```
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  const require = createRequire(import.meta.url);
  const tsxRoot = dirname(require.resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  const execArgv = process.execArgv.filter(
    (arg, i, all) => !arg.startsWith('--conditions') && arg !== '-C' && !(arg === '--import' && /tsx/.test(all[i + 1] ?? '')) && !(all[i - 1] === '--import' && /tsx/.test(arg)) && !/^--import=.*tsx/.test(arg),
  );
  return new Worker(bootstrap, { ...options, eval: true, execArgv: [...execArgv, '--conditions=@srn/source'] });
}

