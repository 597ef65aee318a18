/**
 * The mutable state of a single-occupancy lattice: which species sits on each site, with O(1) uniform picks of a
 * particle of a species or of a free site.
 */
import { createLatticeGeometry, type LatticeBoundary, type LatticeGeometry } from './geometry.ts';
import { clearOccupancy, ensureLists, hop, type OccupancyArrays, setClass } from './kernels/occupancy.ts';
import type { RowIndex } from './kernels/rows.ts';
import type { LatticeSnapshot } from './snapshot.ts';
import type { Rng } from '../rng.ts';

/** Largest number of species (occupancy codes are bytes; 0 means empty). */
export const MAX_LATTICE_SPECIES = 255;

function checkSpeciesNames(species: unknown, name = 'species'): string[] {
  if (!Array.isArray(species) || species.length < 1 || species.length > MAX_LATTICE_SPECIES) {
    throw new RangeError(`${name} must be an array of 1 to ${MAX_LATTICE_SPECIES} names; got ${String(species)}`);
  }
  const seen = new Set<string>();
  for (const s of species) {
    if (typeof s !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) {
      throw new RangeError(`${name} entries must be identifiers (letters, digits, _); got ${JSON.stringify(s)}`);
    }
    if (seen.has(s)) throw new RangeError(`${name} has a duplicate name ${JSON.stringify(s)}`);
    seen.add(s);
  }
  return species.slice() as string[];
}
export { checkSpeciesNames };

/**
 * A single-occupancy lattice with per-species site lists and a free-site list.
 *
 * The typed arrays are exposed read-only for kernels and statistics; change the state only through the methods.
 *
 * @example
 * ```ts
 * const state = new LatticeState(createLatticeGeometry([4, 4]), ['X', 'Y']);
 * state.place(5, 'X');
 * state.count('X');            // 1
 * state.speciesAt(5);          // 'X'
 * state.randomSite('X', createRng(1)); // 5
 * ```
 */
export class LatticeState implements OccupancyArrays {
  /** The lattice. */
  readonly geometry: LatticeGeometry;
  /** Species names; species k (1-based) has code k in {@link occupancy}. */
  readonly species: readonly string[];
  /** Number of sites. */
  readonly size: number;
  /** Occupancy code per site: 0 empty, k species k. */
  readonly occupancy: Uint8Array;
  /** Position of each site in the list of its class. */
  readonly position: Int32Array;
  /** Class lists back to back: class k (0 = free) occupies `[k * size, k * size + counts[k])`. */
  readonly lists: Int32Array;
  /** Number of sites per class (index 0 = free sites). */
  readonly counts: Int32Array;
  /**
   * True while a kernel skips the upkeep of {@link lists} and {@link position} (the methods below bring them up to
   * date before reading them; code that reads the arrays directly calls `ensureLists` first).
   */
  listsStale = false;
  /** True while only the positions of free sites are out of date (see `OccupancyArrays.freePositionsStale`). */
  freePositionsStale = false;
  /**
   * The row index of a simulator with the original's row-biased picks, kept in step with {@link occupancy} while
   * the lists are stale (null otherwise); the observables read the particles from it instead of rebuilding the lists.
   */
  rowIndex: RowIndex | null = null;

  constructor(geometry: LatticeGeometry, species: readonly string[]) {
    if (geometry === null || typeof geometry !== 'object' || !(geometry.neighbors instanceof Int32Array)) {
      throw new TypeError(`geometry must come from createLatticeGeometry; got ${String(geometry)}`);
    }
    this.geometry = geometry;
    this.species = checkSpeciesNames(species as unknown[]);
    this.size = geometry.size;
    this.occupancy = new Uint8Array(this.size);
    this.position = new Int32Array(this.size);
    this.lists = new Int32Array((this.species.length + 1) * this.size);
    this.counts = new Int32Array(this.species.length + 1);
    clearOccupancy(this);
  }

  /**
   * A state for `shape`/`boundary` filled from a snapshot of the same shape.
   *
   * @example
   * ```ts
   * const s = LatticeState.fromSnapshot({ shape: [2, 2], species: ['X'], occupancy: Uint8Array.of(1, 0, 0, 1) });
   * s.count('X'); // 2
   * ```
   */
  static fromSnapshot(snapshot: LatticeSnapshot, boundary: LatticeBoundary = 'periodic'): LatticeState {
    const state = new LatticeState(createLatticeGeometry(snapshot.shape, boundary), snapshot.species);
    state.load(snapshot.occupancy);
    return state;
  }

  /** Code (1-based) of a species name; throws a RangeError for an unknown name. */
  code(species: string | number): number {
    if (typeof species === 'number') {
      if (!Number.isInteger(species) || species < 1 || species > this.species.length) {
        throw new RangeError(`species code must be an integer in [1, ${this.species.length}]; got ${species}`);
      }
      return species;
    }
    const index = this.species.indexOf(species);
    if (index < 0) throw new RangeError(`unknown species ${JSON.stringify(species)}; known: ${this.species.join(', ')}`);
    return index + 1;
  }

  private checkSite(site: number, name = 'site'): void {
    if (!Number.isInteger(site) || site < 0 || site >= this.size) {
      throw new RangeError(`${name} must be an integer in [0, ${this.size}); got ${site}`);
    }
  }

