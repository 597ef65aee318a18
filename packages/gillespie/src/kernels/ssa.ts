/**
 * Allocation-free exact SSA kernels: the direct method with a dependency graph, the next reaction method
 * (Gibson & Bruck 2000) with an indexed binary heap, and composition-rejection (Slepoy, Thompson & Plimpton 2008).
 * No validation here: the wrappers in `simulate.ts` check inputs and translate status codes into errors.
 */
import type { CompiledModel } from '../compile.ts';
import { evaluateExpression } from '../evaluate.ts';
import { type Rng, standardExponential } from '../rng.ts';

/** A general propensity compiled from source: `(x, p) => number`. */
export type PropensityFunction = (x: Float64Array, p: Float64Array) => number;

/** A compiled model with its general propensities turned into functions (built once per thread). */
export interface KernelModel extends CompiledModel {
  readonly speciesCount: number;
  readonly reactionCount: number;
  readonly propensityFunctions: readonly (PropensityFunction | null)[];
}

/**
 * Direct-method kernels of networks up to this many reactions sum the total propensity afresh after every event
 * (exact, no drift; cheaper than incremental bookkeeping at this size) instead of updating it incrementally.
 */
export const FRESH_SUM_MAX_REACTIONS = 8;

/** Run finished at t_end (or every propensity reached zero). */
export const STATUS_COMPLETED = 0;
/** Run stopped at the event cap. */
export const STATUS_EVENT_CAP = 1;
/** Run stopped because a species exceeded the population cap. */
export const STATUS_POPULATION_CAP = 2;
/** A propensity evaluated to NaN, an infinity or a negative number; `badReaction` names it. */
export const STATUS_BAD_PROPENSITY = 3;

/** Scratch state of one simulation thread (reused across runs). */
export interface SsaWorkspace {
  readonly x: Float64Array;
  readonly a: Float64Array;
  /** NRM: absolute putative firing times, heap of reaction ids, position of each reaction in the heap. */
  readonly tau: Float64Array;
  readonly heap: Int32Array;
  readonly heapPos: Int32Array;
  /** CR: group of each reaction (or -1), slot in the group, members per group, group sums, non-empty groups. */
  readonly groupOf: Int32Array;
  readonly slotInGroup: Int32Array;
  /** Members of group g occupy groupMembers[groupBase[g] .. + groupSize[g]]; blocks are carved lazily. */
  groupMembers: Int32Array;
  readonly groupBase: Int32Array;
  nextBlock: number;
  readonly groupSize: Int32Array;
  readonly groupSum: Float64Array;
  readonly activeGroups: Int32Array;
  readonly activePos: Int32Array;
  activeCount: number;
}

/** Limits and optional event log of a run. */
export interface RunControl {
  maxEvents: number;
  maxPopulation: number;
  /** If non-null, the time and reaction index of the first `logTimes.length` events are stored here. */
  logTimes: Float64Array | null;
  logReactions: Int32Array | null;
}

/** What a kernel reports (written into a reusable object). */
export interface RunReport {
  status: number;
  events: number;
  /** Time reached: t_end when completed, else the time of the last event. */
  time: number;
  /** Number of grid rows written (the rest were not reached). */
  rowsRecorded: number;
  badReaction: number;
  badValue: number;
}

const GROUP_COUNT = 2100; // every binary exponent of a positive finite double
const bitsView = new Float64Array(1);
const bitsWords = new Uint32Array(bitsView.buffer);

function exponentGroup(value: number): number {
  bitsView[0] = value;
  const exponent = (bitsWords[1] >>> 20) & 0x7ff;
  // Subnormals share group 0; a normal number with biased exponent e lies in [2^(e-1023), 2^(e-1022)).
  return exponent === 0 ? 0 : exponent + 1;
}

/** An upper bound of every propensity in group g: group g = e + 1 holds [2^(e−1023), 2^(e−1022)). */
function groupUpperBound(group: number): number {
  return group === 0 ? 2 ** -1022 : 2 ** (group - 1023);
}

/**
 * Builds the per-thread kernel model (general propensities become functions): generated with `new Function` by
 * default, or with `codegen: false` built as closures ({@link evaluateExpression}: no eval, for a strict
 * Content-Security-Policy; same results, slower).
 *
 * @example
 * ```ts
 * const km = instantiateModel(compileModel(model));
 * const cspSafe = instantiateModel(compileModel(model), { codegen: false });
 * ```
 */
