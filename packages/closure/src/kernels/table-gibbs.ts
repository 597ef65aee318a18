/**
 * Table-driven block Gibbs sampling for homogeneous machines with small receptive fields (allocation-free hot loop,
 * no validation). With homogeneous parameters a unit's conditional distribution depends only on how many of its
 * neighbours in every adjacent layer are in every state, so all conditionals of a layer can be tabulated once per
 * parameter vector ((q + 1)^{K_src} entries per adjacent layer: 625 for the paper's middle layer) and each unit update
 * becomes q·(adjacent layers) byte loads, one table look-up and one uniform draw, without exponentials. The sampled
 * distribution is the same as `gibbs` of `@srn/boltzmann` (exact block Gibbs, odd layers then even layers); the
 * random stream is consumed differently (one `nextUint32` per unit, compared against normalised cumulative
 * probabilities), so individual chains differ.
 *
 * Speed (bit-identical to the straightforward version: same draws, same comparisons): the cumulative probabilities
 * are stored scaled by 2^32, so the raw `nextUint32` is compared without a multiplication (u·2^−32 < p ⇔ u < p·2^32,
 * both products exact); only the keys that neighbour counts can produce (counts per block summing to at most the
 * block's degree: 8,100 of 50,625 for the lateral Potts machine) are filled; and when a two-state layer's units all
 * have the same number of neighbours in every block (periodic lattices), the neighbours of all blocks are flattened
 * into one unit-major index array with one key increment per (slot, state), four slots per loop iteration.
 *
 * Where every sampled layer takes that two-state flattened path and the generator is a {@link Xoshiro128}, the
 * sweeps run in WebAssembly (`wasm-gibbs.ts`, bit-identical: same draws, keys and comparisons; the states and the
 * generator's words are copied in and back once per call); {@link useCompiledGibbs} or `SRN_GIBBS_KERNEL=js` keeps
 * them in JavaScript.
 *
 * @packageDocumentation
 */

import type { Machine } from '@srn/boltzmann';
import { type Rng, Xoshiro128 } from '@srn/gillespie/rng';
import { type Flat2Layer, flat2ModuleBytes } from './wasm-gibbs.ts';

const TWO_POW_32 = 4294967296;
const MAX_TABLE = 1 << 16;

/** Per-layer plan: incoming blocks and the conditional table. */
interface LayerPlan {
  readonly layer: number;
  readonly unitOffset: number;
  readonly size: number;
  readonly k: number;
  readonly biasStart: number;
  /** Per block: CSR pointers / adjacency into the source layer, source unit offset, key increment per source state. */
  readonly ptr: Int32Array[];
  readonly adj: Int32Array[];
  readonly srcOffset: Int32Array;
  readonly inc: Int32Array[];
  /** Per block: source state count, radix (q + 1), key stride; coupling matrix M[s][k] gathered from params. */
  readonly srcK: Int32Array;
  readonly radix: Int32Array;
  readonly stride: Int32Array;
  /** Weight index of (source state s, target state k) per block: `widx[b][s * k + (t − 1)]`, −1 if uncoupled. */
  readonly widx: Int32Array[];
  readonly tableSize: number;
  /** K cumulative thresholds per key, scaled by 2^32 (compared with raw `nextUint32` draws). */
  readonly table: Float64Array;
  readonly act: Float64Array;
  /** Key digits in summation order (block, then source state 1..K_src): block, source state, key increment. */
  readonly digitBlock: Int32Array;
  readonly digitState: Int32Array;
  readonly digitInc: Int32Array;
  /** Partial activations per digit depth ((digits + 1) × K) while filling the table. */
  readonly partial: Float64Array;
  /**
   * Flattened neighbourhoods (used for K = 2) when every unit has the same degree in every block (else `deg` = −1):
   * `nbr[u·deg + j]` the source unit of slot j relative to the chain's base, `slotInc[j·slotStride + s]` the key
   * increment of source state s in slot j.
   */
  readonly deg: number;
  readonly nbr: Int32Array;
  readonly slotInc: Int32Array;
  readonly slotStride: number;
}

