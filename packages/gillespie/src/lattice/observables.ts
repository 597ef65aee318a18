/**
 * Lattice observables as data (issue #14 item 3): species counts, pair counts at any set of displacements (the NN
 * and the paper's NNN sets as named defaults), and runs of k consecutive sites of one species along an axis.
 * Boundary-aware: on a closed lattice a displacement or run that leaves the lattice counts nothing.
 */
import { displacementTable, type LatticeGeometry } from './geometry.ts';
import { ensureLists } from './kernels/occupancy.ts';
import { accumulatePairsDense, accumulatePairsRowIndex, accumulatePairsSparse } from './kernels/pairs.ts';
import type { LatticeState } from './state.ts';
import { checkSpeciesNames } from './state.ts';

/**
 * The NN displacements: one unit step along each axis, e.g. D1 = {(0,1), (1,0)} in 2-D (listed axis-last first).
 * Each unordered neighbour pair is counted once.
 *
 * @example
 * ```ts
 * nearestNeighbourDisplacements(2); // [[0, 1], [1, 0]]
 * ```
 */
export function nearestNeighbourDisplacements(axes: number): number[][] {
  checkAxes(axes);
  const out: number[][] = [];
  for (let k = axes - 1; k >= 0; k--) out.push(Array.from({ length: axes }, (_, j) => (j === k ? 1 : 0)));
  return out;
}

/**
 * The paper's "NNN" displacements: every displacement with non-negative components and Manhattan length 2, i.e.
 * D2 = {(0,2), (1,1), (2,0)} in 2-D. The mixed-sign (1,−1) orientation is deliberately left out, as in the original
 * analysis code; in 1-D this is {(2)}, in 3-D the six vectors of that form.
 *
 * @example
 * ```ts
 * paperNextNearestDisplacements(2); // [[0, 2], [1, 1], [2, 0]]
 * ```
 */
export function paperNextNearestDisplacements(axes: number): number[][] {
  checkAxes(axes);
  const out: number[][] = [];
  const visit = (prefix: number[], left: number): void => {
    if (prefix.length === axes) {
      if (left === 0) out.push(prefix);
      return;
    }
    for (let v = 0; v <= left; v++) visit([...prefix, v], left - v);
  };
  visit([], 2);
  return out;
}

function checkAxes(axes: number): void {
  if (!Number.isInteger(axes) || axes < 1 || axes > 3) throw new RangeError(`axes must be 1, 2 or 3; got ${String(axes)}`);
}

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

/** Observables compiled for one lattice and species list (use {@link measureObservables}). */
export interface CompiledObservables {
  /** Column names, one per observable. */
  readonly names: readonly string[];
  /** The observables, validated. */
  readonly observables: readonly LatticeObservable[];
  /** Number of sites of the lattice they were compiled for. */
  readonly size: number;
  /** Species list they were compiled for. */
  readonly species: readonly string[];
  /** Kind per observable: {@link OBSERVABLE_COUNT}, {@link OBSERVABLE_PAIR} or {@link OBSERVABLE_RUN}. */
  readonly kinds: Int32Array;
  /** First species code per observable. */
  readonly codeA: Int32Array;
  /** Second species code (pairs; else 0). */
  readonly codeB: Int32Array;
  /** Pairs: index of the displacement group; runs: the run length. */
  readonly parameter: Int32Array;
  /** Runs: the direction (2 · axis + 1) in the neighbour table. */
  readonly direction: Int32Array;
  /** Displacement tables per group (boundary-aware: −1 where a displacement leaves a closed lattice). */
  readonly groups: readonly (readonly Int32Array[])[];
  /** Neighbour table and degree of the lattice. */
  readonly neighbors: Int32Array;
  readonly degree: number;
  /** Scratch: per-species tallies, then one (S + 1)² pair matrix per group. */
  readonly scratch: Float64Array;
  /** Views of `scratch`: the pair matrix of each group. */
  readonly matrices: readonly Float64Array[];
}

