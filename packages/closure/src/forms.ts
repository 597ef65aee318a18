/**
 * Model forms (issue #15 item 2): one set of builders for the machines of a dynamic Boltzmann distribution on any
 * lattice of dimension 1-3 with any number of species, θ(0) and centering offsets from the t = 0 data, and the rule
 * that picks the finite-element input domain.
 *
 * - Fully visible (`kind: 'visible'`): one layer of Potts units (empty or one of the species), a bias h per species,
 *   nearest-neighbour couplings n per ordered species pair (lateral connections of `@srn/boltzmann`), optionally
 *   couplings m at lattice distance 2 and, in 1-D, triplet couplings k of three consecutive sites: the h/J/K model of
 *   Ernst et al. 2018 and the visible A + A model of 2019.
 * - With hidden layers (`kind: 'hidden'`): a stack of hidden layers of the visible shape joined by receptive fields
 *   (default `'2x2'`: offsets {0, 1}^d, so in 1-D hidden unit i sees visible units i − 1 and i, the 2019 A + A
 *   hidden model; in 2-D the 3-layer machine of arXiv 1905.12122), optionally with visible lateral couplings.
 *
 * Presets built by {@link buildMachineSpec}: `paperMachineSpec` (model.ts), {@link lateralMachineSpec} and
 * {@link crossMachineSpec} (today's lattice Lotka–Volterra variants).
 *
 * @packageDocumentation
 */

import {
  createCenters,
  createAdam,
  type FieldSpec,
  fitStatic,
  type LatticeSnapshot,
  type Machine,
  type MachineSpec,
  type ConnectionSpec,
  type RandomSource,
} from '@srn/boltzmann';
import { compressPseudoLikelihood, maximisePseudoLikelihood } from './baselines/theta0.ts';
import { checkEnum, checkInt, checkObject, checkPositive, checkRngLike, show } from './validate.ts';
import { ModelFormError } from './errors.ts';

/**
 * Which ordered species pairs (a, b) of two sites carry a coupling: `'all'` every pair, `'same'` only a = b,
 * `'cross'` only a ≠ b.
 *
 * @example
 * ```ts
 * const c: PairCouplings = 'cross';
 * ```
 */
export type PairCouplings = 'all' | 'same' | 'cross';

/**
 * A fully visible form: biases `h<species>`, nearest-neighbour couplings `n<a><b>` (one lateral connection whose field
 * is the unit vector of every axis, last axis first), optionally couplings `m<a><b>` between sites at lattice
 * distance 2 (`nnn`: the axis offsets 2·e_k, last axis first, then the diagonals e_j ± e_k for j < k; in 1-D the
 * offset 2) and, in 1-D, triplet couplings `k<a><b><c>` of three consecutive sites (`triplets`).
 *
 * @example
 * ```ts
 * const aa: VisibleForm = { kind: 'visible', triplets: true };                  // 2019 A + A, visible h, J, K
 * const lv: VisibleForm = { kind: 'visible', nnn: true, nnnCouplings: 'cross' }; // today's LV lateral model
 * ```
 */
export interface VisibleForm {
  readonly kind: 'visible';
  /** Nearest-neighbour couplings (default `'all'`; `false` for independent sites). */
  readonly couplings?: PairCouplings | false;
  /** Couplings at lattice distance 2 (default false). */
  readonly nnn?: boolean;
  /** Pairs coupled at distance 2 (default `'all'`). */
  readonly nnnCouplings?: PairCouplings;
  /** 1-D triplet couplings of three consecutive sites, one per ordered species triple (default false). */
  readonly triplets?: boolean;
}

/**
 * A form with hidden layers: `layers` hidden layers (hidden layer l has the states `<species><l>`), each joined to the
 * one below by the receptive field `field` (default `'2x2'`) with `couplings` `'same'` (species k to species k,
 * default, the paper) or `'all'`; `lateral` adds the visible nearest-neighbour couplings of the visible form.
 *
 * @example
 * ```ts
 * const aaHidden: HiddenForm = { kind: 'hidden', layers: 1 };   // 2019 A + A hidden model (1-D geometry)
 * const paper: HiddenForm = { kind: 'hidden', layers: 2 };      // arXiv 1905.12122 (2-D geometry)
 * ```
 */
