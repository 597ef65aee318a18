/**
 * Block Gibbs sampling and mean-field updates for many chains at once.
 *
 * States are a Uint8Array of `chains × machine.unitCount` entries (chain-major; layer l of chain c starts at
 * `c * unitCount + layer.unitOffset`; 0 = empty, k = state k). Probabilities are a Float64Array of
 * `chains × machine.probabilityCount` entries (unit i, state k of layer l at
 * `c * probabilityCount + layer.probabilityOffset + i * K + k − 1`; the empty probability is 1 − Σ_k).
 * Layers are conditionally independent given their neighbours, so a sweep updates all odd layers, then all even
 * layers (exact block Gibbs). A layer with lateral connections is updated unit by unit in place, each unit seeing
 * the new states of the units before it (systematic-scan Gibbs, also exact).
 *
 * @packageDocumentation
 */

import type { RandomSource as Rng } from './random-source.ts';
import {
  type BlockSet,
  MODE_PROBABILITIES,
  MODE_SAMPLE,
  updateLayerFromStates,
  updateLayerMeanField,
} from './kernels/gibbs.ts';
import { assertMachine, layerIndex, type Machine } from './machine.ts';
import {
  checkInteger,
  checkNumber,
  checkOptions,
  checkParameters,
  checkProbabilities,
  checkRng,
  checkStates,
  show,
} from './validate.ts';

interface Plan {
  blocks: BlockSet[];
  act: Float64Array;
}

const plans = new WeakMap<Machine, Plan>();

function getPlan(machine: Machine): Plan {
  let plan = plans.get(machine);
  if (plan !== undefined) return plan;
  let maxK = 1;
  const blocks = machine.layers.map((T, l) => {
    maxK = Math.max(maxK, T.stateCount);
    const inc = machine.incidence[l];
    const set: BlockSet = {
      count: inc.length,
      ptr: [],
      adj: [],
      edge: [],
      srcUnitOffset: new Int32Array(inc.length),
      srcProbOffset: new Int32Array(inc.length),
      srcK: new Int32Array(inc.length),
      mat: [],
      matStride: new Int32Array(inc.length),
      triplet: machine.triplets.some((t) => t.layer === l) ? new Float64Array((T.stateCount + 1) ** 3) : null,
    };
    inc.forEach(([ci, side], b) => {
      const C = machine.connections[ci];
      const S = machine.layers[side === 0 ? C.upper : C.lower];
      set.ptr.push(side === 0 ? C.lowerPtr : C.upperPtr);
      set.adj.push(side === 0 ? C.lowerAdj : C.upperAdj);
      set.edge.push(side === 0 ? C.lowerEdge : C.upperEdge);
      set.srcUnitOffset[b] = S.unitOffset;
      set.srcProbOffset[b] = S.probabilityOffset;
      set.srcK[b] = S.stateCount;
      const block = (S.stateCount + 1) * T.stateCount;
      set.matStride[b] = C.edgeStride === 0 ? 0 : block;
      set.mat.push(new Float64Array(C.edgeStride === 0 ? block : block * C.edgeCount));
    });
    return set;
  });
  plan = { blocks, act: new Float64Array(maxK) };
  plans.set(machine, plan);
  return plan;
}

/**
 * Copies the weights of `params` into the coupling matrices of the plan (both directions of every connection) and
 * the triplet weights into each layer's triplet table.
 */
function compileCouplings(machine: Machine, plan: Plan, params: Float64Array): void {
  for (const set of plan.blocks) set.triplet?.fill(0);
  for (const t of machine.triplets) {
    const table = plan.blocks[t.layer].triplet as Float64Array;
    const k1 = machine.layers[t.layer].stateCount + 1;
    for (let p = 0; p < t.tripleCount; p++) {
      table[(t.triples[3 * p] * k1 + t.triples[3 * p + 1]) * k1 + t.triples[3 * p + 2]] += params[t.weightStart + p];
    }
  }
  machine.layers.forEach((T, l) => {
    const set = plan.blocks[l];
    machine.incidence[l].forEach(([ci, side], b) => {
      const C = machine.connections[ci];
      const mat = set.mat[b];
      const ms = set.matStride[b];
      const kt = T.stateCount;
      const edges = C.edgeStride === 0 ? 1 : C.edgeCount;
      for (let e = 0; e < edges; e++) {
        const wb = C.weightStart + e * C.edgeStride;
        for (let p = 0; p < C.pairCount; p++) {
          const a = C.pairs[2 * p];
          const bb = C.pairs[2 * p + 1];
          // side 0: target is the lower layer, source state is the upper one.
          const src = side === 0 ? bb : a;
          const tgt = side === 0 ? a : bb;
          mat[e * ms + src * kt + tgt - 1] = params[wb + p];
        }
      }
    });
  });
}