/**
 * Kind code of a count observable in {@link CompiledObservables.kinds}.
 *
 * @example
 * ```ts
 * compileObservables(geometry, ['A'], [{ type: 'count', species: 'A' }]).kinds[0] === OBSERVABLE_COUNT; // true
 * ```
 */
export const OBSERVABLE_COUNT = 0;
/**
 * Kind code of a pair observable in {@link CompiledObservables.kinds}.
 *
 * @example
 * ```ts
 * compileObservables(geometry, ['A'], [{ type: 'pair', species: ['A', 'A'], displacements: 'nn' }]).kinds[0] === OBSERVABLE_PAIR; // true
 * ```
 */
export const OBSERVABLE_PAIR = 1;
/**
 * Kind code of a run observable in {@link CompiledObservables.kinds}.
 *
 * @example
 * ```ts
 * compileObservables(geometry, ['A'], [{ type: 'run', species: 'A', length: 3 }]).kinds[0] === OBSERVABLE_RUN; // true
 * ```
 */
export const OBSERVABLE_RUN = 2;

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
  const names = checkSpeciesNames(species as unknown[]);
  if (!Number.isInteger(axes) || axes < 1 || axes > 3) throw new RangeError(`axes must be 1, 2 or 3; got ${String(axes)}`);
  const out: LatticeObservable[] = names.map((s) => ({ type: 'count', species: s, name: s }));
  for (const set of ['nn', 'nnn'] as const) {
    for (let a = 0; a < names.length; a++) {
      for (let b = a; b < names.length; b++) out.push({ type: 'pair', species: [names[a], names[b]], displacements: set });
    }
  }
  return out;
}

function displacementLabel(displacements: 'nn' | 'nnn' | number[][]): string {
  if (displacements === 'nn' || displacements === 'nnn') return displacements.toUpperCase();
  return `pair${displacements.map((d) => `[${d.join(' ')}]`).join('')}`;
}

/**
 * Column names: `name` when given, else `n_A`; `NN_AB` / `NNN_AB` for the named sets and `pair[1 0][0 1]_AB` for
 * explicit displacements; `run3_A` (`run3_A_axis1` along another axis than 0). Call on validated observables (or
 * use {@link CompiledObservables.names}).
 *
 * @example
 * ```ts
 * observableNames([{ type: 'run', species: 'A', length: 3 }]); // ['run3_A']
 * ```
 */
export function observableNames(observables: readonly LatticeObservable[]): string[] {
  if (!Array.isArray(observables)) throw new TypeError(`observables must be an array; got ${String(observables)}`);
  return observables.map((o, i) => {
    if (o === null || typeof o !== 'object') throw new TypeError(`observables[${i}] must be an object; got ${String(o)}`);
    if (o.name !== undefined) return o.name;
    switch (o.type) {
      case 'count':
        return `n_${o.species}`;
      case 'pair':
        return `${displacementLabel(o.displacements)}_${Array.isArray(o.species) ? o.species.join('') : String(o.species)}`;
      case 'run':
        return `run${o.length}_${o.species}${o.axis ? `_axis${o.axis}` : ''}`;
      default:
        throw new RangeError(`observables[${i}].type must be 'count', 'pair' or 'run'; got ${JSON.stringify((o as { type: unknown }).type)}`);
    }
  });
}

function checkGeometry(geometry: LatticeGeometry): void {
  if (geometry === null || typeof geometry !== 'object' || !(geometry.neighbors instanceof Int32Array)) {
    throw new TypeError(`geometry must come from createLatticeGeometry; got ${String(geometry)}`);
  }
}

/**
 * Validates observables against a lattice and species list (RangeError naming the observable index and value) and
 * precomputes their boundary-aware tables. Displacements and runs that leave a closed lattice count nothing; on a
 * periodic lattice they wrap.
 *
 * @example
 * ```ts
 * const compiled = compileObservables(createLatticeGeometry([100], 'closed'), ['A'], defaultObservables(['A'], 1));
 * compiled.names; // ['A', 'NN_AA', 'NNN_AA']
 * ```
 */
