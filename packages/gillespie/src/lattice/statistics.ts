/**
 * Lattice statistics of spec section 3 on snapshots: species counts, nearest-neighbour (NN) and the paper's next-
 * nearest-neighbour (NNN) pair counts, general pair correlations, and a reusable observer for trajectories. The
 * displacement sets and observables as data live in `observables.ts`.
 */
import { checkShape, createLatticeGeometry, displacementTable } from './geometry.ts';
import { accumulatePairsDense } from './kernels/pairs.ts';
import { checkSnapshot, type LatticeSnapshot } from './snapshot.ts';
import type { LatticeState } from './state.ts';
import {
  type CompiledObservables,
  compileObservables,
  defaultObservables,
  measureObservables,
  measureObservablesState,
  nearestNeighbourDisplacements,
  paperNextNearestDisplacements,
} from './observables.ts';

const tableCache = new Map<string, Int32Array>();
const TABLE_CACHE_LIMIT = 32;

function cachedTable(shape: readonly number[], d: readonly number[], periodic: boolean): Int32Array {
  const key = `${shape.join('x')}|${d.join(',')}|${periodic ? 'p' : 'c'}`;
  let table = tableCache.get(key);
  if (!table) {
    table = displacementTable(shape, d, periodic);
    if (tableCache.size >= TABLE_CACHE_LIMIT) tableCache.delete(tableCache.keys().next().value as string);
    tableCache.set(key, table);
  }
  return table;
}

function checkDisplacements(displacements: unknown, axes: number): number[][] {
  if (!Array.isArray(displacements) || displacements.length === 0) {
    throw new TypeError(`displacements must be a non-empty array of ${axes}-vectors; got ${String(displacements)}`);
  }
  for (const d of displacements) {
    if (!Array.isArray(d) || d.length !== axes || !d.every((x) => Number.isInteger(x))) {
      throw new RangeError(`displacements must hold ${axes} integers each; got [${String(d)}]`);
    }
  }
  return displacements as number[][];
}

/**
 * The matrix `M[a][b] = Σ_i Σ_{d ∈ displacements} s_{i,a} s_{i+d,b}` (species codes 1..S; row/column 0 unused),
 * flattened with stride S + 1. Displacements wrap when `periodic` (default true; the analysis code always wraps,
 * whatever the simulator's boundary).
 *
 * @example
 * ```ts
 * const m = pairCountMatrix(snap, [[0, 1], [1, 0]]);
 * m[1 * 3 + 2]; // ordered X→Y neighbour pairs (species X = 1, Y = 2)
 * ```
 */
export function pairCountMatrix(snapshot: LatticeSnapshot, displacements: readonly (readonly number[])[], periodic = true): Float64Array {
  checkSnapshot(snapshot);
  const shape = checkShape(snapshot.shape, 'snapshot.shape');
  const ds = checkDisplacements(displacements, shape.length);
  const S = snapshot.species.length;
  const out = new Float64Array((S + 1) * (S + 1));
  accumulatePairsDense(snapshot.occupancy, ds.map((d) => cachedTable(shape, d, periodic)), S, out);
  return out;
}

/**
 * Pair counts over a displacement set, keyed `${prefix}_${A}${B}` for every species pair A ≤ B (species order):
 * same species `Σ_i Σ_d s_{i,A} s_{i+d,A}`, mixed species both orders `Σ_i Σ_d (s_{i,A} s_{i+d,B} + s_{i,B} s_{i+d,A})`.
 *
 * @example
 * ```ts
 * pairCounts(snap, nearestNeighbourDisplacements(2), 'NN'); // { NN_XX: 3, NN_XY: 5, NN_YY: 1 }
 * ```
 */
export function pairCounts(
  snapshot: LatticeSnapshot,
  displacements: readonly (readonly number[])[],
  prefix: string,
  periodic = true,
): Record<string, number> {
  const m = pairCountMatrix(snapshot, displacements, periodic);
  return pairRecord(m, snapshot.species, prefix);
}

function pairRecord(m: Float64Array, species: readonly string[], prefix: string): Record<string, number> {
  const S = species.length;
  const out: Record<string, number> = {};
  for (let a = 1; a <= S; a++) {
    for (let b = a; b <= S; b++) {
      out[`${prefix}_${species[a - 1]}${species[b - 1]}`] = a === b ? m[a * (S + 1) + a] : m[a * (S + 1) + b] + m[b * (S + 1) + a];
    }
  }
  return out;
}

/**
 * The paper's NN counts (periodic, D1), e.g. `{ NN_XX, NN_XY, NN_YY }`.
 *
 * @example
 * ```ts
 * nearestNeighbourCounts({ shape: [1, 3], species: ['X'], occupancy: Uint8Array.of(1, 1, 1) }); // { NN_XX: 3 }
 * ```
 */
