/**
 * Allocation-free bookkeeping of a single-occupancy lattice: occupancy codes, one dense list of sites per class
 * (class 0 = free sites, class k = species k) stored back to back in one `Int32Array`, and each site's position in
 * the list of its class. Every operation is O(1). No validation: callers guarantee valid sites and classes.
 */
import type { RowIndex } from './rows.ts';

/** The arrays behind a lattice state. `lists[k * size + p]` for p < `counts[k]` are the sites of class k. */
export interface OccupancyArrays {
  readonly size: number;
  readonly occupancy: Uint8Array;
  readonly position: Int32Array;
  readonly lists: Int32Array;
  readonly counts: Int32Array;
  /**
   * True while `lists` and `position` are out of date (only `occupancy` and `counts` are kept): a kernel that never
   * reads the lists (the row-biased paper scheme) sets it to skip their upkeep; {@link ensureLists} rebuilds them
   * (in ascending site order) before anything reads them.
   */
  listsStale: boolean;
  /**
   * True while only the positions of free sites are out of date (the lists are right): the rebuild after a large
   * sweep skips them, since only taking a free site by its identity (not by its list position) reads them;
   * {@link setClass} and {@link hop} derive them first when needed.
   */
  freePositionsStale: boolean;
  /**
   * The row index a kernel keeps in step with the occupancy for the original's row-biased picks (null otherwise).
   * While {@link listsStale} is set it is the up-to-date particle index: readers that only need every particle
   * once (the observables) walk it instead of rebuilding the lists.
   */
  rowIndex: RowIndex | null;
}

/** Moves `site` from its current class to class `to` (0 = empty). */
export function setClass(s: OccupancyArrays, site: number, to: number): void {
  const from = s.occupancy[site];
  if (from === to) return;
  if (s.listsStale) {
    s.counts[from]--;
    s.counts[to]++;
    s.occupancy[site] = to;
    return;
  }
  if (from === 0 && s.freePositionsStale) deriveFreePositions(s);
  const size = s.size;
  const lists = s.lists;
  const position = s.position;
  // swap-remove from the old list
  const p = position[site];
  const lastIndex = --s.counts[from];
  const last = lists[from * size + lastIndex];
  lists[from * size + p] = last;
  position[last] = p;
  // append to the new list
  const q = s.counts[to]++;
  lists[to * size + q] = site;
  position[site] = q;
  s.occupancy[site] = to;
}

/** Moves the particle at occupied `site` to the empty site `target` (swaps their list entries in place). */
export function hop(s: OccupancyArrays, site: number, target: number): void {
  const k = s.occupancy[site];
  if (s.listsStale) {
    s.occupancy[target] = k;
    s.occupancy[site] = 0;
    return;
  }
  if (s.freePositionsStale) deriveFreePositions(s);
  const position = s.position;
  const p = position[site];
  const q = position[target];
  s.lists[k * s.size + p] = target;
  position[target] = p;
  s.lists[q] = site; // the free list is class 0
  position[site] = q;
  s.occupancy[target] = k;
  s.occupancy[site] = 0;
}

/** Empties every site (all sites in the free list, in order). */
export function clearOccupancy(s: OccupancyArrays): void {
  s.occupancy.fill(0);
  s.counts.fill(0);
  for (let i = 0; i < s.size; i++) {
    s.lists[i] = i;
    s.position[i] = i;
  }
  s.counts[0] = s.size;
  s.listsStale = false;
  s.freePositionsStale = false;
}

/**
 * Puts the free site at position `p` of the free list into class `to` (≥ 1): {@link setClass} for a free site
 * picked by its list position, without reading its position. Requires up-to-date lists.
 *
 * @example
 * ```ts
 * takeFreeAt(state, Math.floor(rng.nextFloat64() * state.counts[0]), 1); // a uniform free site becomes species 1
 * ```
 */
export function takeFreeAt(s: OccupancyArrays, p: number, to: number): void {
  const { lists, position, counts, size } = s;
  const site = lists[p];
  const last = lists[--counts[0]];
  lists[p] = last;
  position[last] = p;
  const q = counts[to]++;
  lists[to * size + q] = site;
  position[site] = q;
  s.occupancy[site] = to;
}

/** Writes the position of every free site from the free list (O(free sites)). */
function deriveFreePositions(s: OccupancyArrays): void {
  const { lists, position } = s;
  const n = s.counts[0];
  for (let p = 0; p < n; p++) position[lists[p]] = p;
  s.freePositionsStale = false;
}

/**
 * Rebuilds the lists and positions if they are stale ({@link OccupancyArrays.listsStale}); O(size) then, else O(1).
 *
 * @example
 * ```ts
 * ensureLists(state); // before reading state.lists or state.position directly
 * ```
 */