function resolveLayers(machine: Machine, refs: unknown, name: string): boolean[] {
  const flags = machine.layers.map(() => false);
  if (refs === undefined) return flags;
  if (!Array.isArray(refs)) throw new TypeError(`${name} must be an array of layer names or indices; got ${show(refs)}`);
  refs.forEach((r, i) => {
    flags[layerIndex(machine, r as string | number, `${name}[${i}]`)] = true;
  });
  return flags;
}

/**
 * A zeroed (all-empty) state array for `chains` chains.
 *
 * @example
 * ```ts
 * const states = createChains(machine, 100); // Uint8Array(100 * machine.unitCount)
 * ```
 */
export function createChains(machine: Machine, chains: number): Uint8Array {
  assertMachine(machine, 'machine');
  checkInteger(chains, 'chains', 1);
  return new Uint8Array(chains * machine.unitCount);
}

/**
 * A zeroed probability array for `chains` chains.
 *
 * @example
 * ```ts
 * const probs = createProbabilities(machine, 100);
 * ```
 */
export function createProbabilities(machine: Machine, chains: number): Float64Array {
  assertMachine(machine, 'machine');
  checkInteger(chains, 'chains', 1);
  return new Float64Array(chains * machine.probabilityCount);
}

/**
 * Options naming a subset of layers.
 *
 * @example
 * ```ts
 * const o: LayerSelection = { layers: ['hidden1', 'hidden2'] };
 * ```
 */
export interface LayerSelection {
  /** Layers to touch (names or indices); default all. */
  readonly layers?: readonly (string | number)[];
}

/**
 * Restarts chains from noise: every unit of the selected layers gets a uniformly random state in {0, …, K}
 * (the asleep-phase initialisation of the spec, ≈ 1/(K+1) per state).
 *
 * @example
 * ```ts
 * randomizeChains(machine, states, createRng(1));                       // all layers
 * randomizeChains(machine, states, createRng(1), { layers: [1, 2] });  // hidden layers only
 * ```
 */
export function randomizeChains(machine: Machine, states: Uint8Array, rng: Rng, options?: LayerSelection): void {
  assertMachine(machine, 'machine');
  const chains = checkStates(machine, states, 'states');
  checkRng(rng, 'rng');
  const o = checkOptions(options, 'options');
  const sel = o.layers === undefined ? machine.layers.map(() => true) : resolveLayers(machine, o.layers, 'options.layers');
  for (let c = 0; c < chains; c++) {
    for (const L of machine.layers) {
      if (!sel[L.index]) continue;
      const b = c * machine.unitCount + L.unitOffset;
      const k1 = L.stateCount + 1;
      for (let i = 0; i < L.size; i++) states[b + i] = Math.floor(rng.nextFloat64() * k1);
    }
  }
}

/**
 * One-hot probabilities of binary states (`probs` must hold as many chains as `states`).
 *
 * @example
 * ```ts
 * statesToProbabilities(machine, states, probs); // then meanField(machine, theta, probs, ...)
 * ```
 */
export function statesToProbabilities(machine: Machine, states: Uint8Array, probs: Float64Array): void {
  assertMachine(machine, 'machine');
  const chains = checkStates(machine, states, 'states');
  if (!(probs instanceof Float64Array) || probs.length !== chains * machine.probabilityCount) {
    throw new TypeError(
      `probs must be a Float64Array of length ${chains * machine.probabilityCount} (chains × probabilityCount); got ${show(probs)}`,
    );
  }
  probs.fill(0);
  for (let c = 0; c < chains; c++) {
    for (const L of machine.layers) {
      const sb = c * machine.unitCount + L.unitOffset;
      const pb = c * machine.probabilityCount + L.probabilityOffset;
      for (let i = 0; i < L.size; i++) {
        const s = states[sb + i];
        if (s !== 0) probs[pb + i * L.stateCount + s - 1] = 1;
      }
    }
  }
}

