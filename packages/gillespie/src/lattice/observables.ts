/**
 * Lattice observables as data (issue #14 item 3): species counts, pair counts at any set of displacements (the NN
 * and the paper's NNN sets as named defaults), and runs of k consecutive sites of one species along an axis.
 * Boundary-aware: on a closed lattice a displacement or run that leaves the lattice counts nothing.
 */
import type { LatticeGeometry } from './geometry.ts';

/**
 * One observable (plain, serialisable data).
 *
 * - `count`: the number of particles of `species`.
 * - `pair`: `Σ_i Σ_d [s_i = A][s_{i+d} = B]`, plus the reverse order for A ≠ B (as {@link pairCounts}); displacements
 *   `'nn'` (one unit step along each axis), `'nnn'` (the paper's Manhattan-length-2 set) or explicit vectors.
 * - `run`: the number of windows of `length` consecutive sites along `axis` (default 0) all holding `species`
 *   (overlapping windows count separately: 'A A A A' holds two runs of 3); `length` 3 gives the 2019 paper's
 *   triplets, 4 its quartics.
 *
 * @example
 * ```ts
 * const obs: LatticeObservable[] = [
 *   { type: 'count', species: 'A' },
 *   { type: 'pair', species: ['A', 'A'], displacements: 'nn' },
 *   { type: 'run', species: 'A', length: 3 },
 * ];
 * ```
 */
export type LatticeObservable =
  | { type: 'count'; species: string; name?: string }
  | { type: 'pair'; species: [string, string]; displacements: 'nn' | 'nnn' | number[][]; name?: string }
  | { type: 'run'; species: string; length: number; axis?: number; name?: string };

/** Observables compiled for one lattice and species list (opaque; use {@link measureObservables}). */
export interface CompiledObservables {
  /** Column names, one per observable. */
  readonly names: readonly string[];
  /** The observables, validated. */
  readonly observables: readonly LatticeObservable[];
  /** Number of sites of the lattice they were compiled for. */
  readonly size: number;
  /** Species list they were compiled for. */
  readonly species: readonly string[];
}

/**
 * The default observables: counts of every species, then NN and NNN pair counts of every species pair A ≤ B
 * (species order). The counts carry `name: A` (the species name), so the defaults reproduce the columns of the
 * paper's reference CSV and of the existing ensemble output; an unnamed count is called `n_A`.
 *
 * @example
 * ```ts
 * observableNames(defaultObservables(['X', 'Y'], 2));
 * // ['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']
 * ```
 */
export function defaultObservables(species: readonly string[], axes: number): LatticeObservable[] {
  void species;
  void axes;
  throw new Error('defaultObservables: not implemented yet');
}

/**
 * Column names: `name` when given, else `n_A`, `NN_AB` / `NNN_AB` / `PAIR_AB`, `run3_A` (with `_axis1` for a
 * non-default axis).
 *
 * @example
 * ```ts
 * observableNames([{ type: 'run', species: 'A', length: 3 }]); // ['run3_A']
 * ```
 */
export function observableNames(observables: readonly LatticeObservable[]): string[] {
  void observables;
  throw new Error('observableNames: not implemented yet');
}

/**
 * Validates observables against a lattice and species list (RangeError naming the observable index and value) and
 * precomputes their boundary-aware tables.
 *
 * @example
 * ```ts
 * const compiled = compileObservables(createLatticeGeometry([100], 'closed'), ['A'], defaultObservables(['A'], 1));
 * ```
 */
export function compileObservables(
  geometry: LatticeGeometry,
  species: readonly string[],
  observables: readonly LatticeObservable[],
): CompiledObservables {
  void geometry;
  void species;
  void observables;
  throw new Error('compileObservables: not implemented yet');
}

/**
 * Writes the observables of `occupancy` into `out[offset …]` (one value per name). No allocation.
 *
 * @example
 * ```ts
 * const row = new Float64Array(compiled.names.length);
 * measureObservables(compiled, occupancy, row);
 * ```
 */
export function measureObservables(compiled: CompiledObservables, occupancy: Uint8Array, out: Float64Array, offset = 0): void {
  void compiled;
  void occupancy;
  void out;
  void offset;
  throw new Error('measureObservables: not implemented yet');
}