export function ensureLists(s: OccupancyArrays): void {
  if (s.listsStale) rebuildLists(s);
  else if (s.freePositionsStale) deriveFreePositions(s);
}

/**
 * Rebuilds every class list and position from the occupancy codes in one sequential pass (O(N)). Used after a sweep
 * that only rewrote occupancy codes, which is cheaper on large lattices than keeping the lists in step with every
 * random-access move. `counts` is recomputed too.
 */
export function rebuildLists(s: OccupancyArrays): void {
  const { occupancy, lists, position, counts, size } = s;
  counts.fill(0);
  let free = 0; // in a local: free sites are most of a large lattice
  for (let i = 0; i < size; i++) {
    const k = occupancy[i];
    if (k === 0) {
      lists[free] = i;
      position[i] = free++;
      continue;
    }
    const p = counts[k]++;
    lists[k * size + p] = i;
    position[i] = p;
  }
  counts[0] = free;
  s.listsStale = false;
  s.freePositionsStale = false;
}

/**
 * Flag bit a sweep may set in an occupancy code to mark a particle that has moved (codes stay below it).
 *
 * @example
 * ```ts
 * occupancy[target] = code | MOVED_FLAG; // moved this sweep; (occupancy[target] & ~MOVED_FLAG) is its species
 * ```
 */
export const MOVED_FLAG = 0x80;

/**
 * Whether typed arrays are little-endian here (byte j of a `Uint32Array` word is bits 8j … 8j + 7), which the
 * four-codes-at-a-time passes assume (they fall back to bytes otherwise).
 *
 * @example
 * ```ts
 * if (LITTLE_ENDIAN) words[w] &= 0x7f7f7f7f; // clears the flag of four codes
 * ```
 */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * {@link rebuildLists} after a sweep that marked moved particles with {@link MOVED_FLAG} in their occupancy codes:
 * clears the flags (a flagged 0 is an emptied site) and rebuilds every class list, count and position in the same
 * sequential pass, except the positions of free sites (marked stale: most sites are free, and only taking a free
 * site by its identity reads them). Reads four codes at a time and skips all-empty words. Same lists as clearing
 * the flags and calling {@link rebuildLists}.
 *
 * @example
 * ```ts
 * rebuildListsClearingFlags(state); // after a sweep that wrote codes | MOVED_FLAG
 * ```
 */
export function rebuildListsClearingFlags(s: OccupancyArrays): void {
  const { occupancy, lists, position, counts, size } = s;
  counts.fill(0);
  let free = 0;
  let i = 0;
  if (LITTLE_ENDIAN && occupancy.byteOffset % 4 === 0) {
    const words = new Uint32Array(occupancy.buffer, occupancy.byteOffset, size >>> 2);
    const n = words.length;
    for (let w = 0; w < n; w++, i += 4) {
      let word = words[w];
      if (word === 0) {
        lists[free] = i;
        lists[free + 1] = i + 1;
        lists[free + 2] = i + 2;
        lists[free + 3] = i + 3;
        free += 4;
        continue;
      }
      if ((word & 0x80808080) !== 0) {
        // flags set: clear them (a flagged empty site becomes 0)
        word &= 0x7f7f7f7f;
        words[w] = word;
      }
      for (let j = 0; j < 4; j++, word >>>= 8) {
        const k = word & 0xff;
        const site = i + j;
        if (k === 0) {
          lists[free++] = site;
          continue;
        }
        const p = counts[k]++;
        lists[k * size + p] = site;
        position[site] = p;
      }
    }
  }
  for (; i < size; i++) {
    const k = occupancy[i] & 0x7f;
    occupancy[i] = k;
    if (k === 0) {
      lists[free++] = i;
      continue;
    }
    const p = counts[k]++;
    lists[k * size + p] = i;
    position[i] = p;
  }
  counts[0] = free;
  s.listsStale = false;
  s.freePositionsStale = true;
}

/**
 * Clears the {@link MOVED_FLAG} of every occupancy code (a flagged 0, an emptied site, becomes 0) in one sequential
 * pass, four codes at a time.
 *
 * @example
 * ```ts
 * clearMovedFlags(state.occupancy); // every code back below MOVED_FLAG
 * ```
 */
export function clearMovedFlags(occupancy: Uint8Array): void {
  let i = 0;
  if (occupancy.byteOffset % 4 === 0) {
    // (endianness does not matter: every byte gets the same mask)
    const words = new Uint32Array(occupancy.buffer, occupancy.byteOffset, occupancy.length >>> 2);
    for (let w = 0; w < words.length; w++) words[w] &= 0x7f7f7f7f;
    i = words.length * 4;
  }
  for (; i < occupancy.length; i++) occupancy[i] &= 0x7f;
}