export interface HiddenForm {
  readonly kind: 'hidden';
  /** Number of hidden layers (0 gives independent visible sites). */
  readonly layers: number;
  readonly field?: FieldSpec;
  readonly couplings?: 'same' | 'all';
  readonly lateral?: boolean;
}

/**
 * A model form (contract 2 of issue #15).
 *
 * @example
 * ```ts
 * const form: ModelForm = { kind: 'hidden', layers: 2, field: '2x2', couplings: 'same' };
 * ```
 */
export type ModelForm = VisibleForm | HiddenForm;

/**
 * The lattice a form is built on: its shape (1 to 3 axes, row-major), its species (occupancy code k is
 * `species[k − 1]`, 0 is empty) and its boundary. Machines of `@srn/boltzmann` are periodic, so `'closed'` is refused
 * with a {@link ModelFormError}.
 *
 * @example
 * ```ts
 * const g: LatticeGeometry = { shape: [40, 40], species: ['X', 'Y'], boundary: 'periodic' };
 * ```
 */
export interface LatticeGeometry {
  readonly shape: readonly number[];
  readonly species: readonly string[];
  readonly boundary?: 'periodic' | 'closed';
}

function checkGeometry(geometry: LatticeGeometry, name: string): { shape: number[]; species: string[] } {
  if (geometry === null || typeof geometry !== 'object') throw new TypeError(`${name} must be an object; got ${show(geometry)}`);
  const shape = geometry.shape;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3) {
    throw new RangeError(`${name}.shape must be an array of 1 to 3 positive integers; got ${show(shape)}`);
  }
  for (let i = 0; i < shape.length; i++) checkInt(shape[i], `${name}.shape[${i}]`, 1);
  const species = geometry.species;
  if (!Array.isArray(species) || species.length < 1 || species.length > 255) {
    throw new RangeError(`${name}.species must be an array of 1 to 255 species names; got ${show(species)}`);
  }
  if (!species.every((s) => typeof s === 'string' && s.length > 0) || new Set(species).size !== species.length) {
    throw new RangeError(`${name}.species must be unique non-empty strings; got ${show(species)}`);
  }
  const boundary = geometry.boundary ?? 'periodic';
  checkEnum(boundary, `${name}.boundary`, ['periodic', 'closed']);
  if (boundary === 'closed') {
    throw new ModelFormError(`${name}.boundary`, `${name}.boundary 'closed' is not supported: machines of @srn/boltzmann are periodic`);
  }
  return { shape: [...shape], species: [...species] };
}

/** Throws a {@link ModelFormError} naming the first axis shorter than `min` sites. */
function checkExtent(shape: readonly number[], min: number, what: string): void {
  shape.forEach((n, k) => {
    if (n < min) throw new ModelFormError(`geometry.shape[${k}]`, `geometry.shape[${k}] must be >= ${min} for ${what}; got ${n}`);
  });
}

/** Unit vectors of every axis, last axis first ([[0, 1], [1, 0]] in 2-D). */
function nearestOffsets(dims: number): number[][] {
  const out: number[][] = [];
  for (let k = dims - 1; k >= 0; k--) out.push(Array.from({ length: dims }, (_, d) => (d === k ? 1 : 0)));
  return out;
}

/** Offsets at lattice distance 2, each unordered pair once: 2·e_k (last axis first), then e_j ± e_k for j < k. */
function distanceTwoOffsets(dims: number): number[][] {
  const out: number[][] = nearestOffsets(dims).map((o) => o.map((x) => 2 * x));
  for (let j = 0; j < dims; j++) {
    for (let k = j + 1; k < dims; k++) {
      for (const sign of [1, -1]) out.push(Array.from({ length: dims }, (_, d) => (d === j ? 1 : d === k ? sign : 0)));
    }
  }
  return out;
}

