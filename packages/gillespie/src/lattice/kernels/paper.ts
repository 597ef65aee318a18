/**
 * The operator-split hybrid scheme of LatticeGillespieCpp 2.0 (spec section 2), with uniform random selection.
 *
 * Per step [t, t + Δt): unimolecular reactions run on a global Gillespie clock (propensities from the global
 * counts; the scheduled event and its time are not recomputed after a sweep, as in the original), then one
 * synchronous sweep in which every particle present at the start of the sweep, in uniformly random order, tries one
 * hop to a uniformly random neighbour; a hop onto a particle of a reacting species fires each registered contact
 * reaction with its probability (first that fires wins), products do not move again, and a consumed occupant
 * loses its hop.
 */
import type { Rng } from '../../rng.ts';
import type { CompiledLatticeModel } from '../model.ts';
import { UNI_BIRTH_ANYWHERE, UNI_BIRTH_NEIGHBOUR, UNI_CONVERSION, UNI_DECAY, UNI_IMMIGRATION, UNI_SPLITTING } from '../model.ts';
import { ensureLists, hop, MOVED_FLAG, type OccupancyArrays, rebuildLists, rebuildListsClearingFlags, setClass, takeFreeAt } from './occupancy.ts';
import { countsFromRowIndex, createRowIndex, type RowIndex, rebuildRowIndex, rebuildRowIndexClearingFlags, rowIndexMove, rowIndexPick } from './rows.ts';

/** Retries of a neighbour birth when the chosen parent has no free neighbour (as in the original). */
export const NEIGHBOUR_BIRTH_RETRIES = 20;

/** Counters every kernel maintains: index 0 hop attempts, 1 hops, 2 contact reactions, 3 unimolecular events, 4 null events. */
export const COUNTER_ATTEMPTS = 0;
export const COUNTER_HOPS = 1;
export const COUNTER_CONTACTS = 2;
export const COUNTER_UNI = 3;
export const COUNTER_NULL = 4;

/** Everything {@link paperStep} reads and writes; built once per run by {@link createPaperContext}. */
export interface PaperContext {
  readonly s: OccupancyArrays;
  readonly neighbors: Int32Array;
  readonly degree: number;
  /** 32 − log2(degree) if the degree is a power of two, else −1. */
  readonly dirShift: number;
  /**
   * True when `neighbors` is the periodic 2-D square lattice of `rows` × `rowLength` sites (checked once): the sweep
   * then computes a neighbour instead of reading the 16-byte-per-site table, which stays out of the cache.
   */
  readonly periodic2d: boolean;
  readonly speciesCount: number;
  readonly mobile: Uint8Array;
  readonly model: CompiledLatticeModel;
  readonly uniProp: Float64Array;
  /** Ordered pair (mover, occupant) → range in pairReaction. */
  readonly pairStart: Int32Array;
  readonly pairReaction: Int32Array;
  readonly pairMoverFirst: Uint8Array;
  readonly order: Int32Array;
  readonly stamp: Uint8Array;
  readonly counters: Float64Array;
  /** Emulate the original's row-biased picks (spec 2.3) instead of uniform ones. */
  readonly rowBiased: boolean;
  /** Sites per row (the stride of axis 0) and number of rows, for the row-biased picks. */
  readonly rowLength: number;
  readonly rows: number;
  /** Row-biased picks: the per-row site lists of every class (null with uniform picks). */
  readonly rowIndex: RowIndex | null;
  /**
   * Row-biased sweep order: per-row lists of the molecules still to draw, packed back to back (row r's list starts
   * at `todoStart[r]`, so the lists take as little memory as the molecules), their counts, the rows holding any.
   */
  readonly todoList: Int32Array;
  readonly todoStart: Int32Array;
  readonly todoCount: Int32Array;
  readonly todoRows: Int32Array;
  sweepId: number;
  scheduled: boolean;
  nextTime: number;
  nextReaction: number;
  time: number;
}