export function instantiateModel(plan: CompiledModel, options: { readonly codegen?: boolean } = {}): KernelModel {
  const codegen = options.codegen ?? true;
  return {
    ...plan,
    speciesCount: plan.species.length,
    reactionCount: plan.reactionNames.length,
    propensityFunctions: plan.propensitySource.map((source) => {
      if (source === null) return null;
      return codegen ? (new Function('x', 'p', `return ${source};`) as PropensityFunction) : (evaluateExpression(source) as PropensityFunction);
    }),
  };
}

/** Allocates the scratch arrays for a model. */
export function createWorkspace(m: KernelModel): SsaWorkspace {
  const r = m.reactionCount;
  return {
    x: new Float64Array(m.speciesCount),
    a: new Float64Array(r),
    tau: new Float64Array(r),
    heap: new Int32Array(r),
    heapPos: new Int32Array(r),
    groupOf: new Int32Array(r),
    slotInGroup: new Int32Array(r),
    groupMembers: new Int32Array(Math.max(1, r) * 8),
    groupBase: new Int32Array(GROUP_COUNT).fill(-1),
    nextBlock: 0,
    groupSize: new Int32Array(GROUP_COUNT),
    groupSum: new Float64Array(GROUP_COUNT),
    activeGroups: new Int32Array(GROUP_COUNT),
    activePos: new Int32Array(GROUP_COUNT).fill(-1),
    activeCount: 0,
  };
}

/** Propensity of reaction j in state x. */
export function propensity(m: KernelModel, j: number, x: Float64Array): number {
  const c = m.massActionConstant[j];
  if (c !== c) return m.propensityFunctions[j]!(x, m.parameterValues);
  let value = c;
  const end = m.reactantStart[j + 1];
  for (let k = m.reactantStart[j]; k < end; k++) {
    const n = x[m.reactantSpecies[k]];
    const order = m.reactantCount[k];
    if (order === 1) value *= n;
    else for (let i = 0; i < order; i++) value *= n - i;
  }
  return value;
}

export function recordRows(x: Float64Array, s: number, from: number, until: number, out: Float64Array): void {
  for (let g = from; g < until; g++) {
    const base = g * s;
    for (let i = 0; i < s; i++) out[base + i] = x[i];
  }
}

/** Records the state in every grid row from `g` whose time is before `until`; returns the next unrecorded row. */
export function recordUntil(x: Float64Array, s: number, grid: Float64Array, g: number, until: number, out: Float64Array): number {
  let end = g;
  while (end < grid.length && grid[end] < until) end++;
  if (end > g) recordRows(x, s, g, end, out);
  return end;
}

/** Applies reaction j's net change; returns true when a changed species exceeds maxPopulation. */
function fire(m: KernelModel, j: number, x: Float64Array, maxPopulation: number): boolean {
  let over = false;
  const end = m.changeStart[j + 1];
  for (let k = m.changeStart[j]; k < end; k++) {
    const s = m.changeSpecies[k];
    const value = x[s] + m.changeDelta[k];
    x[s] = value;
    if (value > maxPopulation) over = true;
  }
  return over;
}

function badPropensity(value: number): boolean {
  return !(value >= 0 && value < Number.POSITIVE_INFINITY);
}

/**
 * Gillespie's direct method with a dependency graph. `ws.x` must hold the initial state; the state on
 * `grid[g]` is written to `out[g * species .. ]` for every grid time reached.
 */