function pairCouplings(
  kind: PairCouplings,
  species: readonly string[],
  name: string,
): 'all' | 'same' | [string, string][] {
  checkEnum(kind, name, ['all', 'same', 'cross']);
  if (kind !== 'cross') return kind;
  if (species.length < 2) throw new RangeError(`${name} 'cross' needs at least two species; got ${show(species)}`);
  const pairs: [string, string][] = [];
  for (const a of species) for (const b of species) if (a !== b) pairs.push([a, b]);
  return pairs;
}

/**
 * Builds the (homogeneous, periodic) machine spec of a model form on a lattice. The output is plain JSON, ready for
 * `createMachine` of `@srn/boltzmann`, `createDbd` and the trainer. Layer names: `visible`, `hidden1`, ...; biases
 * `h<species>` (visible) and `b<species><l>` (hidden); weights `w<a><b>` between layers, `n<a><b>` at nearest
 * neighbours, `m<a><b>` at distance 2.
 *
 * @throws TypeError/RangeError naming the bad field; {@link ModelFormError} for a form the machines cannot express
 *   (closed boundary; triplets outside 1-D)
 *
 * @example
 * ```ts
 * const spec = buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [100], species: ['A'] });
 * createMachine(spec).parameters.names; // ['hA', 'nAA', 'kAAA']
 * ```
 */
export function buildMachineSpec(form: ModelForm, geometry: LatticeGeometry): MachineSpec {
  if (form === null || typeof form !== 'object') throw new TypeError(`form must be a ModelForm object; got ${show(form)}`);
  const { shape, species } = checkGeometry(geometry, 'geometry');
  const dims = shape.length;
  checkEnum(form.kind, 'form.kind', ['visible', 'hidden']);
  const visible = { name: 'visible', shape: [...shape], states: [...species] };
  if (form.kind === 'visible') {
    const f = form as VisibleForm;
    const nn = f.couplings ?? 'all';
    const nnn = f.nnn ?? false;
    const triplets = f.triplets ?? false;
    if (typeof nnn !== 'boolean') throw new TypeError(`form.nnn must be a boolean; got ${show(nnn)}`);
    if (typeof triplets !== 'boolean') throw new TypeError(`form.triplets must be a boolean; got ${show(triplets)}`);
    // Offsets ±1 (±2 with nnn) along an axis must reach distinct sites, or pairs would be counted twice or coincide.
    if (nnn) checkExtent(shape, 5, 'couplings at distance 2 (form.nnn)');
    else if (nn !== false) checkExtent(shape, 3, 'nearest-neighbour couplings');
    const connections: ConnectionSpec[] = [];
    if (nn !== false) {
      connections.push({ lower: 0, upper: 0, field: nearestOffsets(dims), couplings: pairCouplings(nn, species, 'form.couplings'), weightPrefix: 'n' });
    }
    if (nnn) {
      connections.push({
        lower: 0,
        upper: 0,
        field: distanceTwoOffsets(dims),
        couplings: pairCouplings(f.nnnCouplings ?? 'all', species, 'form.nnnCouplings'),
        weightPrefix: 'm',
      });
    } else if (f.nnnCouplings !== undefined) {
      throw new RangeError(`form.nnnCouplings needs form.nnn: true; got nnnCouplings ${show(f.nnnCouplings)} without nnn`);
    }
    if (triplets) {
      if (dims !== 1) {
        throw new ModelFormError('form.triplets', `form.triplets needs a 1-D lattice; got geometry.shape ${show(shape)}`);
      }
      return { layers: [visible], connections, parameterization: 'homogeneous', triplets: [{ layer: 0, states: 'all', weightPrefix: 'k' }] };
    }
    return { layers: [visible], connections, parameterization: 'homogeneous' };
  }
  const f = form as HiddenForm;
  const depth = checkInt(f.layers, 'form.layers', 0, 15);
  const field = f.field ?? '2x2';
  const couplings = f.couplings ?? 'same';
  checkEnum(couplings, 'form.couplings', ['same', 'all']);
  const lateral = f.lateral ?? false;
  if (typeof lateral !== 'boolean') throw new TypeError(`form.lateral must be a boolean; got ${show(lateral)}`);
  const layers = [visible];
  for (let l = 1; l <= depth; l++) layers.push({ name: `hidden${l}`, shape: [...shape], states: species.map((s) => `${s}${l}`) });
  const connections: ConnectionSpec[] = [];
  for (let l = 0; l < depth; l++) {
    connections.push(couplings === 'same' ? { lower: l, upper: l + 1, field } : { lower: l, upper: l + 1, field, couplings });
  }
  if (lateral) {
    checkExtent(shape, 3, 'nearest-neighbour couplings (form.lateral)');
    connections.push({ lower: 0, upper: 0, field: nearestOffsets(dims), couplings: 'all', weightPrefix: 'n' });
  }
  return { layers, connections, parameterization: 'homogeneous' };
}

