/**
 * Allocation-free bookkeeping of a single-occupancy lattice: occupancy codes, one dense list of sites per class
 * (class 0 = free sites, class k = species k) stored back to back in one `Int32Array`, and each site's position in
 * the list of its class. Every operation is O(1). No validation: callers guarantee valid sites and classes.
 */

/** The arrays behind a lattice state. `lists[k * size + p]` for p < `counts[k]` are the sites of class k. */
export interface OccupancyArrays {
  readonly size: number;
  readonly occupancy: Uint8Array;
  readonly position: Int32Array;
  readonly lists: Int32Array;
  readonly counts: Int32Array;
}

/** Moves `site` from its current class to class `to` (0 = empty). */
export function setClass(s: OccupancyArrays, site: number, to: number): void {
  const from = s.occupancy[site];
  if (from === to) return;
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
}