export function compileObservables(
  geometry: LatticeGeometry,
  species: readonly string[],
  observables: readonly LatticeObservable[],
): CompiledObservables {
  checkGeometry(geometry);
  const names = checkSpeciesNames(species as unknown[]);
  if (!Array.isArray(observables) || observables.length === 0) {
    throw new TypeError(`observables must be a non-empty array; got ${String(observables)}`);
  }
  const axes = geometry.shape.length;
  const periodic = geometry.boundary === 'periodic';
  const n = observables.length;
  const kinds = new Int32Array(n);
  const codeA = new Int32Array(n);
  const codeB = new Int32Array(n);
  const parameter = new Int32Array(n);
  const direction = new Int32Array(n);
  const groupKeys: string[] = [];
  const groups: Int32Array[][] = [];
  const codeOf = (name: unknown, where: string): number => {
    const k = typeof name === 'string' ? names.indexOf(name) : -1;
    if (k < 0) throw new RangeError(`${where} must be one of the species ${names.join(', ')}; got ${JSON.stringify(name)}`);
    return k + 1;
  };
  observables.forEach((o, i) => {
    const where = `observables[${i}]`;
    if (o === null || typeof o !== 'object') throw new TypeError(`${where} must be an object; got ${String(o)}`);
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '' || /[,\s"]/.test(o.name))) {
      throw new RangeError(`${where}.name must be a non-empty string without commas, quotes or spaces; got ${JSON.stringify(o.name)}`);
    }
    if (o.type === 'count') {
      kinds[i] = OBSERVABLE_COUNT;
      codeA[i] = codeOf(o.species, `${where}.species`);
    } else if (o.type === 'pair') {
      kinds[i] = OBSERVABLE_PAIR;
      if (!Array.isArray(o.species) || o.species.length !== 2) {
        throw new RangeError(`${where}.species must be a pair of species names; got ${JSON.stringify(o.species)}`);
      }
      codeA[i] = codeOf(o.species[0], `${where}.species[0]`);
      codeB[i] = codeOf(o.species[1], `${where}.species[1]`);
      let vectors: number[][];
      if (o.displacements === 'nn') vectors = nearestNeighbourDisplacements(axes);
      else if (o.displacements === 'nnn') vectors = paperNextNearestDisplacements(axes);
      else {
        if (!Array.isArray(o.displacements) || o.displacements.length === 0) {
          throw new RangeError(`${where}.displacements must be 'nn', 'nnn' or a non-empty array of ${axes}-vectors; got ${JSON.stringify(o.displacements)}`);
        }
        for (const d of o.displacements) {
          if (!Array.isArray(d) || d.length !== axes || !d.every((x) => Number.isInteger(x)) || d.every((x) => x === 0)) {
            throw new RangeError(`${where}.displacements must hold non-zero vectors of ${axes} integers; got ${JSON.stringify(d)}`);
          }
        }
        vectors = o.displacements;
      }
      const key = vectors.map((d) => d.join(',')).join(';');
      let g = groupKeys.indexOf(key);
      if (g < 0) {
        g = groupKeys.length;
        groupKeys.push(key);
        groups.push(vectors.map((d) => displacementTable(geometry.shape, d, periodic)));
      }
      parameter[i] = g;
    } else if (o.type === 'run') {
      kinds[i] = OBSERVABLE_RUN;
      codeA[i] = codeOf(o.species, `${where}.species`);
      const axis = o.axis ?? 0;
      if (!Number.isInteger(axis) || axis < 0 || axis >= axes) {
        throw new RangeError(`${where}.axis must be an integer in [0, ${axes - 1}]; got ${JSON.stringify(o.axis)}`);
      }
      const extent = geometry.shape[axis];
      if (!Number.isInteger(o.length) || o.length < 1 || o.length > extent) {
        throw new RangeError(`${where}.length must be an integer in [1, ${extent}] (the extent of axis ${axis}); got ${JSON.stringify(o.length)}`);
      }
      parameter[i] = o.length;
      direction[i] = 2 * axis + 1;
    } else {
      throw new RangeError(`${where}.type must be 'count', 'pair' or 'run'; got ${JSON.stringify((o as { type: unknown }).type)}`);
    }
  });
  const columnNames = observableNames(observables);
  const seen = new Set<string>();
  columnNames.forEach((name, i) => {
    if (seen.has(name)) throw new RangeError(`observables[${i}] repeats the column name ${JSON.stringify(name)}`);
    seen.add(name);
  });
  const stride = (names.length + 1) * (names.length + 1);
  const scratch = new Float64Array(names.length + 1 + groups.length * stride);
  const matrices = groups.map((_, g) => scratch.subarray(names.length + 1 + g * stride, names.length + 1 + (g + 1) * stride));
  return {
    names: columnNames,
    observables: observables.slice(),
    size: geometry.size,
    species: names,
    kinds,
    codeA,
    codeB,
    parameter,
    direction,
    groups,
    neighbors: geometry.neighbors,
    degree: geometry.degree,
    scratch,
    matrices,
  };
}

