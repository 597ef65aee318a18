/**
 * Node-only: {@link startModuleWorker}, a worker thread on an ES module that runs compiled or from TypeScript sources
 * (what the worker pool of `@srn/gillespie/node` starts its threads with). Loads nothing else of the package.
 *
 * @packageDocumentation
 */
export * from './node/worker.ts';