export function runDirect(
  m: KernelModel, ws: SsaWorkspace, rng: Rng, t0: number, tEnd: number, grid: Float64Array, out: Float64Array,
  control: RunControl, report: RunReport,
): void {
  const { x, a } = ws;
  const s = m.speciesCount;
  const r = m.reactionCount;
  const gridLength = grid.length;
  let a0 = 0;
  for (let j = 0; j < r; j++) {
    const v = propensity(m, j, x);
    if (badPropensity(v)) return failBad(report, j, v, t0, 0, 0);
    a[j] = v;
    a0 += v;
  }
  let t = t0;
  let g = 0;
  let events = 0;
  let sinceRefresh = 0;
  let a0AtRefresh = a0;
  const logLimit = control.logTimes === null ? 0 : control.logTimes.length;
  for (;;) {
    if (!(a0 > 0)) break;
    const tNext = t + standardExponential(rng) / a0;
    g = recordUntil(x, s, grid, g, tNext, out);
    if (tNext > tEnd) break;
    if (events >= control.maxEvents) return finish(report, STATUS_EVENT_CAP, events, t, g);
    t = tNext;
    // Choose the reaction: linear search over cumulative propensities.
    const target = rng.nextFloat64() * a0;
    let j = 0;
    let cumulative = a[0];
    while (cumulative <= target && j < r - 1) cumulative += a[++j];
    // Guard against round-off sending the search onto a zero-propensity tail.
    while (a[j] === 0 && j > 0) j--;
    if (events < logLimit) {
      control.logTimes![events] = t;
      control.logReactions![events] = j;
    }
    events++;
    const over = fire(m, j, x, control.maxPopulation);
    const end = m.dependentStart[j + 1];
    for (let k = m.dependentStart[j]; k < end; k++) {
      const d = m.dependents[k];
      const v = propensity(m, d, x);
      if (badPropensity(v)) return failBad(report, d, v, t, events, g);
      a0 += v - a[d];
      a[d] = v;
    }
    if (over) return finish(report, STATUS_POPULATION_CAP, events, t, g);
    if (r <= FRESH_SUM_MAX_REACTIONS) {
      // Small networks: the total summed afresh, in reaction order (as the generated kernels do).
      a0 = 0;
      for (let q = 0; q < r; q++) a0 += a[q];
      continue;
    }
    // Incremental sums drift: refresh exactly now and then, and whenever cancellation may have eaten the sum
    // (e.g. every propensity dropped to zero but round-off left a tiny positive a0).
    if (++sinceRefresh >= 4096 || a0 < a0AtRefresh * 1e-9) {
      sinceRefresh = 0;
      a0 = 0;
      for (let q = 0; q < r; q++) a0 += a[q];
      a0AtRefresh = a0;
    }
  }
  recordRows(x, s, g, gridLength, out);
  finish(report, STATUS_COMPLETED, events, tEnd, gridLength);
}

export function finish(report: RunReport, status: number, events: number, time: number, rows: number): void {
  report.status = status;
  report.events = events;
  report.time = time;
  report.rowsRecorded = rows;
}

export function failBad(report: RunReport, reaction: number, value: number, time: number, events: number, rows: number): void {
  finish(report, STATUS_BAD_PROPENSITY, events, time, rows);
  report.badReaction = reaction;
  report.badValue = value;
}

// ---------------------------------------------------------------- next reaction method

function heapSiftUp(ws: SsaWorkspace, i: number): void {
  const { heap, heapPos, tau } = ws;
  const item = heap[i];
  const key = tau[item];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent];
    if (tau[p] <= key) break;
    heap[i] = p;
    heapPos[p] = i;
    i = parent;
  }
  heap[i] = item;
  heapPos[item] = i;
}

function heapSiftDown(ws: SsaWorkspace, i: number, size: number): void {
  const { heap, heapPos, tau } = ws;
  const item = heap[i];
  const key = tau[item];
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let child = left;
    if (right < size && tau[heap[right]] < tau[heap[left]]) child = right;
    if (tau[heap[child]] >= key) break;
    heap[i] = heap[child];
    heapPos[heap[i]] = i;
    i = child;
  }
  heap[i] = item;
  heapPos[item] = i;
}

function heapUpdate(ws: SsaWorkspace, item: number, size: number): void {
  const i = ws.heapPos[item];
  heapSiftUp(ws, i);
  heapSiftDown(ws, ws.heapPos[item], size);
}