/**
 * Writes the observables of `occupancy` into `out[offset …]` (one value per name). No allocation: one pass for the
 * counts, one pair-matrix pass per displacement group, one pass per run observable.
 *
 * @example
 * ```ts
 * const compiled = compileObservables(createLatticeGeometry([5], 'closed'), ['A'], [{ type: 'run', species: 'A', length: 2 }]);
 * const row = new Float64Array(1);
 * measureObservables(compiled, Uint8Array.of(1, 1, 1, 0, 1), row);
 * row[0]; // 2 (no wrap from the last site to the first)
 * ```
 */
export function measureObservables(compiled: CompiledObservables, occupancy: Uint8Array, out: Float64Array, offset = 0): void {
  if (!(occupancy instanceof Uint8Array) || occupancy.length !== compiled.size) {
    throw new TypeError(`occupancy must be a Uint8Array of length ${compiled.size}; got ${String(occupancy?.length)}`);
  }
  checkOut(compiled, out, offset);
  measureObservablesUnchecked(compiled, occupancy, out, offset);
}

function checkOut(compiled: CompiledObservables, out: Float64Array, offset: number): void {
  const n = compiled.kinds.length;
  if (!(out instanceof Float64Array) || !Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
    throw new RangeError(`out must be a Float64Array with room for ${n} values at offset ${offset}; got length ${String(out?.length)}`);
  }
}

/**
 * Kernel of {@link measureObservables} without argument checks (the occupancy must have the compiled lattice's
 * length and valid codes; `out` room for every column): for hot loops that validated once.
 *
 * @example
 * ```ts
 * for (let t = 0; t < T; t++) measureObservablesUnchecked(compiled, trajectory.occupancy.subarray(t * N, (t + 1) * N), rows, t * K);
 * ```
 */
export function measureObservablesUnchecked(compiled: CompiledObservables, occupancy: Uint8Array, out: Float64Array, offset: number): void {
  const S = compiled.species.length;
  const { scratch, groups, matrices } = compiled;
  scratch.fill(0);
  for (let i = 0; i < occupancy.length; i++) scratch[occupancy[i]]++;
  for (let g = 0; g < groups.length; g++) accumulatePairsDense(occupancy, groups[g], S, matrices[g]);
  writeColumns(compiled, occupancy, scratch, null, out, offset);
}

/**
 * Writes every column from the counts per code and the filled pair matrices; runs are counted from each site of
 * the species, found in `lists` (class k at `[k · N, k · N + counts[k])`) or, without lists, by a scan.
 */