/**
 * Options of {@link gibbs}.
 *
 * @example
 * ```ts
 * const o: GibbsOptions = { sweeps: 10, clamped: ['visible'], probabilities: createProbabilities(m, 5) };
 * ```
 */
export interface GibbsOptions {
  /** Number of sweeps (default 1). A sweep samples every free odd layer, then every free even layer. */
  readonly sweeps?: number;
  /** Layers held fixed (e.g. `[0]` for the awake phase with the visible layer clamped to data). */
  readonly clamped?: readonly (string | number)[];
  /**
   * If given, the last sweep also produces probabilities here (chains × probabilityCount; clamped layers get their
   * one-hot states). With `final: 'parallel'` (default, as in the original code) the last sweep is replaced by one
   * parallel update that computes every free layer's conditional probabilities from the current states and leaves
   * the states unchanged; with `'sequential'` the last sweep samples as usual and records each layer's
   * probabilities just before sampling it.
   */
  readonly probabilities?: Float64Array;
  readonly final?: 'parallel' | 'sequential';
}

/**
 * Runs block Gibbs sweeps on every chain of `states` in place (raw parameters, energy of spec section 4.2).
 * Persistent chains: just call again with the same `states`; restarts: {@link randomizeChains} first.
 *
 * @example
 * ```ts
 * const m = paperMachine();
 * const theta = createParameters(m, { hX: -2.63, hY: -2.63 });
 * const states = createChains(m, 5);
 * const rng = createRng(1);
 * randomizeChains(m, states, rng);
 * gibbs(m, theta, states, rng, { sweeps: 10 });
 * ```
 */
export function gibbs(
  machine: Machine,
  params: Float64Array,
  states: Uint8Array,
  rng: Rng,
  options?: GibbsOptions,
): void {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  const chains = checkStates(machine, states, 'states');
  checkRng(rng, 'rng');
  const o = checkOptions(options, 'options');
  const sweeps = o.sweeps === undefined ? 1 : checkInteger(o.sweeps, 'options.sweeps', 0);
  const clamped = resolveLayers(machine, o.clamped, 'options.clamped');
  const probs = o.probabilities;
  const final = o.final ?? 'parallel';
  if (final !== 'parallel' && final !== 'sequential') {
    throw new RangeError(`options.final must be 'parallel' or 'sequential'; got ${show(final)}`);
  }
  if (probs !== undefined) {
    if (!(probs instanceof Float64Array) || probs.length !== chains * machine.probabilityCount) {
      throw new TypeError(
        `options.probabilities must be a Float64Array of length ${chains * machine.probabilityCount}; got ${show(probs)}`,
      );
    }
    if (sweeps < 1) throw new RangeError(`options.sweeps must be >= 1 when probabilities are requested; got ${sweeps}`);
  }
  const plan = getPlan(machine);
  compileCouplings(machine, plan, params);
  const order = [
    ...machine.layers.filter((L) => L.index % 2 === 1 && !clamped[L.index]),
    ...machine.layers.filter((L) => L.index % 2 === 0 && !clamped[L.index]),
  ];
  const binarySweeps = probs !== undefined && final === 'parallel' ? sweeps - 1 : sweeps;
  const U = machine.unitCount;
  const PC = machine.probabilityCount;
  for (let s = 0; s < binarySweeps; s++) {
    const record = probs !== undefined && s === binarySweeps - 1;
    for (const L of order) {
      updateLayerFromStates(
        states,
        U,
        record ? probs : null,
        PC,
        0,
        chains,
        L.unitOffset,
        L.probabilityOffset,
        L.size,
        L.stateCount,
        params,
        L.biasStart,
        L.biasStride,
        plan.blocks[L.index],
        plan.act,
        rng,
        record ? MODE_SAMPLE | MODE_PROBABILITIES : MODE_SAMPLE,
      );
    }
  }
  if (probs !== undefined) {
    if (final === 'parallel') {
      for (const L of order) {
        updateLayerFromStates(
          states,
          U,
          probs,
          PC,
          0,
          chains,
          L.unitOffset,
          L.probabilityOffset,
          L.size,
          L.stateCount,
          params,
          L.biasStart,
          L.biasStride,
          plan.blocks[L.index],
          plan.act,
          rng,
          MODE_PROBABILITIES,
        );
      }
    }
    writeOneHot(machine, states, probs, chains, clamped);
  }
}