/** The next reaction method of Gibson & Bruck with an indexed binary heap of absolute firing times. */
export function runNextReaction(
  m: KernelModel, ws: SsaWorkspace, rng: Rng, t0: number, tEnd: number, grid: Float64Array, out: Float64Array,
  control: RunControl, report: RunReport,
): void {
  const { x, a, tau, heap } = ws;
  const s = m.speciesCount;
  const r = m.reactionCount;
  const gridLength = grid.length;
  for (let j = 0; j < r; j++) {
    const v = propensity(m, j, x);
    if (badPropensity(v)) return failBad(report, j, v, t0, 0, 0);
    a[j] = v;
    tau[j] = v > 0 ? t0 + standardExponential(rng) / v : Number.POSITIVE_INFINITY;
    heap[j] = j;
  }
  for (let i = (r >> 1) - 1; i >= 0; i--) heapSiftDown(ws, i, r);
  for (let i = 0; i < r; i++) ws.heapPos[heap[i]] = i;
  let g = 0;
  let events = 0;
  let t = t0;
  const logLimit = control.logTimes === null ? 0 : control.logTimes.length;
  while (r > 0) {
    const j = heap[0];
    const tNext = tau[j];
    g = recordUntil(x, s, grid, g, tNext, out);
    if (tNext > tEnd) break;
    if (events >= control.maxEvents) return finish(report, STATUS_EVENT_CAP, events, t, g);
    t = tNext;
    if (events < logLimit) {
      control.logTimes![events] = t;
      control.logReactions![events] = j;
    }
    events++;
    const over = fire(m, j, x, control.maxPopulation);
    let firedUpdated = false;
    const end = m.dependentStart[j + 1];
    for (let k = m.dependentStart[j]; k < end; k++) {
      const d = m.dependents[k];
      const old = a[d];
      const v = propensity(m, d, x);
      if (badPropensity(v)) return failBad(report, d, v, t, events, g);
      a[d] = v;
      if (d === j) {
        firedUpdated = true;
        tau[d] = v > 0 ? t + standardExponential(rng) / v : Number.POSITIVE_INFINITY;
      } else if (v === 0) {
        tau[d] = Number.POSITIVE_INFINITY;
      } else if (old > 0) {
        tau[d] = t + (old / v) * (tau[d] - t);
      } else {
        tau[d] = t + standardExponential(rng) / v;
      }
      heapUpdate(ws, d, r);
    }
    if (!firedUpdated) {
      const v = a[j];
      tau[j] = v > 0 ? t + standardExponential(rng) / v : Number.POSITIVE_INFINITY;
      heapUpdate(ws, j, r);
    }
    if (over) return finish(report, STATUS_POPULATION_CAP, events, t, g);
  }
  recordRows(x, s, g, gridLength, out);
  finish(report, STATUS_COMPLETED, events, tEnd, gridLength);
}

// ---------------------------------------------------------------- composition-rejection

function crRemove(ws: SsaWorkspace, j: number, oldValue: number): void {
  const group = ws.groupOf[j];
  if (group < 0) return;
  const size = --ws.groupSize[group];
  const slot = ws.slotInGroup[j];
  const base = ws.groupBase[group];
  const lastMember = ws.groupMembers[base + size];
  ws.groupMembers[base + slot] = lastMember;
  ws.slotInGroup[lastMember] = slot;
  ws.groupOf[j] = -1;
  ws.groupSum[group] = size === 0 ? 0 : ws.groupSum[group] - oldValue;
  if (size === 0) {
    const pos = ws.activePos[group];
    const lastGroup = ws.activeGroups[--ws.activeCount];
    ws.activeGroups[pos] = lastGroup;
    ws.activePos[lastGroup] = pos;
    ws.activePos[group] = -1;
  }
}

function crInsert(ws: SsaWorkspace, j: number, value: number): void {
  if (value <= 0) {
    ws.groupOf[j] = -1;
    return;
  }
  const group = exponentGroup(value);
  if (ws.groupBase[group] < 0) {
    // Each group can hold every reaction, so a block has reactionCount slots; only groups in use get one.
    const stride = ws.a.length;
    ws.groupBase[group] = ws.nextBlock;
    ws.nextBlock += stride;
    if (ws.nextBlock > ws.groupMembers.length) {
      const grown = new Int32Array(Math.max(ws.nextBlock, ws.groupMembers.length * 2));
      grown.set(ws.groupMembers);
      ws.groupMembers = grown;
    }
  }
  const size = ws.groupSize[group]++;
  ws.groupMembers[ws.groupBase[group] + size] = j;
  ws.slotInGroup[j] = size;
  ws.groupOf[j] = group;
  ws.groupSum[group] = size === 0 ? value : ws.groupSum[group] + value;
  if (size === 0) {
    ws.activePos[group] = ws.activeCount;
    ws.activeGroups[ws.activeCount++] = group;
  }
}