/**
 * Today's lattice Lotka–Volterra lateral model as a preset of {@link buildMachineSpec}: one visible L × L layer with
 * nearest-neighbour couplings of every ordered species pair (nXX, nXY, nYX, nYY) and cross-species couplings at
 * distance 2 (mXY, mYX). Its default FE domain is hX, hY, nXX, nYY, nXY, mXY.
 *
 * @example
 * ```ts
 * createMachine(lateralMachineSpec(40)).parameters.names; // ['hX', 'hY', 'nXX', 'nXY', 'nYX', 'nYY', 'mXY', 'mYX']
 * ```
 */
export function lateralMachineSpec(size: number, species: readonly string[] = ['X', 'Y']): MachineSpec {
  checkInt(size, 'size', 1);
  return buildMachineSpec({ kind: 'visible', nnn: true, nnnCouplings: 'cross' }, { shape: [size, size], species });
}

/**
 * Today's lattice Lotka–Volterra "cross" model as a preset of {@link buildMachineSpec}: the paper's 3-layer machine
 * with every species pair coupled between adjacent layers.
 *
 * @example
 * ```ts
 * createMachine(crossMachineSpec(40)).parameters.count; // 6 biases + 8 weights
 * ```
 */
export function crossMachineSpec(size: number, species: readonly string[] = ['X', 'Y']): MachineSpec {
  checkInt(size, 'size', 1);
  return buildMachineSpec({ kind: 'hidden', layers: 2, field: '2x2', couplings: 'all' }, { shape: [size, size], species });
}

/**
 * Options of {@link defaultFeDomain}.
 *
 * @example
 * ```ts
 * const o: FeDomainOptions = { maxInputs: 4 };
 * ```
 */
export interface FeDomainOptions {
  /** Largest number of FE inputs (default 6; at most 10). The cost of one FE evaluation is 4^d. */
  readonly maxInputs?: number;
}

/**
 * The default finite-element input domain of a machine: at most `maxInputs` (default 6) parameter names, chosen by a
 * fixed priority that depends only on the structure (so every initial condition shares it):
 *
 * 1. the visible biases, in state order;
 * 2. the "diagonal" couplings, in parameter order: weights of a species with itself (lateral `nAA`, `mAA`, triplet
 *    `kAAA`) and weights between a species and its own hidden copy (`wXX1`, `wX1X2`, ...);
 * 3. the remaining couplings in parameter order, skipping the mirror image (b, a) of a lateral pair (a, b) or
 *    (c, b, a) of a triple (a, b, c) already chosen (its statistic is the reflection of the other's, so it carries
 *    no new information about the state).
 *
 * Hidden biases never are inputs (they get their own F). The list is cut at `maxInputs`. For the paper machine this is
 * hX, hY, wXX1, wYY1, wX1X2, wY1Y2 (spec 6.1); for today's lateral model hX, hY, nXX, nYY, nXY, mXY; for the 2019
 * visible A + A model hA, nAA, kAAA. Override by passing `domain` (names) to `createDbd` or the trainer.
 *
 * @example
 * ```ts
 * defaultFeDomain(createMachine(paperMachineSpec(40))); // ['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']
 * ```
 */