/**
 * A compiled sampling plan for one machine (cached by {@link tablePlan}).
 *
 * @example
 * ```ts
 * const plan = tablePlan(machine); // null when the machine does not qualify
 * ```
 */
export interface TablePlan {
  readonly machine: Machine;
  readonly layers: readonly LayerPlan[];
  /** Sampling order: odd layers, then even layers. */
  readonly order: Int32Array;
}

const plans = new WeakMap<Machine, TablePlan | null>();

/**
 * The table plan of a machine, or null if the machine is not homogeneous, has triplet couplings, or a layer's table would exceed 65536
 * entries (e.g. dense connections). Cached per machine.
 *
 * @example
 * ```ts
 * const plan = tablePlan(paperMachine());
 * ```
 */
export function tablePlan(machine: Machine): TablePlan | null {
  const cached = plans.get(machine);
  if (cached !== undefined) return cached;
  const plan = buildPlan(machine, true);
  plans.set(machine, plan);
  return plan;
}

/**
 * A plan that never flattens neighbourhoods (the CSR kernels only), not cached: the reference for testing the
 * flattened kernels, which must consume the stream identically and produce identical states.
 *
 * @example
 * ```ts
 * const reference = tablePlanCsr(machine);
 * ```
 */
export function tablePlanCsr(machine: Machine): TablePlan | null {
  return buildPlan(machine, false);
}