export function nearestNeighbourCounts(snapshot: LatticeSnapshot, periodic = true): Record<string, number> {
  return pairCounts(snapshot, nearestNeighbourDisplacements(snapshot.shape.length), 'NN', periodic);
}

/**
 * The paper's NNN counts (periodic, D2 without (1,−1)), e.g. `{ NNN_XX, NNN_XY, NNN_YY }`.
 *
 * @example
 * ```ts
 * nextNearestNeighbourCounts(snap).NNN_XY;
 * ```
 */
export function nextNearestNeighbourCounts(snapshot: LatticeSnapshot, periodic = true): Record<string, number> {
  return pairCounts(snapshot, paperNextNearestDisplacements(snapshot.shape.length), 'NNN', periodic);
}

/**
 * Species counts n_A (not normalised).
 *
 * @example
 * ```ts
 * speciesCounts({ shape: [3], species: ['X', 'Y'], occupancy: Uint8Array.of(1, 2, 1) }); // { X: 2, Y: 1 }
 * ```
 */
export function speciesCounts(snapshot: LatticeSnapshot): Record<string, number> {
  checkSnapshot(snapshot);
  const tally = new Float64Array(snapshot.species.length + 1);
  for (const code of snapshot.occupancy) tally[code]++;
  return Object.fromEntries(snapshot.species.map((s, k) => [s, tally[k + 1]]));
}

/**
 * Pair correlation at one displacement d (one order: A at i, B at i + d): `count = Σ_i s_{i,A} s_{i+d,B}`, `pairs` the
 * number of site pairs (i, i + d) on the lattice, and `g = count / (pairs · ρ_A · ρ_B)` with ρ = n / N (g = 1 for
 * independent placement; NaN when a species is absent).
 *
 * @example
 * ```ts
 * pairCorrelation(snap, 'X', 'Y', [0, 3]); // { count, pairs: 1600, g }
 * ```
 */
export function pairCorrelation(
  snapshot: LatticeSnapshot,
  a: string,
  b: string,
  displacement: readonly number[],
  periodic = true,
): { count: number; pairs: number; g: number } {
  checkSnapshot(snapshot);
  const ka = snapshot.species.indexOf(a) + 1;
  const kb = snapshot.species.indexOf(b) + 1;
  if (ka === 0) throw new RangeError(`a must be a species of the snapshot (${snapshot.species.join(', ')}); got ${JSON.stringify(a)}`);
  if (kb === 0) throw new RangeError(`b must be a species of the snapshot (${snapshot.species.join(', ')}); got ${JSON.stringify(b)}`);
  const [d] = checkDisplacements([displacement], snapshot.shape.length);
  const table = cachedTable(snapshot.shape, d, periodic);
  const occ = snapshot.occupancy;
  let count = 0;
  let pairs = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < occ.length; i++) {
    if (occ[i] === ka) na++;
    if (occ[i] === kb) nb++;
    const j = table[i];
    if (j < 0) continue;
    pairs++;
    if (occ[i] === ka && occ[j] === kb) count++;
  }
  const N = occ.length;
  return { count, pairs, g: count / (pairs * (na / N) * (nb / N)) };
}

/**
 * Measures the standard observables ({@link defaultObservables}: species counts, then NN_AB and NNN_AB for A ≤ B,
 * the reference CSV's columns) of a lattice at many time points without allocating. Pass `periodic = false` for a
 * closed lattice: pairs across the edge then do not count (a thin wrapper over {@link compileObservables}).
 *
 * @example
 * ```ts
 * const obs = new LatticeObserver([40, 40], ['X', 'Y']);
 * obs.names; // ['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']
 * const row = new Float64Array(obs.names.length);
 * obs.measureState(sim.state, row, 0);
 * ```
 */
export class LatticeObserver {
  /** Column names. */
  readonly names: readonly string[];
  private readonly compiled: CompiledObservables;

  constructor(shape: readonly number[], species: readonly string[], periodic = true) {
    const dims = checkShape(shape as number[]);
    if (!Array.isArray(species) || species.length < 1) throw new TypeError('species must be a non-empty array of names');
    const geometry = createLatticeGeometry(dims, periodic ? 'periodic' : 'closed');
    this.compiled = compileObservables(geometry, species, defaultObservables(species, dims.length));
    this.names = this.compiled.names;
  }

  /** Writes the observables of a live state into `out[offset ..]` (sparse pass over the particles). */
  measureState(state: LatticeState, out: Float64Array, offset: number): void {
    measureObservablesState(this.compiled, state, out, offset);
  }

  /** Writes the observables of an occupancy array (same shape and species) into `out[offset ..]`. */
  measureOccupancy(occupancy: Uint8Array, out: Float64Array, offset: number): void {
    measureObservables(this.compiled, occupancy, out, offset);
  }
}
