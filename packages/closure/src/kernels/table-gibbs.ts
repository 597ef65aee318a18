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
 * @packageDocumentation
 */

import type { Machine } from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie/rng';

const TWO_POW_M32 = 2.3283064365386963e-10;
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
  /** K cumulative thresholds per key. */
  readonly table: Float64Array;
  readonly act: Float64Array;
  readonly counts: Int32Array;
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
 * The table plan of a machine, or null if the machine is not homogeneous or a layer's table would exceed 65536
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
  let plan: TablePlan | null = null;
  if (machine.parameterization === 'homogeneous') {
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
        counts: new Int32Array(16),
      });
    }
    if (ok) {
      const odd = machine.layers.filter((L) => L.index % 2 === 1).map((L) => L.index);
      const even = machine.layers.filter((L) => L.index % 2 === 0).map((L) => L.index);
      plan = { machine, layers, order: Int32Array.from([...odd, ...even]) };
    }
  }
  plans.set(machine, plan);
  return plan;
}

/** Fills a layer's table of cumulative conditional probabilities for the parameters `params`. */
function fillTable(lp: LayerPlan, params: Float64Array): void {
  const K = lp.k;
  const act = lp.act;
  const nb = lp.ptr.length;
  for (let key = 0; key < lp.tableSize; key++) {
    for (let t = 0; t < K; t++) act[t] = params[lp.biasStart + t];
    for (let b = 0; b < nb; b++) {
      let rem = Math.floor(key / lp.stride[b]);
      const r = lp.radix[b];
      const ks = lp.srcK[b];
      const w = lp.widx[b];
      for (let s = 1; s <= ks; s++) {
        const n = rem % r;
        rem = Math.floor(rem / r);
        if (n === 0) continue;
        for (let t = 0; t < K; t++) {
          const wi = w[s * K + t];
          if (wi >= 0) act[t] += n * params[wi];
        }
      }
    }
    // Softmax with the empty state (logit 0), stable: subtract max(0, act).
    let m = 0;
    for (let t = 0; t < K; t++) if (act[t] > m) m = act[t];
    const e0 = Math.exp(-m);
    let z = e0;
    for (let t = 0; t < K; t++) {
      act[t] = Math.exp(act[t] - m);
      z += act[t];
    }
    let cum = e0 / z;
    const o = key * K;
    for (let t = 0; t < K; t++) {
      lp.table[o + t] = cum;
      cum += act[t] / z;
    }
    lp.table[o + K - 1] = Math.min(lp.table[o + K - 1], 1);
  }
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
  for (const lp of plan.layers) if (!(clampVisible && lp.layer === 0)) fillTable(lp, params);
  for (let s = 0; s < sweeps; s++) {
    for (let oi = 0; oi < plan.order.length; oi++) {
      const l = plan.order[oi];
      if (clampVisible && l === 0) continue;
      const lp = plan.layers[l];
      if (lp.k === 2 && lp.ptr.length >= 1 && lp.ptr.length <= 2) sampleLayer2(lp, states, chains, U, rng);
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
      const r = rng.nextUint32() * TWO_POW_M32;
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
      const r = rng.nextUint32() * TWO_POW_M32;
      const o = key * 2;
      states[tb + u] = r < table[o] ? 0 : r < table[o + 1] ? 1 : 2;
    }
  }
}