function writeOneHot(machine: Machine, states: Uint8Array, probs: Float64Array, chains: number, which: boolean[]): void {
  for (const L of machine.layers) {
    if (!which[L.index]) continue;
    for (let c = 0; c < chains; c++) {
      const sb = c * machine.unitCount + L.unitOffset;
      const pb = c * machine.probabilityCount + L.probabilityOffset;
      probs.fill(0, pb, pb + L.size * L.stateCount);
      for (let i = 0; i < L.size; i++) {
        const s = states[sb + i];
        if (s !== 0) probs[pb + i * L.stateCount + s - 1] = 1;
      }
    }
  }
}

/**
 * Conditional probabilities of the selected layers (default all) given the current binary states of their
 * neighbours, written to `probs` (a parallel update; `states` is not changed).
 *
 * @example
 * ```ts
 * const probs = createProbabilities(m, 5);
 * conditionalProbabilities(m, theta, states, probs, { layers: [0] }); // p(visible | hidden1)
 * ```
 */
export function conditionalProbabilities(
  machine: Machine,
  params: Float64Array,
  states: Uint8Array,
  probs: Float64Array,
  options?: LayerSelection,
): void {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  const chains = checkStates(machine, states, 'states');
  if (!(probs instanceof Float64Array) || probs.length !== chains * machine.probabilityCount) {
    throw new TypeError(
      `probs must be a Float64Array of length ${chains * machine.probabilityCount}; got ${show(probs)}`,
    );
  }
  const o = checkOptions(options, 'options');
  const sel = o.layers === undefined ? machine.layers.map(() => true) : resolveLayers(machine, o.layers, 'options.layers');
  const plan = getPlan(machine);
  compileCouplings(machine, plan, params);
  const dummy = { nextUint32: () => 0 } as unknown as Rng;
  for (const L of machine.layers) {
    if (!sel[L.index]) continue;
    updateLayerFromStates(
      states,
      machine.unitCount,
      probs,
      machine.probabilityCount,
      0,
      chains,
      L.unitOffset,
      L.probabilityOffset,
      L.size,
      L.stateCount,
      params,
      L.biasStart,
      L.biasStride,
      plan.blocks[L.index],
      plan.act,
      dummy,
      MODE_PROBABILITIES,
    );
  }
}

/**
 * Options of {@link meanField}.
 *
 * @example
 * ```ts
 * const o: MeanFieldOptions = { iterations: 20, clamped: [0], damping: 0.2 };
 * ```
 */
export interface MeanFieldOptions {
  /** Number of passes (odd layers, then even layers), default 1. */
  readonly iterations?: number;
  /** Layers whose probabilities are held fixed (e.g. clamped one-hot data). */
  readonly clamped?: readonly (string | number)[];
  /** p ← damping·p_old + (1 − damping)·p_new, in [0, 1); default 0. */
  readonly damping?: number;
}

/**
 * Mean-field (variational) updates in place: each free layer's probabilities become the softmax of the activations
 * computed from the neighbours' probabilities. Start from {@link statesToProbabilities} or any probabilities.
 *
 * @example
 * ```ts
 * const probs = createProbabilities(m, 5);
 * statesToProbabilities(m, states, probs);   // visible one-hot from clamped data
 * meanField(m, theta, probs, { iterations: 10, clamped: [0] });
 * ```
 */
export function meanField(machine: Machine, params: Float64Array, probs: Float64Array, options?: MeanFieldOptions): void {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  const chains = checkProbabilities(machine, probs, 'probs');
  const o = checkOptions(options, 'options');
  const iterations = o.iterations === undefined ? 1 : checkInteger(o.iterations, 'options.iterations', 0);
  const damping = o.damping === undefined ? 0 : checkNumber(o.damping, 'options.damping', 0, 0.999999);
  const clamped = resolveLayers(machine, o.clamped, 'options.clamped');
  const plan = getPlan(machine);
  compileCouplings(machine, plan, params);
  const order = [
    ...machine.layers.filter((L) => L.index % 2 === 1 && !clamped[L.index]),
    ...machine.layers.filter((L) => L.index % 2 === 0 && !clamped[L.index]),
  ];
  for (let it = 0; it < iterations; it++) {
    for (const L of order) {
      updateLayerMeanField(
        probs,
        machine.probabilityCount,
        0,
        chains,
        L.probabilityOffset,
        L.size,
        L.stateCount,
        params,
        L.biasStart,
        L.biasStride,
        plan.blocks[L.index],
        plan.act,
        damping,
      );
    }
  }
}
