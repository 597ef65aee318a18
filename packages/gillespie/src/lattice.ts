/**
 * Lattice simulation for `@srn/gillespie`: single-occupancy 1-D/2-D/3-D lattices, lattice reaction models, the
 * paper's operator-split hybrid scheme and an exact lattice SSA, the lattice Lotka–Volterra preset, pair
 * statistics, ensembles and platform-neutral snapshot encodings. Node-only parts (text snapshot files, worker
 * ensembles) are in `@srn/gillespie/lattice-node`.
 *
 * @packageDocumentation
 */
export * from './lattice/geometry.ts';
export * from './lattice/state.ts';
export * from './lattice/model.ts';
export * from './lattice/snapshot.ts';
export * from './lattice/simulate.ts';
export * from './lattice/statistics.ts';
export * from './lattice/presets.ts';
export * from './lattice/ensemble.ts';
export * from './lattice/initial.ts';
export * from './lattice/observables.ts';
export * from './lattice/model-file/index.ts';
