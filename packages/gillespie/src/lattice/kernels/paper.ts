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
import { hop, type OccupancyArrays, rebuildLists, setClass } from './occupancy.ts';

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
  /** Sites per row (the stride of axis 0) and number of rows, for the row-biased emulation. */
  readonly rowLength: number;
  readonly rows: number;
  /** Row-biased sweep: per-site "still to move" flags and per-row counts. */
  readonly todo: Uint8Array;
  readonly rowTodo: Int32Array;
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
    pairs[b * (S + 1) + a].push(r);
    firsts[b * (S + 1) + a].push(0);
  }
  const pairStart = new Int32Array(pairs.length + 1);
  for (let i = 0; i < pairs.length; i++) pairStart[i + 1] = pairStart[i] + pairs[i].length;
  const log2 = Math.log2(degree);
  return {
    s,
    neighbors,
    degree,
    dirShift: Number.isInteger(log2) ? 32 - log2 : -1,
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
    todo: new Uint8Array(rowBiased ? s.size : 0),
    rowTodo: new Int32Array(rowBiased ? s.size / rowLength : 0),
    sweepId: 0,
    scheduled: false,
    nextTime: 0,
    nextReaction: -1,
    time: 0,
  };
}

/**
 * The original's "random" site of class k (spec 2.3): a row chosen uniformly among the rows holding a match, then a
 * match uniformly within that row. O(N); only for the emulation mode.
 */
export function rowBiasedPick(s: OccupancyArrays, k: number, rowLength: number, rng: Rng): number {
  const occ = s.occupancy;
  const rows = s.size / rowLength;
  let rowsWithMatch = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) {
      if (occ[i] === k) {
        rowsWithMatch++;
        break;
      }
    }
  }
  if (rowsWithMatch === 0) return -1;
  let pickRow = Math.floor(rng.nextFloat64() * rowsWithMatch);
  for (let r = 0; r < rows; r++) {
    let inRow = 0;
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) if (occ[i] === k) inRow++;
    if (inRow === 0) continue;
    if (pickRow-- > 0) continue;
    let pick = Math.floor(rng.nextFloat64() * inRow);
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) if (occ[i] === k && pick-- === 0) return i;
  }
  return -1;
}

/** A random site of class k: uniform, or row-biased in the emulation mode. Assumes the class is non-empty. */
function pick(c: PaperContext, k: number, rng: Rng): number {
  if (c.rowBiased) return rowBiasedPick(c.s, k, c.rowLength, rng);
  return c.s.lists[k * c.s.size + Math.floor(rng.nextFloat64() * c.s.counts[k])];
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
    setClass(s, pick(c, 0, rng), m.uniProduct[r]);
    return true;
  }
  const n = s.counts[k];
  if (n === 0) return false;
  if (type === UNI_DECAY || type === UNI_CONVERSION) {
    const site = pick(c, k, rng);
    setClass(s, site, type === UNI_DECAY ? 0 : m.uniProduct[r]);
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
          setClass(s, t, m.uniProduct[r]);
          if (type === UNI_SPLITTING) setClass(s, site, m.uniSiteProduct[r]);
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * Emulation of the original's sweep order: repeatedly a row-biased pick among the molecules not yet drawn. The
 * order is fixed up front (a molecule consumed before its turn is skipped when its turn comes, which draws the
 * same sequence as removing it from the pool, up to the positions of consumed molecules).
 */
function rowBiasedOrder(c: PaperContext, count: number, rng: Rng): void {
  const { order, todo, rowTodo, rowLength, rows } = c;
  rowTodo.fill(0);
  for (let i = 0; i < count; i++) {
    todo[order[i]] = 1;
    rowTodo[Math.floor(order[i] / rowLength)]++;
  }
  for (let n = 0; n < count; n++) {
    let nonEmpty = 0;
    for (let r = 0; r < rows; r++) if (rowTodo[r] > 0) nonEmpty++;
    let pickRow = Math.floor(rng.nextFloat64() * nonEmpty);
    let row = 0;
    for (; row < rows; row++) if (rowTodo[row] > 0 && pickRow-- === 0) break;
    let j = Math.floor(rng.nextFloat64() * rowTodo[row]);
    let site = row * rowLength;
    for (; site < (row + 1) * rowLength; site++) if (todo[site] === 1 && j-- === 0) break;
    todo[site] = 0;
    rowTodo[row]--;
    order[n] = site;
  }
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
  let count = 0;
  for (let k = 1; k <= S; k++) {
    if (c.mobile[k] === 0) continue;
    const n = s.counts[k];
    order.set(s.lists.subarray(k * size, k * size + n), count);
    count += n;
  }
  if (c.rowBiased) rowBiasedOrder(c, count, rng);
  // Fisher-Yates: a uniformly random processing order.
  else for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat64() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  // Small sparse lattices keep the lists in step with every move; large (out of cache) or dense ones only rewrite
  // occupancy codes and rebuild the lists afterwards in one sequential pass, which avoids random writes.
  const deferred = size > 65536 || count * 4 >= size;
  let attempts = 0;
  let hops = 0;
  let reactions = 0;
  for (let i = 0; i < count; i++) {
    const site = order[i];
    const a = occ[site];
    if (a === 0 || stamp[site] === id) continue; // consumed, or a product that already counts as moved
    attempts++;
    const d = shift >= 0 ? rng.nextUint32() >>> shift : Math.floor(rng.nextFloat64() * degree);
    const target = nb[site * degree + d];
    if (target < 0) {
      stamp[site] = id;
      continue;
    }
    const b = occ[target];
    if (b === 0) {
      if (deferred) {
        occ[target] = a;
        occ[site] = 0;
      } else hop(s, site, target);
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
      setClass(s, first ? site : target, m.contactProduct0[r]);
      setClass(s, first ? target : site, m.contactProduct1[r]);
    }
    stamp[target] = id;
    reactions++;
  }
  if (deferred) rebuildLists(s);
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