function buildPlan(machine: Machine, flatten: boolean): TablePlan | null {
  let plan: TablePlan | null = null;
  // Triplet couplings (1-D, three consecutive sites) are not tabulated: such machines use `gibbs` of @srn/boltzmann.
  if (machine.parameterization === 'homogeneous' && machine.triplets.length === 0) {
    const layers: LayerPlan[] = [];
    let ok = true;
    for (const T of machine.layers) {
      const inc = machine.incidence[T.index];
      const ptr: Int32Array[] = [];
      const adj: Int32Array[] = [];
      const incs: Int32Array[] = [];
      const widx: Int32Array[] = [];
      const srcOffset = new Int32Array(inc.length);
      const srcK = new Int32Array(inc.length);
      const radix = new Int32Array(inc.length);
      const stride = new Int32Array(inc.length);
      let size = 1;
      inc.forEach(([ci, side], b) => {
        const C = machine.connections[ci];
        const S = machine.layers[side === 0 ? C.upper : C.lower];
        const p = side === 0 ? C.lowerPtr : C.upperPtr;
        let q = 0;
        for (let u = 0; u < T.size; u++) q = Math.max(q, p[u + 1] - p[u]);
        ptr.push(p);
        adj.push(side === 0 ? C.lowerAdj : C.upperAdj);
        srcOffset[b] = S.unitOffset;
        srcK[b] = S.stateCount;
        radix[b] = q + 1;
        stride[b] = size;
        const blockSize = (q + 1) ** S.stateCount;
        size *= blockSize;
        if (!(size <= MAX_TABLE)) ok = false;
        const ib = new Int32Array(S.stateCount + 1);
        for (let s = 1; s <= S.stateCount; s++) ib[s] = stride[b] * (q + 1) ** (s - 1);
        incs.push(ib);
        const w = new Int32Array((S.stateCount + 1) * T.stateCount).fill(-1);
        for (let s = 1; s <= S.stateCount; s++) {
          for (let t = 1; t <= T.stateCount; t++) {
            const pi = side === 0 ? C.pairIndex[t * (S.stateCount + 1) + s] : C.pairIndex[s * (T.stateCount + 1) + t];
            if (pi >= 0) w[s * T.stateCount + t - 1] = C.weightStart + pi;
          }
        }
        widx.push(w);
      });
      if (!ok) break;
      // Key digits in the order fillTable sums them.
      const digitBlock: number[] = [];
      const digitState: number[] = [];
      const digitInc: number[] = [];
      for (let b = 0; b < inc.length; b++) {
        for (let s = 1; s <= srcK[b]; s++) {
          digitBlock.push(b);
          digitState.push(s);
          digitInc.push(incs[b][s]);
        }
      }
      // Flattened neighbourhoods (uniform degree per block only).
      let deg = flatten ? 0 : -1;
      const blockDeg = ptr.map((p) => p[1] - p[0]);
      for (let b = 0; b < ptr.length && deg >= 0; b++) {
        for (let u = 0; u < T.size; u++) {
          if (ptr[b][u + 1] - ptr[b][u] !== blockDeg[b]) {
            deg = -1;
            break;
          }
        }
        if (deg >= 0) deg += blockDeg[b];
      }
      // Slots padded to a multiple of 4 (the kernels add four slots per iteration); a padding slot reads the
      // layer's first source unit and adds 0 for every state.
      const slotStride = Math.max(1, ...Array.from(srcK)) + 1;
      let nbr = new Int32Array(0);
      let slotInc = new Int32Array(0);
      if (deg > 0) {
        deg = (deg + 3) & ~3;
        nbr = new Int32Array(T.size * deg).fill(srcOffset[0]);
        slotInc = new Int32Array(deg * slotStride);
        let j0 = 0;
        for (let b = 0; b < ptr.length; b++) {
          for (let j = 0; j < blockDeg[b]; j++) {
            for (let s = 0; s <= srcK[b]; s++) slotInc[(j0 + j) * slotStride + s] = incs[b][s];
            for (let u = 0; u < T.size; u++) nbr[u * deg + j0 + j] = srcOffset[b] + adj[b][ptr[b][u] + j];
          }
          j0 += blockDeg[b];
        }
      }
      layers.push({
        layer: T.index,
        unitOffset: T.unitOffset,
        size: T.size,
        k: T.stateCount,
        biasStart: T.biasStart,
        ptr,
        adj,
        srcOffset,
        inc: incs,
        srcK,
        radix,
        stride,
        widx,
        tableSize: size,
        table: new Float64Array(size * T.stateCount),
        act: new Float64Array(T.stateCount),
        digitBlock: Int32Array.from(digitBlock),
        digitState: Int32Array.from(digitState),
        digitInc: Int32Array.from(digitInc),
        partial: new Float64Array((digitBlock.length + 1) * T.stateCount),
        deg,
        nbr,
        slotInc,
        slotStride,
      });
    }
    if (ok) {
      const odd = machine.layers.filter((L) => L.index % 2 === 1).map((L) => L.index);
      const even = machine.layers.filter((L) => L.index % 2 === 0).map((L) => L.index);
      plan = { machine, layers, order: Int32Array.from([...odd, ...even]) };
    }
  }
  return plan;
}

/**
 * Fills a layer's table of cumulative conditional probabilities for the parameters `params`, at the keys that
 * neighbour counts can produce (per block, counts over the source states summing to at most the block's degree; the
 * other entries are never read). The activation of a key is summed digit by digit in a fixed order (bias, then
 * n·w per block and source state, zero counts skipped), depth-first so that keys sharing leading digits share the
 * partial sums.
 */
function fillTable(lp: LayerPlan, params: Float64Array, table: Float64Array): void {
  const K = lp.k;
  const partial = lp.partial;
  for (let t = 0; t < K; t++) partial[t] = params[lp.biasStart + t];
  fillFrom(lp, params, table, 0, 0, 0);
}