export function defaultFeDomain(machine: Machine, options: FeDomainOptions = {}): string[] {
  const o = checkObject(options, 'options');
  const maxInputs = o.maxInputs === undefined ? 6 : checkInt(o.maxInputs, 'options.maxInputs', 1, 10);
  if (machine === null || typeof machine !== 'object' || !Array.isArray(machine.layers)) {
    throw new TypeError(`machine must be a Machine built by createMachine; got ${show(machine)}`);
  }
  const blocks = machine.parameters.blocks;
  const out: string[] = [];
  for (const b of blocks) if (b.kind === 'bias' && b.owner === 0) out.push(b.name);
  const rest: string[] = [];
  const mirrors = new Set<string>();
  for (const b of blocks) {
    if (b.kind === 'bias') continue;
    if (b.kind === 'triplet') {
      const Tr = machine.triplets[b.owner];
      const [a, m, c] = [Tr.triples[3 * b.state], Tr.triples[3 * b.state + 1], Tr.triples[3 * b.state + 2]];
      if (a === m && m === c) out.push(b.name);
      else {
        // (a, m, c) and its mirror (c, m, a) are reflections of each other
        const key = `t${b.owner}:${Math.min(a, c)}:${m}:${Math.max(a, c)}`;
        if (mirrors.has(key)) continue;
        mirrors.add(key);
        rest.push(b.name);
      }
      continue;
    }
    const C = machine.connections[b.owner];
    const lower = machine.layers[C.lower];
    const upper = machine.layers[C.upper];
    const a = C.pairs[2 * b.state];
    const c = C.pairs[2 * b.state + 1];
    const lateral = C.lower === C.upper;
    const diagonal = lateral ? a === c : a === c && lower.stateCount === upper.stateCount;
    if (diagonal) out.push(b.name);
    else if (lateral) {
      const key = `${b.owner}:${Math.min(a, c)}:${Math.max(a, c)}`;
      if (mirrors.has(key)) continue;
      mirrors.add(key);
      rest.push(b.name);
    } else rest.push(b.name);
  }
  return [...out, ...rest].slice(0, maxInputs);
}

/**
 * Centering offsets from the data, one per layer (the form `initialOffsets` of the trainer takes): the visible layer
 * gets the mean occupancy per site and species of `lattices` (averaged over species), every hidden layer 1/(K + 1),
 * the mean of a unit at zero field.
 *
 * @example
 * ```ts
 * initialOffsetsFromData(createMachine(paperMachineSpec(40)), lattices); // [≈ 0.0625, 0.333, 0.333] for LV data
 * ```
 */
export function initialOffsetsFromData(machine: Machine, lattices: readonly Uint8Array[]): number[] {
  const V = checkLattices(machine, lattices);
  let occupied = 0;
  for (const occ of lattices) for (let i = 0; i < occ.length; i++) if (occ[i] !== 0) occupied++;
  const visible = occupied / (lattices.length * V.size * V.stateCount);
  return machine.layers.map((L) => (L.index === 0 ? visible : 1 / (L.stateCount + 1)));
}

function checkLattices(machine: Machine, lattices: readonly Uint8Array[]): Machine['layers'][number] {
  if (machine === null || typeof machine !== 'object' || !Array.isArray(machine.layers)) {
    throw new TypeError(`machine must be a Machine built by createMachine; got ${show(machine)}`);
  }
  const V = machine.layers[0];
  if (!Array.isArray(lattices) || lattices.length === 0) {
    throw new RangeError(`lattices must be a non-empty array of visible states; got ${show(lattices)}`);
  }
  lattices.forEach((occ, m) => {
    if (!(occ instanceof Uint8Array) || occ.length !== V.size) {
      throw new TypeError(`lattices[${m}] must be a Uint8Array of length ${V.size} (the visible layer); got ${show(occ)}`);
    }
    for (let i = 0; i < occ.length; i++) {
      if (occ[i] > V.stateCount) {
        throw new RangeError(`lattices[${m}][${i}] = ${occ[i]} is not a state code of the visible layer (0..${V.stateCount})`);
      }
    }
  });
  return V;
}

