/**
 * Node-only lattice extras of `@srn/gillespie`: the paper's snapshot text format and files, binary trajectory
 * files, atomic writes, and ensembles over worker threads.
 *
 * @packageDocumentation
 */
export * from './lattice/node/text.ts';
export * from './lattice/node/files.ts';
export * from './lattice/node/parallel.ts';
export * from './lattice/node/ensemble-task.ts';
export * from './lattice/node/spill.ts';