function crReset(ws: SsaWorkspace): void {
  ws.groupBase.fill(-1);
  ws.nextBlock = 0;
  ws.groupSize.fill(0);
  ws.groupSum.fill(0);
  ws.activePos.fill(-1);
  ws.activeCount = 0;
}

function crRefreshSums(ws: SsaWorkspace): void {
  for (let i = 0; i < ws.activeCount; i++) {
    const group = ws.activeGroups[i];
    const base = ws.groupBase[group];
    let sum = 0;
    for (let k = 0; k < ws.groupSize[group]; k++) sum += ws.a[ws.groupMembers[base + k]];
    ws.groupSum[group] = sum;
  }
}

/**
 * Composition-rejection SSA: reactions are binned by the binary exponent of their propensity; a bin is chosen by
 * linear search over the (few) non-empty bins and a member by rejection (acceptance ≥ 1/2). O(1) per event in the
 * number of reactions, for networks of thousands of reactions.
 */
export function runCompositionRejection(
  m: KernelModel, ws: SsaWorkspace, rng: Rng, t0: number, tEnd: number, grid: Float64Array, out: Float64Array,
  control: RunControl, report: RunReport,
): void {
  const { x, a } = ws;
  const s = m.speciesCount;
  const r = m.reactionCount;
  const gridLength = grid.length;
  crReset(ws);
  for (let j = 0; j < r; j++) {
    const v = propensity(m, j, x);
    if (badPropensity(v)) return failBad(report, j, v, t0, 0, 0);
    a[j] = v;
    crInsert(ws, j, v);
  }
  let t = t0;
  let g = 0;
  let events = 0;
  let sinceRefresh = 0;
  const logLimit = control.logTimes === null ? 0 : control.logTimes.length;
  for (;;) {
    let a0 = 0;
    for (let i = 0; i < ws.activeCount; i++) a0 += ws.groupSum[ws.activeGroups[i]];
    if (!(a0 > 0)) break;
    const tNext = t + standardExponential(rng) / a0;
    g = recordUntil(x, s, grid, g, tNext, out);
    if (tNext > tEnd) break;
    if (events >= control.maxEvents) return finish(report, STATUS_EVENT_CAP, events, t, g);
    t = tNext;
    // Composition: pick a group in proportion to its sum.
    const target = rng.nextFloat64() * a0;
    let cumulative = 0;
    let group = ws.activeGroups[ws.activeCount - 1];
    for (let i = 0; i < ws.activeCount; i++) {
      cumulative += ws.groupSum[ws.activeGroups[i]];
      if (target < cumulative) {
        group = ws.activeGroups[i];
        break;
      }
    }
    // Rejection: a uniform member accepted with probability a_j / upper bound of the group.
    const size = ws.groupSize[group];
    const base = ws.groupBase[group];
    const upper = groupUpperBound(group);
    let j: number;
    for (;;) {
      const u = rng.nextFloat64() * size;
      const slot = Math.floor(u);
      j = ws.groupMembers[base + slot];
      if ((u - slot) * upper < a[j]) break;
    }
    if (events < logLimit) {
      control.logTimes![events] = t;
      control.logReactions![events] = j;
    }
    events++;
    const over = fire(m, j, x, control.maxPopulation);
    const end = m.dependentStart[j + 1];
    for (let k = m.dependentStart[j]; k < end; k++) {
      const d = m.dependents[k];
      const old = a[d];
      const v = propensity(m, d, x);
      if (badPropensity(v)) return failBad(report, d, v, t, events, g);
      if (v === old) continue;
      a[d] = v;
      if (ws.groupOf[d] >= 0 && v > 0 && exponentGroup(v) === ws.groupOf[d]) {
        ws.groupSum[ws.groupOf[d]] += v - old;
      } else {
        crRemove(ws, d, old);
        crInsert(ws, d, v);
      }
    }
    if (over) return finish(report, STATUS_POPULATION_CAP, events, t, g);
    if (++sinceRefresh >= 4096) {
      sinceRefresh = 0;
      crRefreshSums(ws);
    }
  }
  recordRows(x, s, g, gridLength, out);
  finish(report, STATUS_COMPLETED, events, tEnd, gridLength);
}