/** Allocates the context of the paper scheme for a state and a compiled model. */
export function createPaperContext(
  s: OccupancyArrays,
  neighbors: Int32Array,
  degree: number,
  model: CompiledLatticeModel,
  rowLength = s.size,
  rowBiased = false,
): PaperContext {
  const S = model.speciesCount;
  const mobile = new Uint8Array(S + 1);
  for (let k = 1; k <= S; k++) mobile[k] = model.hopRate[k] > 0 ? 1 : 0;
  const pairs: number[][] = Array.from({ length: (S + 1) * (S + 1) }, () => []);
  const firsts: number[][] = Array.from({ length: (S + 1) * (S + 1) }, () => []);
  for (let r = 0; r < model.contactCount; r++) {
    const a = model.contactReactant0[r];
    const b = model.contactReactant1[r];
    pairs[a * (S + 1) + b].push(r);
    firsts[a * (S + 1) + b].push(1);
    // A + A is one ordered pair: registering it twice would test each collision twice (probability 1 - (1 - p)^2),
    // where the original (Species::add_rxn) registers it once.
    if (a === b) continue;
    pairs[b * (S + 1) + a].push(r);
    firsts[b * (S + 1) + a].push(0);
  }
  const pairStart = new Int32Array(pairs.length + 1);
  for (let i = 0; i < pairs.length; i++) pairStart[i + 1] = pairStart[i] + pairs[i].length;
  const log2 = Math.log2(degree);
  const rowIndex = rowBiased ? createRowIndex(s.occupancy, rowLength, S + 1) : null;
  if (rowIndex) {
    rebuildRowIndex(rowIndex);
    // Row-biased picks and sweeps read the row index only: skip the upkeep of the class lists (rebuilt on demand).
    s.listsStale = true;
  } else ensureLists(s); // uniform picks read the class lists
  s.rowIndex = rowIndex;
  return {
    s,
    neighbors,
    degree,
    dirShift: Number.isInteger(log2) ? 32 - log2 : -1,
    periodic2d: isPeriodic2d(neighbors, degree, s.size, rowLength),
    speciesCount: S,
    mobile,
    model,
    uniProp: new Float64Array(model.uniCount),
    pairStart,
    pairReaction: Int32Array.from(pairs.flat()),
    pairMoverFirst: Uint8Array.from(firsts.flat()),
    order: new Int32Array(s.size),
    stamp: new Uint8Array(s.size),
    counters: new Float64Array(5),
    rowBiased,
    rowLength,
    rows: s.size / rowLength,
    rowIndex,
    todoList: new Int32Array(rowBiased ? s.size : 0),
    todoStart: new Int32Array(rowBiased ? s.size / rowLength : 0),
    todoCount: new Int32Array(rowBiased ? s.size / rowLength : 0),
    todoRows: new Int32Array(rowBiased ? s.size / rowLength : 0),
    sweepId: 0,
    scheduled: false,
    nextTime: 0,
    nextReaction: -1,
    time: 0,
  };
}

/** Whether a neighbour table is that of a periodic `size / rowLength` × `rowLength` square lattice (O(size)). */
function isPeriodic2d(nb: Int32Array, degree: number, size: number, rowLength: number): boolean {
  if (degree !== 4 || size % rowLength !== 0 || rowLength < 3 || size / rowLength < 3) return false;
  for (let site = 0; site < size; site++) {
    const col = site % rowLength;
    const up = site - rowLength < 0 ? site - rowLength + size : site - rowLength;
    const down = site + rowLength >= size ? site + rowLength - size : site + rowLength;
    const left = col === 0 ? site + rowLength - 1 : site - 1;
    const right = col === rowLength - 1 ? site + 1 - rowLength : site + 1;
    const i = site * 4;
    if (nb[i] !== up || nb[i + 1] !== down || nb[i + 2] !== left || nb[i + 3] !== right) return false;
  }
  return true;
}

/** A random site of class k: uniform, or row-biased (spec 2.3, O(1)). Assumes the class is non-empty. */
function pick(c: PaperContext, k: number, rng: Rng): number {
  if (c.rowIndex !== null) return rowIndexPick(c.rowIndex, k, rng);
  return c.s.lists[k * c.s.size + Math.floor(rng.nextFloat64() * c.s.counts[k])];
}

/** Puts `site` into class `to`, keeping the row index (if any) in step. */
function moveTo(c: PaperContext, site: number, to: number): void {
  const ix = c.rowIndex;
  if (ix !== null) {
    const from = c.s.occupancy[site];
    if (from !== to) rowIndexMove(ix, site, (site / c.rowLength) | 0, from, to);
  }
  setClass(c.s, site, to);
}

/**
 * Places `n` particles of species k on free sites picked as the original does (row-biased; uniform without a row
 * index), one pick per particle: O(1) each, no scan of the lattice. Returns false (placing nothing more) when the
 * lattice fills up.
 */