/**
 * Options of {@link fitTheta0}.
 *
 * @example
 * ```ts
 * const o: Theta0FitOptions = { rng: createRng(1), iterations: 400 };
 * ```
 */
export interface Theta0FitOptions {
  /** Randomness for machines with hidden layers (required there; unused for fully visible machines). */
  readonly rng?: RandomSource;
  /**
   * Fully visible: largest Newton iterations of the pseudo-likelihood fit (default 2000; typically 5-15 are taken).
   * Hidden: CD iterations of `fitStatic` (default 400).
   */
  readonly iterations?: number;
  /** Fully visible: gradient tolerance per site (default 1e-7). */
  readonly tolerance?: number;
  /** Hidden: snapshots per CD iteration (default min(10, lattices)). */
  readonly batchSize?: number;
  /** Hidden: Gibbs sweeps per phase (default 10). */
  readonly sweeps?: number;
  /** Hidden: Adam learning rate (default 0.02). */
  readonly learningRate?: number;
}

/** Whether every connection of the machine is lateral on the visible layer and there is no other layer. */
function fullyVisible(machine: Machine): boolean {
  return machine.layers.length === 1 && machine.connections.every((C) => C.lower === 0 && C.upper === 0);
}

/**
 * θ(0) fitted from t = 0 lattices (visible states, one `Uint8Array` per sample, codes as in the visible layer).
 *
 * - Fully visible machines (one layer, lateral couplings only): maximum pseudo-likelihood on the machine's own
 *   structure (the engine of `fitBoltzmannLattice`): every site's conditional given its neighbours is a softmax over
 *   its K + 1 states with activations h_a + Σ_{offsets d} (n_{a, s_{i+d}} + n_{s_{i−d}, a}) (+ with triplets
 *   k_{s_{i−2} s_{i−1} a} + k_{s_{i−1} a s_{i+1}} + k_{a s_{i+1} s_{i+2}}), the data compressed into counts per
 *   neighbourhood. Concave and consistent (Besag 1975); deterministic.
 * - Machines with hidden layers: `fitStatic` of `@srn/boltzmann` (persistent CD with centered gradients, Adam, the
 *   second half of the iterates averaged), starting from independent sites at the data's densities (h_a = ln(n_a/n_0),
 *   everything else 0).
 *
 * @throws TypeError/RangeError naming the argument (lattices of the wrong length or codes, missing rng for hidden)
 *
 * @example
 * ```ts
 * const machine = createMachine(buildMachineSpec({ kind: 'visible' }, { shape: [200], species: ['A'] }));
 * const theta0 = fitTheta0(machine, lattices); // [hA, nAA]
 * ```
 */
export function fitTheta0(machine: Machine, lattices: readonly Uint8Array[], options: Theta0FitOptions = {}): Float64Array {
  const V = checkLattices(machine, lattices);
  const o = checkObject(options, 'options');
  if (machine.parameterization !== 'homogeneous') {
    throw new RangeError(`machine.parameterization must be 'homogeneous'; got ${show(machine.parameterization)}`);
  }
  if (fullyVisible(machine)) {
    const iterations = o.iterations === undefined ? 2000 : checkInt(o.iterations, 'options.iterations', 1);
    const tolerance = o.tolerance === undefined ? 1e-7 : checkPositive(o.tolerance, 'options.tolerance');
    return maximisePseudoLikelihood(visibleProblem(machine, lattices), iterations, tolerance).theta;
  }
  checkRngLike(o.rng, 'options.rng');
  const rng = o.rng as RandomSource;
  const iterations = o.iterations === undefined ? 400 : checkInt(o.iterations, 'options.iterations', 1);
  const batchSize = o.batchSize === undefined ? Math.min(10, lattices.length) : checkInt(o.batchSize, 'options.batchSize', 1, lattices.length);
  const sweeps = o.sweeps === undefined ? 10 : checkInt(o.sweeps, 'options.sweeps', 1);
  const learningRate = o.learningRate === undefined ? 0.02 : checkPositive(o.learningRate, 'options.learningRate');
  // Start from independent sites at the data's densities (the exact answer without couplings).
  const initial = new Float64Array(machine.parameters.count);
  const n = new Float64Array(V.stateCount + 1);
  for (const occ of lattices) for (let i = 0; i < occ.length; i++) n[occ[i]]++;
  for (let a = 1; a <= V.stateCount; a++) initial[V.biasStart + a - 1] = Math.log((n[a] + 0.5) / (n[0] + 0.5));
  const snapshots: LatticeSnapshot[] = lattices.map((occupancy) => ({ shape: [...V.shape], species: [...V.states], occupancy }));
  const fit = fitStatic(machine, snapshots, {
    rng,
    iterations,
    batchSize,
    awakeSweeps: sweeps,
    asleepSweeps: sweeps,
    initial,
    centers: createCenters(machine, initialOffsetsFromData(machine, lattices)),
    averageFrom: Math.floor(iterations / 2),
    optimizer: createAdam({ learningRate }),
  });
  return (fit.averaged ?? fit.parameters).slice();
}