  /** Number of particles of `species` (name or code), or of free sites for code 0. */
  count(species: string | number): number {
    return species === 0 ? this.counts[0] : this.counts[this.code(species)];
  }

  /** Species name at `site`, or null if empty. */
  speciesAt(site: number): string | null {
    this.checkSite(site);
    const k = this.occupancy[site];
    return k === 0 ? null : this.species[k - 1];
  }

  /** Puts `species` on the empty `site`; throws if the site is occupied (single occupancy). */
  place(site: number, species: string | number): void {
    this.checkSite(site);
    const k = this.code(species);
    if (this.occupancy[site] !== 0) {
      throw new RangeError(`site ${site} is already occupied by ${this.species[this.occupancy[site] - 1]}`);
    }
    setClass(this, site, k);
  }

  /** Empties `site` (no-op if already empty). */
  remove(site: number): void {
    this.checkSite(site);
    setClass(this, site, 0);
  }

  /** Changes the particle at occupied `site` into `species`. */
  convert(site: number, species: string | number): void {
    this.checkSite(site);
    const k = this.code(species);
    if (this.occupancy[site] === 0) throw new RangeError(`site ${site} is empty; nothing to convert`);
    setClass(this, site, k);
  }

  /** Moves the particle at `from` to the empty site `to` (any site, not only a neighbour). */
  move(from: number, to: number): void {
    this.checkSite(from, 'from');
    this.checkSite(to, 'to');
    if (this.occupancy[from] === 0) throw new RangeError(`from site ${from} is empty`);
    if (this.occupancy[to] !== 0) throw new RangeError(`to site ${to} is occupied`);
    hop(this, from, to);
  }

  /** A uniformly random site holding `species` (0 = a free site), or −1 if there is none. */
  randomSite(species: string | number, rng: Rng): number {
    const k = species === 0 ? 0 : this.code(species);
    const n = this.counts[k];
    if (n === 0) return -1;
    ensureLists(this);
    return this.lists[k * this.size + Math.floor(rng.nextFloat64() * n)];
  }

  /** The sites of `species` (0 = free sites) as a fresh array, in internal (arbitrary) order. */
  sitesOf(species: string | number): Int32Array {
    const k = species === 0 ? 0 : this.code(species);
    ensureLists(this);
    return this.lists.slice(k * this.size, k * this.size + this.counts[k]);
  }

  /** Empties the lattice. */
  clear(): void {
    clearOccupancy(this);
  }

  /** Replaces the whole state by `occupancy` (codes 0..species.length, length = size). */
  load(occupancy: Uint8Array): void {
    if (!(occupancy instanceof Uint8Array) || occupancy.length !== this.size) {
      throw new TypeError(`occupancy must be a Uint8Array of length ${this.size}; got ${String(occupancy?.length)}`);
    }
    for (let i = 0; i < occupancy.length; i++) {
      if (occupancy[i] > this.species.length) {
        throw new RangeError(`occupancy[${i}] = ${occupancy[i]} exceeds the number of species ${this.species.length}`);
      }
    }
    clearOccupancy(this);
    for (let i = 0; i < occupancy.length; i++) if (occupancy[i] !== 0) setClass(this, i, occupancy[i]);
  }

  /**
   * Places `counts[name]` particles of each species on distinct, uniformly random free sites (species in the order
   * of {@link species}).
   */
  scatter(counts: Readonly<Record<string, number>>, rng: Rng): void {
    let total = 0;
    for (const [name, n] of Object.entries(counts)) {
      this.code(name);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`initial count of ${name} must be a non-negative integer; got ${n}`);
      total += n;
    }
    if (total > this.counts[0]) {
      throw new RangeError(`initial counts total ${total}, more than the ${this.counts[0]} free sites`);
    }
    ensureLists(this);
    for (let k = 1; k <= this.species.length; k++) {
      const n = counts[this.species[k - 1]] ?? 0;
      for (let i = 0; i < n; i++) {
        const site = this.lists[Math.floor(rng.nextFloat64() * this.counts[0])];
        setClass(this, site, k);
      }
    }
  }

  /** A copy of the current configuration as a snapshot. */
  snapshot(): LatticeSnapshot {
    return { shape: this.geometry.shape.slice(), species: this.species.slice(), occupancy: this.occupancy.slice() };
  }

  /**
   * Checks every internal invariant (lists, positions, counts agree with the occupancy); throws an Error describing
   * the first violation. O(size); for tests.
   */
  checkInvariants(): void {
    ensureLists(this);
    const total = this.counts.reduce((a, b) => a + b, 0);
    if (total !== this.size) throw new Error(`class counts sum to ${total}, not ${this.size}`);
    for (let k = 0; k <= this.species.length; k++) {
      for (let p = 0; p < this.counts[k]; p++) {
        const site = this.lists[k * this.size + p];
        if (this.occupancy[site] !== k) throw new Error(`site ${site} listed in class ${k} holds ${this.occupancy[site]}`);
        if (this.position[site] !== p) throw new Error(`site ${site} has position ${this.position[site]}, listed at ${p}`);
      }
    }
  }
}