function writeColumns(
  compiled: CompiledObservables,
  occupancy: Uint8Array,
  counts: Float64Array | Int32Array,
  lists: Int32Array | null,
  out: Float64Array,
  offset: number,
): void {
  const S = compiled.species.length;
  const { kinds, codeA, codeB, parameter, direction, neighbors, degree, matrices } = compiled;
  const size = occupancy.length;
  const n = kinds.length;
  for (let o = 0; o < n; o++) {
    const a = codeA[o];
    const kind = kinds[o];
    if (kind === OBSERVABLE_COUNT) out[offset + o] = counts[a];
    else if (kind === OBSERVABLE_PAIR) {
      const m = matrices[parameter[o]];
      const b = codeB[o];
      out[offset + o] = a === b ? m[a * (S + 1) + a] : m[a * (S + 1) + b] + m[b * (S + 1) + a];
    } else {
      const length = parameter[o];
      const dir = direction[o];
      const end = lists === null ? size : a * size + counts[a];
      let runs = 0;
      for (let p = lists === null ? 0 : a * size; p < end; p++) {
        const i = lists === null ? p : lists[p];
        if (occupancy[i] !== a) continue;
        let j = i;
        let m = 1;
        while (m < length) {
          j = neighbors[j * degree + dir];
          if (j < 0 || occupancy[j] !== a) break;
          m++;
        }
        if (m === length) runs++;
      }
      out[offset + o] = runs;
    }
  }
}

/**
 * {@link measureObservables} of a live {@link LatticeState} (same lattice and species), by sparse passes over its
 * per-species site lists: the cost is proportional to the number of particles, not of sites. Same values.
 *
 * @example
 * ```ts
 * const row = new Float64Array(compiled.names.length);
 * sim.run((i, t, state) => measureObservablesState(compiled, state, row, 0));
 * ```
 */
export function measureObservablesState(compiled: CompiledObservables, state: LatticeState, out: Float64Array, offset = 0): void {
  if (state === null || typeof state !== 'object' || !(state.lists instanceof Int32Array) || state.size !== compiled.size) {
    throw new TypeError(`state must be a LatticeState of ${compiled.size} sites; got ${String(state?.size)}`);
  }
  if (state.species.length !== compiled.species.length || state.species.some((s, k) => s !== compiled.species[k])) {
    throw new RangeError(`state.species [${state.species.join(', ')}] differ from the compiled [${compiled.species.join(', ')}]`);
  }
  checkOut(compiled, out, offset);
  measureStateUnchecked(compiled, state, out, offset);
}

/**
 * Kernel of {@link measureObservablesState} without argument checks (the state must be of the compiled lattice and
 * species; `out` room for every column): for per-time-point callbacks of ensembles.
 *
 * @example
 * ```ts
 * simulateLattice(config, rng, { onRecord: (i, _t, state) => measureStateUnchecked(compiled, state, rows, i * K) });
 * ```
 */
export function measureStateUnchecked(compiled: CompiledObservables, state: LatticeState, out: Float64Array, offset: number): void {
  const S = compiled.species.length;
  const { groups, matrices } = compiled;
  const ix = state.listsStale ? state.rowIndex : null;
  if (ix !== null) {
    // A row-biased kernel skipped the lists' upkeep and kept its row index: read the particles from there.
    const { occupancy, counts } = state;
    for (let g = 0; g < groups.length; g++) {
      matrices[g].fill(0);
      accumulatePairsRowIndex(occupancy, ix, groups[g], S, matrices[g]);
    }
    writeColumns(compiled, occupancy, counts, null, out, offset);
    return;
  }
  ensureLists(state);
  const { occupancy, lists, counts } = state;
  for (let g = 0; g < groups.length; g++) {
    matrices[g].fill(0);
    accumulatePairsSparse(occupancy, lists, counts, groups[g], S, matrices[g]);
  }
  writeColumns(compiled, occupancy, counts, lists, out, offset);
}
