/**
 * Node-only extras of `@srn/gillespie`: the worker-thread pool and parallel ensembles.
 *
 * @packageDocumentation
 */
export * from './node/ensemble.ts';
export * from './node/pool.ts';