function fillFrom(lp: LayerPlan, params: Float64Array, table: Float64Array, depth: number, key: number, used: number): void {
  const K = lp.k;
  const partial = lp.partial;
  const src = depth * K;
  if (depth === lp.digitBlock.length) {
    writeEntry(lp, table, key, src);
    return;
  }
  const b = lp.digitBlock[depth];
  const s = lp.digitState[depth];
  const inc = lp.digitInc[depth];
  const w = lp.widx[b];
  const before = s === 1 ? 0 : used; // counts of the block's earlier source states
  const dst = src + K;
  const max = lp.radix[b] - 1 - before;
  for (let n = 0; n <= max; n++) {
    if (n === 0) {
      for (let t = 0; t < K; t++) partial[dst + t] = partial[src + t];
    } else {
      for (let t = 0; t < K; t++) {
        const wi = w[s * K + t];
        partial[dst + t] = wi >= 0 ? partial[src + t] + n * params[wi] : partial[src + t];
      }
    }
    fillFrom(lp, params, table, depth + 1, key + n * inc, before + n);
  }
}

/** Softmax with the empty state (logit 0), stable (subtract max(0, act)); cumulative thresholds scaled by 2^32. */
function writeEntry(lp: LayerPlan, table: Float64Array, key: number, from: number): void {
  const K = lp.k;
  const act = lp.act;
  const partial = lp.partial;
  let m = 0;
  for (let t = 0; t < K; t++) if (partial[from + t] > m) m = partial[from + t];
  const e0 = Math.exp(-m);
  let z = e0;
  for (let t = 0; t < K; t++) {
    act[t] = Math.exp(partial[from + t] - m);
    z += act[t];
  }
  let cum = e0 / z;
  const o = key * K;
  for (let t = 0; t < K - 1; t++) {
    table[o + t] = cum * TWO_POW_32;
    cum += act[t] / z;
  }
  table[o + K - 1] = Math.min(cum, 1) * TWO_POW_32;
}

/**
 * `sweeps` block Gibbs sweeps over chains [0, chains) of `states` with the visible layer held fixed when
 * `clampVisible`. Kernel: no validation, no allocation.
 *
 * @example
 * ```ts
 * tableGibbs(plan, theta, states, chains, rng, 10, true); // awake phase
 * ```
 */
export function tableGibbs(
  plan: TablePlan,
  params: Float64Array,
  states: Uint8Array,
  chains: number,
  rng: Rng,
  sweeps: number,
  clampVisible: boolean,
): void {
  const U = plan.machine.unitCount;
  const ctx = compiledContext(plan, clampVisible, rng);
  if (ctx !== null) {
    tableGibbsWasm(ctx, plan, params, states, chains, rng as Xoshiro128, sweeps, clampVisible);
    return;
  }
  for (const lp of plan.layers) if (!(clampVisible && lp.layer === 0)) fillTable(lp, params, lp.table);
  for (let s = 0; s < sweeps; s++) {
    for (let oi = 0; oi < plan.order.length; oi++) {
      const l = plan.order[oi];
      if (clampVisible && l === 0) continue;
      const lp = plan.layers[l];
      if (lp.deg > 0 && lp.k === 2) sampleFlat2(lp, states, chains, U, rng);
      else if (lp.k === 2 && lp.ptr.length >= 1 && lp.ptr.length <= 2) sampleLayer2(lp, states, chains, U, rng);
      else sampleLayer(lp, states, chains, U, rng);
    }
  }
}

function sampleLayer(lp: LayerPlan, states: Uint8Array, chains: number, U: number, rng: Rng): void {
  const K = lp.k;
  const nb = lp.ptr.length;
  const table = lp.table;
  for (let c = 0; c < chains; c++) {
    const base = c * U;
    const tb = base + lp.unitOffset;
    for (let u = 0; u < lp.size; u++) {
      let key = 0;
      for (let b = 0; b < nb; b++) {
        const ptr = lp.ptr[b];
        const adj = lp.adj[b];
        const inc = lp.inc[b];
        const sb = base + lp.srcOffset[b];
        for (let e = ptr[u]; e < ptr[u + 1]; e++) key += inc[states[sb + adj[e]]];
      }
      const r = rng.nextUint32();
      const o = key * K;
      let st = K;
      for (let t = 0; t < K; t++) {
        if (r < table[o + t]) {
          st = t;
          break;
        }
      }
      states[tb + u] = st;
    }
  }
}