export function placeParticles(c: PaperContext, k: number, n: number, rng: Rng): boolean {
  for (let i = 0; i < n; i++) {
    if (c.s.counts[0] === 0) return false;
    moveTo(c, pick(c, 0, rng), k);
  }
  return true;
}

/** Draws the next unimolecular event from the current counts (the original's `schedule_uni`). */
function scheduleUni(c: PaperContext, rng: Rng): void {
  const m = c.model;
  const counts = c.s.counts;
  let total = 0;
  for (let r = 0; r < m.uniCount; r++) {
    const n = counts[m.uniReactant[r]];
    const a = m.uniRate[r] * Math.max(n, m.uniFloor[r]);
    c.uniProp[r] = a;
    total += a;
  }
  if (!(total > 0)) {
    c.scheduled = false;
    return;
  }
  let u = rng.nextFloat64() * total;
  let r = 0;
  while (r < m.uniCount - 1 && u >= c.uniProp[r]) u -= c.uniProp[r++];
  c.nextReaction = r;
  c.nextTime = c.time - Math.log(1 - rng.nextFloat64()) / total;
  c.scheduled = true;
}

/** Executes unimolecular reaction r (a no-op when its reactant has meanwhile vanished, or no site is free). */
function executeUni(c: PaperContext, r: number, rng: Rng): boolean {
  const m = c.model;
  const s = c.s;
  const type = m.uniType[r];
  const k = m.uniReactant[r];
  if (type === UNI_BIRTH_ANYWHERE || type === UNI_IMMIGRATION) {
    const free = s.counts[0];
    if (free === 0) return false;
    // Uniform picks take the free site by its list position (the same draw as pick), which needs no free-site
    // positions (the rebuild after a large sweep leaves them stale).
    if (c.rowIndex === null) takeFreeAt(s, Math.floor(rng.nextFloat64() * free), m.uniProduct[r]);
    else moveTo(c, pick(c, 0, rng), m.uniProduct[r]);
    return true;
  }
  const n = s.counts[k];
  if (n === 0) return false;
  if (type === UNI_DECAY || type === UNI_CONVERSION) {
    const site = pick(c, k, rng);
    moveTo(c, site, type === UNI_DECAY ? 0 : m.uniProduct[r]);
    return true;
  }
  if (type === UNI_BIRTH_NEIGHBOUR || type === UNI_SPLITTING) {
    const degree = c.degree;
    const nb = c.neighbors;
    const occ = s.occupancy;
    for (let attempt = 0; attempt < NEIGHBOUR_BIRTH_RETRIES; attempt++) {
      const site = pick(c, k, rng);
      let free = 0;
      for (let d = 0; d < degree; d++) {
        const t = nb[site * degree + d];
        if (t >= 0 && occ[t] === 0) free++;
      }
      if (free === 0) continue;
      let choice = Math.floor(rng.nextFloat64() * free);
      for (let d = 0; d < degree; d++) {
        const t = nb[site * degree + d];
        if (t >= 0 && occ[t] === 0 && choice-- === 0) {
          moveTo(c, t, m.uniProduct[r]);
          if (type === UNI_SPLITTING) moveTo(c, site, m.uniSiteProduct[r]);
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * The original's sweep order (spec 2.3): repeatedly a row-biased pick among the molecules not yet drawn (a row
 * uniformly among the rows with molecules left, then one of them uniformly), in O(1) per draw. The order is fixed
 * up front (a molecule consumed before its turn is skipped when its turn comes, which draws the same sequence as
 * removing it from the pool, up to the positions of consumed molecules). Writes `order` and returns its length.
 */
export function rowBiasedOrder(c: PaperContext, rng: Rng): number {
  const ix = c.rowIndex!;
  const { order, todoList, todoStart, todoCount, todoRows, rowLength, rows, mobile, speciesCount } = c;
  const size = c.s.size;
  let count = 0;
  let nonEmpty = 0;
  for (let r = 0, base = 0; r < rows; r++, base += rowLength) {
    const start = count;
    for (let k = 1; k <= speciesCount; k++) {
      if (mobile[k] === 0) continue;
      const m = ix.rowCount[k * rows + r];
      const from = (k - 1) * size + base;
      for (let p = 0; p < m; p++) todoList[count++] = ix.lists[from + p];
    }
    todoStart[r] = start;
    todoCount[r] = count - start;
    if (count > start) todoRows[nonEmpty++] = r;
  }
  for (let i = 0; i < count; i++) {
    // One uniform double serves both draws: its integer part picks the row, and the fractional part of u · rows,
    // uniform on [0, 1) and independent of the row (to 53 − log2(rows) bits), the molecule.
    const u = rng.nextFloat64() * nonEmpty;
    const q = Math.floor(u);
    const row = todoRows[q];
    const base = todoStart[row];
    const n = todoCount[row];
    const j = base + Math.floor((u - q) * n);
    order[i] = todoList[j];
    todoList[j] = todoList[base + n - 1];
    todoCount[row] = n - 1;
    if (n === 1) todoRows[q] = todoRows[--nonEmpty];
  }
  return count;
}

/** One diffusion + contact sweep. */
function sweep(c: PaperContext, rng: Rng): void {
  const s = c.s;
  const size = s.size;
  const occ = s.occupancy;
  const order = c.order;
  const stamp = c.stamp;
  const nb = c.neighbors;
  const degree = c.degree;
  const shift = c.dirShift;
  const S = c.speciesCount;
  const m = c.model;
  const counters = c.counters;
  if (c.sweepId === 0xff) {
    stamp.fill(0);
    c.sweepId = 0;
  }
  const id = ++c.sweepId;
  const ix = c.rowIndex;
  let count = 0;
  if (ix !== null) count = rowBiasedOrder(c, rng);
  else {
    for (let k = 1; k <= S; k++) {
      if (c.mobile[k] === 0) continue;
      const n = s.counts[k];
      order.set(s.lists.subarray(k * size, k * size + n), count);
      count += n;
    }
    // Fisher-Yates: a uniformly random processing order.
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.nextFloat64() * (i + 1));
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }
  const rowLength = c.rowLength;
  const periodic2d = c.periodic2d;
  // Small sparse lattices keep the lists in step with every move; large (out of cache) or dense ones only rewrite
  // occupancy codes and rebuild the lists afterwards in one sequential pass, which avoids random writes.
  const deferred = size > 65536 || count * 4 >= size;
  if (deferred && S < MOVED_FLAG) {
    flaggedSweep(c, rng, count);
    if (ix === null) rebuildListsClearingFlags(s);
    else {
      // Row-biased picks read only the row index; the class lists stay stale until something reads them.
      rebuildRowIndexClearingFlags(ix);
      countsFromRowIndex(ix, s.counts);
      s.listsStale = true;
    }
    return;
  }
  let attempts = 0;
  let hops = 0;
  let reactions = 0;
  for (let i = 0; i < count; i++) {
    const site = order[i];
    const a = occ[site];
    if (a === 0 || stamp[site] === id) continue; // consumed, or a product that already counts as moved
    attempts++;
    const d = shift >= 0 ? rng.nextUint32() >>> shift : Math.floor(rng.nextFloat64() * degree);
    let target: number;
    if (periodic2d) {
      // the table's directions: 0 = row above, 1 = row below, 2 = left, 3 = right (all wrapping)
      if (d === 0) target = site < rowLength ? site - rowLength + size : site - rowLength;
      else if (d === 1) target = site + rowLength >= size ? site + rowLength - size : site + rowLength;
      else if (d === 2) target = site % rowLength === 0 ? site + rowLength - 1 : site - 1;
      else target = (site + 1) % rowLength === 0 ? site + 1 - rowLength : site + 1;
    } else target = nb[site * degree + d];
    if (target < 0) {
      stamp[site] = id;
      continue;
    }
    const b = occ[target];
    if (b === 0) {
      if (deferred) {
        occ[target] = a;
        occ[site] = 0;
      } else {
        hop(s, site, target);
        if (ix !== null) {
          rowIndexMove(ix, site, (site / rowLength) | 0, a, 0);
          rowIndexMove(ix, target, (target / rowLength) | 0, 0, a);
        }
      }
      stamp[target] = id;
      hops++;
      continue;
    }
    const pair = a * (S + 1) + b;
    const end = c.pairStart[pair + 1];
    let fired = -1;
    for (let p = c.pairStart[pair]; p < end; p++) {
      if (rng.nextFloat64() < m.contactProbability[c.pairReaction[p]]) {
        fired = p;
        break;
      }
    }
    stamp[site] = id;
    if (fired < 0) continue;
    const r = c.pairReaction[fired];
    const first = c.pairMoverFirst[fired] === 1;
    if (deferred) {
      occ[first ? site : target] = m.contactProduct0[r];
      occ[first ? target : site] = m.contactProduct1[r];
    } else {
      moveTo(c, first ? site : target, m.contactProduct0[r]);
      moveTo(c, first ? target : site, m.contactProduct1[r]);
    }
    stamp[target] = id;
    reactions++;
  }
  if (deferred) {
    rebuildLists(s);
    if (ix !== null) rebuildRowIndex(ix);
  }
  counters[COUNTER_ATTEMPTS] += attempts;
  counters[COUNTER_HOPS] += hops;
  counters[COUNTER_CONTACTS] += reactions;
}

/**
 * The deferred sweep with the "moved" mark in the occupancy byte ({@link MOVED_FLAG}) instead of a separate stamp
 * array: each attempt reads one cache line for the mover instead of two, and the list rebuild that follows clears
 * the marks in the same pass. Draws exactly what the stamped sweep draws and leaves the same occupancy. Needs fewer
 * than 128 species.
 */
function flaggedSweep(c: PaperContext, rng: Rng, count: number): void {
  const occ = c.s.occupancy;
  const size = c.s.size;
  const order = c.order;
  const nb = c.neighbors;
  const degree = c.degree;
  const shift = c.dirShift;
  const stride = c.speciesCount + 1;
  const pairStart = c.pairStart;
  const pairReaction = c.pairReaction;
  const pairMoverFirst = c.pairMoverFirst;
  const probability = c.model.contactProbability;
  const product0 = c.model.contactProduct0;
  const product1 = c.model.contactProduct1;
  const rowLength = c.rowLength;
  const lastRowStart = size - rowLength;
  const periodic2d = c.periodic2d;
  let attempts = 0;
  let hops = 0;
  let reactions = 0;
  for (let i = 0; i < count; i++) {
    const site = order[i];
    const a = occ[site];
    if (a === 0 || a >= MOVED_FLAG) continue; // consumed, or moved already (a flagged 0 is a consumed site)
    attempts++;
    const d = shift >= 0 ? rng.nextUint32() >>> shift : Math.floor(rng.nextFloat64() * degree);
    let target: number;
    if (periodic2d) {
      // the table's directions: 0 = row above, 1 = row below, 2 = left, 3 = right (all wrapping)
      if (d === 0) target = site < rowLength ? site + lastRowStart : site - rowLength;
      else if (d === 1) target = site >= lastRowStart ? site - lastRowStart : site + rowLength;
      else if (d === 2) target = site % rowLength === 0 ? site + rowLength - 1 : site - 1;
      else target = (site + 1) % rowLength === 0 ? site + 1 - rowLength : site + 1;
    } else {
      target = nb[site * degree + d];
      if (target < 0) {
        occ[site] = a | MOVED_FLAG;
        continue;
      }
    }
    const b = occ[target] & ~MOVED_FLAG;
    if (b === 0) {
      occ[target] = a | MOVED_FLAG;
      occ[site] = 0;
      hops++;
      continue;
    }
    const pair = a * stride + b;
    const end = pairStart[pair + 1];
    let fired = -1;
    for (let p = pairStart[pair]; p < end; p++) {
      if (rng.nextFloat64() < probability[pairReaction[p]]) {
        fired = p;
        break;
      }
    }
    if (fired < 0) {
      occ[site] = a | MOVED_FLAG;
      continue;
    }
    const r = pairReaction[fired];
    const first = pairMoverFirst[fired] === 1;
    occ[first ? site : target] = product0[r] | MOVED_FLAG;
    occ[first ? target : site] = product1[r] | MOVED_FLAG;
    reactions++;
  }
  const counters = c.counters;
  counters[COUNTER_ATTEMPTS] += attempts;
  counters[COUNTER_HOPS] += hops;
  counters[COUNTER_CONTACTS] += reactions;
}

/** Advances the paper scheme from `c.time` to `tEnd` (one step: unimolecular events, then one sweep). */
export function paperStep(c: PaperContext, rng: Rng, tEnd: number): void {
  if (!c.scheduled) scheduleUni(c, rng);
  while (c.scheduled && c.nextTime < tEnd) {
    if (executeUni(c, c.nextReaction, rng)) c.counters[COUNTER_UNI]++;
    else c.counters[COUNTER_NULL]++;
    c.time = c.nextTime;
    scheduleUni(c, rng);
  }
  sweep(c, rng);
  c.time = tEnd;
}