/**
 * The pseudo-likelihood problem of a fully visible machine: slots = for every lateral connection and offset the
 * forward neighbour i + d and the backward neighbour i − d; features of state a = its bias plus, per occupied slot,
 * the weight of the pair (a, s_{i+d}) (forward) or (s_{i−d}, a) (backward) when that pair is coupled.
 */
function visibleProblem(machine: Machine, lattices: readonly Uint8Array[]) {
  const V = machine.layers[0];
  const S = V.stateCount;
  const B = S + 1;
  const n = V.size;
  // Slot tables: neighbour site per (slot, site), and per slot its connection and direction.
  const slotSite: Int32Array[] = [];
  const slotConn: number[] = [];
  const slotForward: boolean[] = [];
  machine.connections.forEach((C, ci) => {
    const q = C.offsets.length;
    for (let o = 0; o < q; o++) {
      const fwd = new Int32Array(n);
      const back = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const j = C.edgeUpper[i * q + o];
        fwd[i] = j;
        back[j] = i;
      }
      slotSite.push(fwd, back);
      slotConn.push(ci, ci);
      slotForward.push(true, false);
    }
  });
  // Triplets (1-D, layer 0): four more slots, the sites i − 2, i − 1, i + 1, i + 2.
  const tripletSlot = slotSite.length;
  if (machine.triplets.length > 0) {
    for (const d of [-2, -1, 1, 2]) slotSite.push(Int32Array.from({ length: n }, (_, i) => (((i + d) % n) + n) % n));
  }
  const width = slotSite.length;
  if (width * Math.log2(B) > 52) {
    throw new RangeError(`machine: ${S} states with ${width} neighbour slots are too many for the neighbourhood table`);
  }
  return compressPseudoLikelihood(
    S,
    machine.parameters.count,
    width,
    lattices,
    (occ, i, context) => {
      for (let w = 0; w < width; w++) context[w] = occ[slotSite[w][i]];
    },
    (context, a, feats) => {
      feats.push(V.biasStart + a - 1);
      for (const Tr of machine.triplets) {
        const [x, y, z, v] = [context[tripletSlot], context[tripletSlot + 1], context[tripletSlot + 2], context[tripletSlot + 3]];
        for (const key of [(x * B + y) * B + a, (y * B + a) * B + z, (a * B + z) * B + v]) {
          const t = Tr.tripleIndex[key];
          if (t >= 0) feats.push(Tr.weightStart + t);
        }
      }
      for (let w = 0; w < tripletSlot; w++) {
        const s = context[w];
        if (s === 0) continue;
        const C = machine.connections[slotConn[w]];
        const pair = slotForward[w] ? C.pairIndex[a * B + s] : C.pairIndex[s * B + a];
        if (pair >= 0) feats.push(C.weightStart + pair);
      }
    },
  );
}