/** K = 2 with at most two incoming blocks (the paper's case). */
function sampleLayer2(lp: LayerPlan, states: Uint8Array, chains: number, U: number, rng: Rng): void {
  const table = lp.table;
  const nb = lp.ptr.length;
  const p0 = lp.ptr[0];
  const a0 = lp.adj[0];
  const i0 = lp.inc[0];
  const p1 = nb > 1 ? lp.ptr[1] : p0;
  const a1 = nb > 1 ? lp.adj[1] : a0;
  const i1 = nb > 1 ? lp.inc[1] : i0;
  for (let c = 0; c < chains; c++) {
    const base = c * U;
    const tb = base + lp.unitOffset;
    const s0 = base + lp.srcOffset[0];
    const s1 = nb > 1 ? base + lp.srcOffset[1] : 0;
    for (let u = 0; u < lp.size; u++) {
      let key = 0;
      const e0 = p0[u + 1];
      for (let e = p0[u]; e < e0; e++) key += i0[states[s0 + a0[e]]];
      if (nb > 1) {
        const e1 = p1[u + 1];
        for (let e = p1[u]; e < e1; e++) key += i1[states[s1 + a1[e]]];
      }
      const r = rng.nextUint32();
      const o = key * 2;
      states[tb + u] = r < table[o] ? 0 : r < table[o + 1] ? 1 : 2;
    }
  }
}

/** The key of unit u (slot row o = u·deg) in the chain at `base`: four slots per iteration (deg is a multiple of 4). */
function flatKey(states: Uint8Array, base: number, nbr: Int32Array, o: number, slotInc: Int32Array, S: number, deg: number): number {
  let key = 0;
  for (let j = 0; j < deg; j += 4) {
    const q = j * S;
    key +=
      slotInc[q + states[base + nbr[o + j]]] +
      slotInc[q + S + states[base + nbr[o + j + 1]]] +
      slotInc[q + 2 * S + states[base + nbr[o + j + 2]]] +
      slotInc[q + 3 * S + states[base + nbr[o + j + 3]]];
  }
  return key;
}

/**
 * Flattened neighbourhoods (uniform degree), K = 2 (the paper's and the lateral machines). The state is the number
 * of thresholds at or below the draw, (r ≥ p₀) + (r ≥ p₁), the same as the first threshold above it because
 * p₀ ≤ p₁; counting avoids two unpredictable branches per unit.
 */
function sampleFlat2(lp: LayerPlan, states: Uint8Array, chains: number, U: number, rng: Rng): void {
  const table = lp.table;
  const nbr = lp.nbr;
  const slotInc = lp.slotInc;
  const deg = lp.deg;
  const size = lp.size;
  const S = lp.slotStride;
  if (S === 3 && (deg === 4 || deg === 8 || deg === 12)) {
    sampleFlat2Unrolled(lp, states, chains, U, rng);
    return;
  }
  for (let c = 0; c < chains; c++) {
    const base = c * U;
    const tb = base + lp.unitOffset;
    for (let u = 0; u < size; u++) {
      const key = flatKey(states, base, nbr, u * deg, slotInc, S, deg);
      const r = rng.nextUint32();
      const k2 = key << 1;
      states[tb + u] = (r >= table[k2] ? 1 : 0) + (r >= table[k2 + 1] ? 1 : 0);
    }
  }
}

// The same kernel for two-state sources (slot stride 3) and 4, 8 or 12 slots (the paper DBM's layers: 4 and 8; the
// lateral Potts machines: 12), with the slot offsets and stride constants: a key is then a fixed sum of loads that
// the compiler schedules freely (about 1.3× faster than the loop of `flatKey` for the lateral machine, where a sweep
// is most of a training step). The keys are the same integer sums, so the states are identical.

/** The part of the key of row o from its four slots j .. j + 3 (stride 3; j a constant at every call). */
function key4(st: Uint8Array, b: number, nb: Int32Array, o: number, si: Int32Array, j: number): number {
  const q = 3 * j;
  return si[q + st[b + nb[o + j]]] + si[q + 3 + st[b + nb[o + j + 1]]] + si[q + 6 + st[b + nb[o + j + 2]]] + si[q + 9 + st[b + nb[o + j + 3]]];
}

/** {@link sampleFlat2} for 4, 8 or 12 slots of stride 3 (the branch on the slot count is the same for every unit). */
function sampleFlat2Unrolled(lp: LayerPlan, states: Uint8Array, chains: number, U: number, rng: Rng): void {
  const table = lp.table;
  const nbr = lp.nbr;
  const slotInc = lp.slotInc;
  const size = lp.size;
  const deg = lp.deg;
  for (let c = 0; c < chains; c++) {
    const base = c * U;
    const tb = base + lp.unitOffset;
    for (let u = 0; u < size; u++) {
      const o = u * deg;
      let key = key4(states, base, nbr, o, slotInc, 0);
      if (deg >= 8) key += key4(states, base, nbr, o, slotInc, 4);
      if (deg === 12) key += key4(states, base, nbr, o, slotInc, 8);
      const r = rng.nextUint32();
      const k2 = key << 1;
      states[tb + u] = (r >= table[k2] ? 1 : 0) + (r >= table[k2 + 1] ? 1 : 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The compiled kernel (WebAssembly, `wasm-gibbs.ts`) for plans whose sampled layers all take `sampleFlat2`.

/** The part of the WebAssembly API used here (declared locally: the sources are platform-neutral, lib ES2023). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
type Flat2Kernel = (chains: number) => void;

/** A plan's compiled kernels and their memory: generator words at 0, per layer nbr, slotInc·16, table, segments; states. */
interface WasmContext {
  readonly memory: WasmMemory;
  /** Per layer index: its kernel (null if the layer does not take the flattened two-state path). */
  readonly kernels: (Flat2Kernel | null)[];
  readonly tablePtr: Int32Array;
  readonly statesPtr: number;
  /** Every layer sampled in a free / clamped sweep has a kernel. */
  readonly freeOk: boolean;
  readonly clampedOk: boolean;
  /** Views of the memory (renewed when it grows). */
  buffer: ArrayBuffer;
  bytes: Uint8Array;
  words: Uint32Array;
  tables: Float64Array[];
}

const WASM_PAGE = 65536;
const wasmContexts = new WeakMap<TablePlan, WasmContext | null>();
const processEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let compiledKernel = processEnv?.SRN_GIBBS_KERNEL !== 'js';

/**
 * Chooses the table Gibbs kernel: `true` (the default) uses the WebAssembly kernel where it applies (a plan whose
 * sampled layers are all two-state with flattened neighbourhoods, a {@link Xoshiro128} generator, and WebAssembly
 * available), `false` the JavaScript kernels everywhere. Both give identical states and leave the generator in the
 * same state. The environment variable `SRN_GIBBS_KERNEL=js` sets `false` at start-up. Returns the previous setting.
 *
 * @example
 * ```ts
 * const before = useCompiledGibbs(false); // JavaScript kernels only
 * useCompiledGibbs(before);
 * ```
 */
export function useCompiledGibbs(enabled: boolean): boolean {
  const before = compiledKernel;
  compiledKernel = enabled;
  return before;
}

/**
 * Whether `tableGibbs` runs the WebAssembly kernel for this plan, clamping and generator (for tests and benchmarks).
 *
 * @example
 * ```ts
 * compiledGibbsApplies(tablePlan(machine)!, false, createRng(1)); // true for the paper machine where WebAssembly runs
 * ```
 */
export function compiledGibbsApplies(plan: TablePlan, clampVisible: boolean, rng: Rng): boolean {
  return compiledContext(plan, clampVisible, rng) !== null;
}

/** The compiled kernels if `tableGibbs` uses them for this call, else null. */
function compiledContext(plan: TablePlan, clampVisible: boolean, rng: Rng): WasmContext | null {
  // Exactly a Xoshiro128 (a subclass could draw differently): its four words are the state the module steps.
  if (!compiledKernel || Object.getPrototypeOf(rng) !== Xoshiro128.prototype) return null;
  const ctx = wasmContext(plan);
  return ctx !== null && (clampVisible ? ctx.clampedOk : ctx.freeOk) ? ctx : null;
}

function wasmContext(plan: TablePlan): WasmContext | null {
  let ctx = wasmContexts.get(plan);
  if (ctx === undefined) {
    ctx = buildWasmContext(plan);
    wasmContexts.set(plan, ctx);
  }
  return ctx;
}

/** The most frequent neighbour offsets (state byte of slot j's neighbour minus the unit's) over a layer's units. */
function commonDeltas(lp: LayerPlan, slots: readonly number[]): number[] {
  const count = new Map<string, number>();
  let best: number[] = [];
  let bestCount = 0;
  for (let u = 0; u < lp.size; u++) {
    const d = slots.map((j) => lp.nbr[u * lp.deg + j] - u - lp.unitOffset);
    const key = d.join();
    const c = (count.get(key) ?? 0) + 1;
    count.set(key, c);
    if (c > bestCount) {
      bestCount = c;
      best = d;
    }
  }
  return best;
}

/**
 * A layer's units in segments of unit order, each regular (1: every summed slot's neighbour at the most frequent offset
 * from the unit, the interior of a periodic lattice) or not (0), as (start, end, kind).
 */
function layerSegments(lp: LayerPlan, slots: readonly number[], deltas: readonly number[]): number[] {
  const segs: number[] = [];
  for (let u = 0; u < lp.size; u++) {
    let regular = 1;
    for (let i = 0; i < slots.length; i++) {
      if (lp.nbr[u * lp.deg + slots[i]] - u - lp.unitOffset !== deltas[i]) {
        regular = 0;
        break;
      }
    }
    if (segs.length > 0 && segs[segs.length - 1] === regular) segs[segs.length - 2] = u + 1;
    else segs.push(u, u + 1, regular);
  }
  return segs;
}

function buildWasmContext(plan: TablePlan): WasmContext | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  const n = plan.layers.length;
  const flat = plan.layers.map((lp) => lp.deg > 0 && lp.k === 2 && lp.deg <= 256 && lp.slotStride <= 16);
  const freeOk = flat.every((f) => f);
  const clampedOk = flat.every((f, l) => f || l === 0);
  if (!clampedOk) return null;
  // Layout: the generator at 0; per compiled layer its neighbour indices, increments × 16, thresholds, segments.
  const layers: Flat2Layer[] = [];
  const compiled: number[] = [];
  const segments: number[][] = [];
  const tablePtr = new Int32Array(n);
  let ptr = 16;
  for (let l = 0; l < n; l++) {
    if (!flat[l]) continue;
    const lp = plan.layers[l];
    const S = lp.slotStride;
    const slots: number[] = [];
    for (let j = 0; j < lp.deg; j++) if (lp.slotInc.subarray(j * S, (j + 1) * S).some((x) => x !== 0)) slots.push(j);
    const deltas = commonDeltas(lp, slots);
    const segs = layerSegments(lp, slots, deltas);
    const nbr = ptr;
    ptr += 4 * lp.nbr.length;
    const slotInc = ptr;
    ptr += 4 * lp.slotInc.length;
    ptr = (ptr + 7) & ~7;
    tablePtr[l] = ptr;
    ptr += 8 * lp.table.length;
    const seg = ptr;
    ptr += 4 * segs.length;
    layers.push({
      states: 0, // set below, once the layout is known
      unitCount: plan.machine.unitCount,
      unitOffset: lp.unitOffset,
      deg: lp.deg,
      stride: S,
      nbr,
      slotInc,
      table: tablePtr[l],
      segments: seg,
      segmentCount: segs.length / 3,
      slots,
      deltas,
      minDelta: Math.min(0, ...deltas),
      previous: deltas.includes(-1) ? Array.from({ length: S }, (_, st) => 16 * lp.slotInc[slots[deltas.indexOf(-1)] * S + st]) : null,
    });
    compiled.push(l);
    segments.push(segs);
  }
  const statesPtr = (ptr + 7) & ~7;
  const kernelLayers = layers.map((k) => ({ ...k, states: statesPtr }));
  let memory: WasmMemory;
  let kernels: (Flat2Kernel | null)[];
  try {
    memory = new wasm.Memory({ initial: Math.ceil((statesPtr + 1) / WASM_PAGE) });
    const instance = new wasm.Instance(new wasm.Module(flat2ModuleBytes(kernelLayers)), { env: { memory } });
    kernels = new Array<Flat2Kernel | null>(n).fill(null);
    compiled.forEach((l, i) => {
      kernels[l] = instance.exports[`k${i}`] as Flat2Kernel;
    });
  } catch {
    return null; // e.g. a page whose content security policy forbids compiling WebAssembly
  }
  const ctx: WasmContext = {
    memory,
    kernels,
    tablePtr,
    statesPtr,
    freeOk,
    clampedOk,
    buffer: memory.buffer,
    bytes: new Uint8Array(0),
    words: new Uint32Array(0),
    tables: [],
  };
  renewViews(ctx, plan);
  const words = new Int32Array(memory.buffer);
  compiled.forEach((l, i) => {
    const lp = plan.layers[l];
    const k = kernelLayers[i];
    words.set(lp.nbr, k.nbr >> 2);
    // The slot increments times 16, the bytes of a key's row of two f64 thresholds: the key sums to its byte offset.
    for (let j = 0; j < lp.slotInc.length; j++) words[(k.slotInc >> 2) + j] = 16 * lp.slotInc[j];
    words.set(segments[i], k.segments >> 2);
  });
  return ctx;
}

function renewViews(ctx: WasmContext, plan: TablePlan): void {
  const buf = ctx.memory.buffer;
  ctx.buffer = buf;
  ctx.bytes = new Uint8Array(buf);
  ctx.words = new Uint32Array(buf, 0, 4);
  ctx.tables = plan.layers.map((lp, l) => (ctx.kernels[l] === null ? lp.table : new Float64Array(buf, ctx.tablePtr[l], lp.table.length)));
}

/** {@link tableGibbs} on the compiled kernels: states and generator words copied in, swept, copied back. */
function tableGibbsWasm(
  ctx: WasmContext,
  plan: TablePlan,
  params: Float64Array,
  states: Uint8Array,
  chains: number,
  rng: Xoshiro128,
  sweeps: number,
  clampVisible: boolean,
): void {
  const bytes = chains * plan.machine.unitCount;
  const need = ctx.statesPtr + bytes;
  if (need > ctx.memory.buffer.byteLength) ctx.memory.grow(Math.ceil((need - ctx.memory.buffer.byteLength) / WASM_PAGE));
  if (ctx.memory.buffer !== ctx.buffer) renewViews(ctx, plan);
  for (const lp of plan.layers) if (!(clampVisible && lp.layer === 0)) fillTable(lp, params, ctx.tables[lp.layer]);
  ctx.bytes.set(states.subarray(0, bytes), ctx.statesPtr);
  const state = rng.getState();
  for (let w = 0; w < 4; w++) ctx.words[w] = state[w];
  const order = plan.order;
  for (let s = 0; s < sweeps; s++) {
    for (let oi = 0; oi < order.length; oi++) {
      const l = order[oi];
      if (clampVisible && l === 0) continue;
      (ctx.kernels[l] as Flat2Kernel)(chains);
    }
  }
  states.set(ctx.bytes.subarray(ctx.statesPtr, ctx.statesPtr + bytes));
  for (let w = 0; w < 4; w++) state[w] = ctx.words[w];
  rng.setState(state);
}
