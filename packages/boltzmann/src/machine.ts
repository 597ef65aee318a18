/**
 * Machine structure: layers of K-state multinomial (Potts) units on periodic lattices, the sparse connectivity
 * between layers, and the layout of the flat parameter vector. A {@link Machine} holds no parameter values, so one
 * structure serves any number of parameter vectors (e.g. θ(t) for every time point of a dynamic Boltzmann
 * distribution).
 *
 * @packageDocumentation
 */

/**
 * A receptive field: `'2x2'` (offsets {0, 1}^d, the paper's choice), `'3x3'` (offsets {−1, 0, 1}^d) or an explicit
 * list of integer offset vectors, each of length d (the lattice dimension). Lower-layer site i connects to the
 * upper-layer site i + offset (periodic wrap) for every offset.
 *
 * @example
 * ```ts
 * const cross: FieldSpec = [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]];
 * ```
 */
export type FieldSpec = '2x2' | '3x3' | readonly (readonly number[])[];

/**
 * Which state pairs of two connected layers carry a weight: `'same'` pairs state k of the lower layer with state k
 * of the upper layer (the paper: same species only; needs equal K), `'all'` couples every pair, or an explicit list
 * of `[lowerState, upperState]` pairs given by state name or 1-based state index.
 *
 * @example
 * ```ts
 * const crossOnly: CouplingSpec = [['X', 'Y1'], ['Y', 'X1']];
 * ```
 */
export type CouplingSpec = 'same' | 'all' | readonly (readonly [string | number, string | number])[];

/**
 * One layer: a periodic lattice of units, each empty (state 0, energy zero) or in one of `states` (K = states.length;
 * K = 1 gives Bernoulli units).
 *
 * @example
 * ```ts
 * const visible: LayerSpec = { name: 'visible', shape: [40, 40], states: ['X', 'Y'], biasPrefix: 'h' };
 * ```
 */
export interface LayerSpec {
  /** Unique layer name. */
  readonly name: string;
  /** Lattice shape, 1 to 3 positive integers (row-major; the last coordinate varies fastest). */
  readonly shape: readonly number[];
  /** Names of the non-empty states (1 to 255 of them, unique within the layer). */
  readonly states: readonly string[];
  /** Prefix of the short bias names (default `'h'` for layer 0, `'b'` otherwise): bias of state X is `hX`. */
  readonly biasPrefix?: string;
}

/**
 * A connection between two layers of different parity (so that even and odd layers can be sampled as blocks), or a
 * lateral connection inside one layer (`lower` = `upper`).
 * `kind: 'convolution'` (default) needs equal shapes and uses a receptive field with stride 1 and periodic wrap;
 * `kind: 'dense'` connects every lower unit to every upper unit (an ordinary RBM).
 * A lateral connection couples unit i with unit i + d for every offset d of its field (each unordered pair once:
 * neither 0 nor both d and −d may be listed), e.g. nearest-neighbour pair interactions of a Potts model. A layer with
 * lateral connections is no longer conditionally independent given the other layers, so samplers update its units
 * one after another in place (systematic-scan Gibbs), which leaves the Boltzmann distribution invariant.
 *
 * @example
 * ```ts
 * const c: ConnectionSpec = { lower: 'visible', upper: 'hidden1', field: '2x2', couplings: 'same' };
 * const d: ConnectionSpec = { kind: 'dense', lower: 0, upper: 1, couplings: 'all' };
 * const nn: ConnectionSpec = { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' };
 * ```
 */
export interface ConnectionSpec {
  readonly kind?: 'convolution' | 'dense';
  /** Lower layer (name or index). */
  readonly lower: string | number;
  /** Upper layer (name or index). */
  readonly upper: string | number;
  /** Receptive field of a convolution (default `'2x2'`); ignored for dense connections. */
  readonly field?: FieldSpec;
  /** Coupled state pairs (default `'same'`). */
  readonly couplings?: CouplingSpec;
  /**
   * Prefix of the short weight names (default `'w'`): the weight of lower state X and upper state Y1 is `wXY1`.
   * Give lateral connections distinct prefixes (e.g. `'n'` and `'m'`) so that their weights get short names.
   */
  readonly weightPrefix?: string;
}

/** `'homogeneous'`: one bias per (layer, state) and one weight per coupled pair (weight-tied, the paper); `'per-unit'`: one bias per (unit, state) and one weight per (edge, coupled pair). */
export type Parameterization = 'homogeneous' | 'per-unit';

/**
 * Everything {@link createMachine} needs. Without `connections`, consecutive layers are joined by `'2x2'`
 * convolutions with `'same'` couplings.
 *
 * @example
 * ```ts
 * const spec: MachineSpec = {
 *   layers: [
 *     { name: 'v', shape: [4, 4], states: ['X', 'Y'] },
 *     { name: 'h', shape: [4, 4], states: ['X1', 'Y1'] },
 *   ],
 *   parameterization: 'homogeneous',
 * };
 * ```
 */
export interface MachineSpec {
  readonly layers: readonly LayerSpec[];
  readonly connections?: readonly ConnectionSpec[];
  readonly parameterization?: Parameterization;
  /** Triplet couplings of three consecutive sites of 1-D layers (homogeneous machines only). */
  readonly triplets?: readonly TripletSpec[];
}

/**
 * Triplet couplings of a 1-D layer (the K of Ernst et al. 2018): one weight per coupled ordered state triple
 * (a, b, c) of three consecutive sites (i, i + 1, i + 2) (periodic), adding K_abc · Σ_i s_{i,a} s_{i+1,b} s_{i+2,c}
 * to −E. `states`: `'same'` (a = b = c, default), `'all'` (every ordered triple), or a list of triples by state name
 * or 1-based index. The layer must be 1-D with at least 3 units, and the machine homogeneous. A layer with triplets
 * is sampled unit by unit in place (systematic-scan Gibbs) like a layer with lateral connections. Triplet weights
 * are not centered (their centered and raw values are equal, and their statistics are used raw).
 *
 * @example
 * ```ts
 * const k: TripletSpec = { layer: 'visible', states: 'same', weightPrefix: 'k' }; // weight kAAA for species A
 * ```
 */
export interface TripletSpec {
  /** The layer (name or index). */
  readonly layer: string | number;
  readonly states?: 'same' | 'all' | readonly (readonly [string | number, string | number, string | number])[];
  /** Prefix of the short weight names (default `'k'`): the weight of (A, B, C) is `kABC`. */
  readonly weightPrefix?: string;
}

/**
 * Resolved triplet couplings of a {@link Machine}.
 *
 * @example
 * ```ts
 * const m = createMachine({ layers: [{ name: 'v', shape: [6], states: ['A'] }], triplets: [{ layer: 0 }] });
 * m.triplets[0].tripleCount; // 1 (A, A, A)
 * ```
 */
export interface Triplet {
  readonly index: number;
  /** Layer index (a 1-D layer). */
  readonly layer: number;
  /** Number of coupled triples. */
  readonly tripleCount: number;
  /** Coupled triples as 1-based states: triple t is (`triples[3t]`, `triples[3t+1]`, `triples[3t+2]`). */
  readonly triples: Int32Array;
  /** `tripleIndex[(a·(K + 1) + b)·(K + 1) + c]` is the triple index of (a, b, c) or −1. */
  readonly tripleIndex: Int32Array;
  /** Start of the triplet weights in the parameter vector (triple t at `weightStart + t`). */
  readonly weightStart: number;
}

/**
 * A resolved layer of a {@link Machine}.
 *
 * @example
 * ```ts
 * const m = paperMachine({ size: 4 });
 * m.layers[1].size; // 16
 * ```
 */
export interface Layer {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly states: readonly string[];
  /** K: number of non-empty states. */
  readonly stateCount: number;
  /** Number of units. */
  readonly size: number;
  /** Offset of this layer's units inside one chain's row of a state array. */
  readonly unitOffset: number;
  /** Offset of this layer inside one chain's row of a probability array (unit i, state k at `+ i*K + k − 1`). */
  readonly probabilityOffset: number;
  /** Offset of this layer's states inside an offsets (centers) vector (state k at `+ k − 1`). */
  readonly centerOffset: number;
  /** Start of this layer's biases in the parameter vector. */
  readonly biasStart: number;
  /** Bias of unit i, state k sits at `biasStart + i * biasStride + k − 1` (`biasStride` is 0 when homogeneous). */
  readonly biasStride: number;
}

/**
 * A resolved connection of a {@link Machine}: the edge list and CSR adjacency in both directions (Int32Arrays).
 *
 * @example
 * ```ts
 * const m = paperMachine({ size: 4 });
 * const c = m.connections[0];
 * c.edgeCount;          // 64 = 4 * 16
 * c.lowerMultiplicity;  // q = 4
 * ```
 */
export interface Connection {
  readonly index: number;
  readonly kind: 'convolution' | 'dense';
  readonly lower: number;
  readonly upper: number;
  /** Receptive-field offsets (convolution only; empty for dense). */
  readonly offsets: readonly (readonly number[])[];
  readonly edgeCount: number;
  /** Lower unit of every edge. */
  readonly edgeLower: Int32Array;
  /** Upper unit of every edge. */
  readonly edgeUpper: Int32Array;
  /** CSR from lower units: edges of lower unit i are `lowerPtr[i] .. lowerPtr[i+1]`, neighbour `lowerAdj[e]`, edge id `lowerEdge[e]`. */
  readonly lowerPtr: Int32Array;
  readonly lowerAdj: Int32Array;
  readonly lowerEdge: Int32Array;
  /** CSR from upper units. */
  readonly upperPtr: Int32Array;
  readonly upperAdj: Int32Array;
  readonly upperEdge: Int32Array;
  /** q of the lower layer: edges per lower unit (receptive-field size, or the upper layer size when dense). */
  readonly lowerMultiplicity: number;
  /** q of the upper layer: edges per upper unit. */
  readonly upperMultiplicity: number;
  /** Number of coupled state pairs P. */
  readonly pairCount: number;
  /** Coupled pairs as 1-based states: pair p is (`pairs[2p]`, `pairs[2p+1]`) = (lower state, upper state). */
  readonly pairs: Int32Array;
  /** `pairIndex[α * (K_upper + 1) + β]` is the pair index of (α, β) or −1. */
  readonly pairIndex: Int32Array;
  /** Start of this connection's weights in the parameter vector. */
  readonly weightStart: number;
  /** Weight of edge e, pair p sits at `weightStart + e * edgeStride + p` (`edgeStride` is 0 when homogeneous). */
  readonly edgeStride: number;
}

/**
 * A named block of the parameter vector: element i (unit or edge i when per-unit, only i = 0 when homogeneous) sits
 * at `offset + i * stride`.
 *
 * @example
 * ```ts
 * const m = paperMachine({ size: 4 });
 * m.parameters.blocks.map((b) => b.name); // ['hX', 'hY', 'bX1', 'bY1', 'bX2', 'bY2', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']
 * ```
 */
export interface ParameterBlock {
  /** Short name (e.g. `hX`, `wXX1`), or the qualified name when the short one would be ambiguous. */
  readonly name: string;
  /** Always-unique name: `bias:<layer>.<state>` or `weight:<lower>.<state>:<upper>.<state>`. */
  readonly qualifiedName: string;
  readonly kind: 'bias' | 'weight' | 'triplet';
  /** Layer index (bias), connection index (weight) or triplet index (triplet: `machine.triplets[owner]`). */
  readonly owner: number;
  /** 1-based state (bias), pair index (weight) or triple index (triplet). */
  readonly state: number;
  readonly offset: number;
  readonly stride: number;
  readonly count: number;
}

/**
 * Layout of the flat parameter vector (and of every statistics vector, which has the same layout).
 *
 * @example
 * ```ts
 * const m = paperMachine();
 * m.parameters.count;          // 10
 * m.parameters.index('wXX1');  // 6
 * ```
 */
export interface ParameterLayout {
  /** Length of the parameter vector. */
  readonly count: number;
  readonly blocks: readonly ParameterBlock[];
  /** Index of element `element` (default 0) of the named block (short or qualified name); throws RangeError if unknown. */
  index(name: string, element?: number): number;
  /** The named block; throws RangeError if unknown. */
  block(name: string): ParameterBlock;
  /** Block name of every parameter index (short names). */
  readonly names: readonly string[];
}

/**
 * A validated, immutable DBM structure. Create with {@link createMachine} or {@link paperMachine}.
 *
 * @example
 * ```ts
 * const m = createMachine({ layers: [{ name: 'v', shape: [6], states: ['on'] }, { name: 'h', shape: [6], states: ['on'] }] });
 * m.unitCount; // 12
 * ```
 */
export interface Machine {
  readonly layers: readonly Layer[];
  readonly connections: readonly Connection[];
  readonly parameterization: Parameterization;
  readonly parameters: ParameterLayout;
  /** Units per chain (row length of a state array). */
  readonly unitCount: number;
  /** Σ size·K over layers (row length of a probability array). */
  readonly probabilityCount: number;
  /** Σ K over layers (length of an offsets vector). */
  readonly centerCount: number;
  /** Connections touching each layer: `[connection index, side]` where side 0 means the layer is the lower end. */
  readonly incidence: readonly (readonly (readonly [number, 0 | 1])[])[];
  /** Triplet couplings (empty for most machines). */
  readonly triplets: readonly Triplet[];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return String(value);
}

function fieldOffsets(field: FieldSpec, dims: number, name: string): number[][] {
  if (field === '2x2' || field === '3x3') {
    const values = field === '2x2' ? [0, 1] : [-1, 0, 1];
    let out: number[][] = [[]];
    for (let d = 0; d < dims; d++) out = out.flatMap((o) => values.map((v) => [...o, v]));
    return out;
  }
  if (!Array.isArray(field) || field.length === 0) {
    throw new TypeError(`${name} must be '2x2', '3x3' or a non-empty array of offset vectors; got ${describe(field)}`);
  }
  return field.map((o, i) => {
    if (!Array.isArray(o) || o.length !== dims || !o.every((x) => Number.isSafeInteger(x))) {
      throw new RangeError(`${name}[${i}] must be an array of ${dims} integers; got ${describe(o)}`);
    }
    return [...o];
  });
}

/**
 * Lateral offsets must give each unordered pair of distinct units once: no offset that wraps onto the unit itself, no
 * offset listed twice or together with its negative (modulo the periodic shape), also across the layer's earlier
 * lateral connections (whose canonical keys `seenKeys` holds and gains these).
 */
function checkLateralOffsets(offsets: number[][], shape: readonly number[], seenKeys: string[], name: string): void {
  const canonical = (o: readonly number[]): string => o.map((x, d) => ((x % shape[d]) + shape[d]) % shape[d]).join(',');
  const own: string[] = [];
  offsets.forEach((o, i) => {
    const key = canonical(o);
    const negated = canonical(o.map((x) => -x));
    if (o.every((x, d) => ((x % shape[d]) + shape[d]) % shape[d] === 0)) {
      throw new RangeError(`${name}[${i}] couples every unit with itself on a lattice of shape ${describe(shape)}; got ${describe(o)}`);
    }
    if (own.includes(key) || own.includes(negated) || seenKeys.includes(key) || seenKeys.includes(negated)) {
      throw new RangeError(
        `${name}[${i}] couples pairs that an earlier lateral offset already couples (d and −d give the same pairs; shape ${describe(shape)}); got ${describe(o)}`,
      );
    }
    own.push(key);
  });
  seenKeys.push(...own);
}

function resolveLayer(ref: string | number, layers: readonly LayerSpec[], name: string): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref >= layers.length) {
      throw new RangeError(`${name} must be a layer index in [0, ${layers.length}) or a layer name; got ${describe(ref)}`);
    }
    return ref;
  }
  const i = layers.findIndex((l) => l.name === ref);
  if (i < 0) throw new RangeError(`${name} names no layer; got ${describe(ref)}`);
  return i;
}

function resolveState(ref: string | number, states: readonly string[], name: string): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 1 || ref > states.length) {
      throw new RangeError(`${name} must be a 1-based state index in [1, ${states.length}] or a state name; got ${ref}`);
    }
    return ref;
  }
  const i = states.indexOf(ref);
  if (i < 0) throw new RangeError(`${name} names no state of its layer; got ${describe(ref)}`);
  return i + 1;
}

function validateLayer(spec: LayerSpec, i: number): void {
  const name = `spec.layers[${i}]`;
  if (spec === null || typeof spec !== 'object') throw new TypeError(`${name} must be an object; got ${describe(spec)}`);
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new TypeError(`${name}.name must be a non-empty string; got ${describe(spec.name)}`);
  }
  if (!Array.isArray(spec.shape) || spec.shape.length < 1 || spec.shape.length > 3) {
    throw new RangeError(`${name}.shape must be an array of 1 to 3 positive integers; got ${describe(spec.shape)}`);
  }
  for (const n of spec.shape) {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`${name}.shape must contain positive integers; got ${describe(spec.shape)}`);
    }
  }
  if (!Array.isArray(spec.states) || spec.states.length < 1 || spec.states.length > 255) {
    throw new RangeError(`${name}.states must be an array of 1 to 255 state names; got ${describe(spec.states)}`);
  }
  if (!spec.states.every((s) => typeof s === 'string' && s.length > 0) || new Set(spec.states).size !== spec.states.length) {
    throw new RangeError(`${name}.states must be unique non-empty strings; got ${describe(spec.states)}`);
  }
  if (spec.biasPrefix !== undefined && typeof spec.biasPrefix !== 'string') {
    throw new TypeError(`${name}.biasPrefix must be a string; got ${describe(spec.biasPrefix)}`);
  }
}

function buildCsr(
  from: Int32Array,
  to: Int32Array,
  n: number,
): { ptr: Int32Array; adj: Int32Array; edge: Int32Array } {
  const ptr = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) ptr[from[e] + 1]++;
  for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
  const fill = ptr.slice(0, n);
  const adj = new Int32Array(from.length);
  const edge = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) {
    const k = fill[from[e]]++;
    adj[k] = to[e];
    edge[k] = e;
  }
  return { ptr, adj, edge };
}

/**
 * Validates a {@link MachineSpec} and builds the structure: unit offsets, adjacency, parameter layout and names.
 * Throws TypeError/RangeError naming the offending field.
 *
 * @example
 * ```ts
 * const rbm = createMachine({
 *   layers: [{ name: 'v', shape: [8], states: ['on'] }, { name: 'h', shape: [3], states: ['on'] }],
 *   connections: [{ kind: 'dense', lower: 'v', upper: 'h' }],
 *   parameterization: 'per-unit',
 * });
 * rbm.parameters.count; // 8 + 3 + 24
 * ```
 */
export function createMachine(spec: MachineSpec): Machine {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`spec must be an object; got ${describe(spec)}`);
  if (!Array.isArray(spec.layers) || spec.layers.length < 1) {
    throw new RangeError(`spec.layers must be a non-empty array; got ${describe(spec.layers)}`);
  }
  spec.layers.forEach(validateLayer);
  const layerNames = spec.layers.map((l) => l.name);
  if (new Set(layerNames).size !== layerNames.length) {
    throw new RangeError(`spec.layers names must be unique; got ${describe(layerNames)}`);
  }
  const parameterization = spec.parameterization ?? 'homogeneous';
  if (parameterization !== 'homogeneous' && parameterization !== 'per-unit') {
    throw new RangeError(`spec.parameterization must be 'homogeneous' or 'per-unit'; got ${describe(parameterization)}`);
  }
  const perUnit = parameterization === 'per-unit';
  const connSpecs: readonly ConnectionSpec[] =
    spec.connections ?? spec.layers.slice(1).map((_, i) => ({ lower: i, upper: i + 1 }) as ConnectionSpec);
  if (!Array.isArray(connSpecs)) throw new TypeError(`spec.connections must be an array; got ${describe(connSpecs)}`);

  // Layers.
  const layers: Layer[] = [];
  let unitOffset = 0;
  let probabilityOffset = 0;
  let centerOffset = 0;
  let paramCursor = 0;
  const blocks: ParameterBlock[] = [];
  for (let l = 0; l < spec.layers.length; l++) {
    const s = spec.layers[l];
    const size = s.shape.reduce((a: number, b: number) => a * b, 1);
    const k = s.states.length;
    if (size * (k + 1) > 2 ** 31 - 1) throw new RangeError(`spec.layers[${l}] is too large: ${size} units`);
    const biasStart = paramCursor;
    const biasStride = perUnit ? k : 0;
    paramCursor += perUnit ? size * k : k;
    const prefix = s.biasPrefix ?? (l === 0 ? 'h' : 'b');
    for (let a = 1; a <= k; a++) {
      blocks.push({
        name: `${prefix}${s.states[a - 1]}`,
        qualifiedName: `bias:${s.name}.${s.states[a - 1]}`,
        kind: 'bias',
        owner: l,
        state: a,
        offset: biasStart + a - 1,
        stride: biasStride,
        count: perUnit ? size : 1,
      });
    }
    layers.push({
      index: l,
      name: s.name,
      shape: Object.freeze([...s.shape]),
      states: Object.freeze([...s.states]),
      stateCount: k,
      size,
      unitOffset,
      probabilityOffset,
      centerOffset,
      biasStart,
      biasStride,
    });
    unitOffset += size;
    probabilityOffset += size * k;
    centerOffset += k;
  }

  // Connections.
  const connections: Connection[] = [];
  const seen = new Set<string>();
  // Offsets of the lateral connections so far, per layer: two lateral connections must not couple the same pairs.
  const lateralOffsets: string[][] = layers.map(() => []);
  const incidence: [number, 0 | 1][][] = layers.map(() => []);
  connSpecs.forEach((cs, ci) => {
    const name = `spec.connections[${ci}]`;
    if (cs === null || typeof cs !== 'object') throw new TypeError(`${name} must be an object; got ${describe(cs)}`);
    const kind = cs.kind ?? 'convolution';
    if (kind !== 'convolution' && kind !== 'dense') {
      throw new RangeError(`${name}.kind must be 'convolution' or 'dense'; got ${describe(kind)}`);
    }
    const lo = resolveLayer(cs.lower, spec.layers, `${name}.lower`);
    const up = resolveLayer(cs.upper, spec.layers, `${name}.upper`);
    const lateral = lo === up;
    if (!lateral && (lo - up) % 2 === 0) {
      throw new RangeError(
        `${name} must join layers of different parity (even/odd block Gibbs) or one layer with itself (lateral); got layers ${lo} and ${up}`,
      );
    }
    if (lateral && kind !== 'convolution') {
      throw new RangeError(`${name}: a lateral connection (lower = upper = ${lo}) must be a convolution; got kind ${describe(kind)}`);
    }
    const prefix = cs.weightPrefix ?? 'w';
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new TypeError(`${name}.weightPrefix must be a non-empty string; got ${describe(cs.weightPrefix)}`);
    }
    const key = `${Math.min(lo, up)}-${Math.max(lo, up)}`;
    if (!lateral && seen.has(key)) throw new RangeError(`${name} duplicates the connection between layers ${lo} and ${up}`);
    seen.add(key);
    const L = layers[lo];
    const U = layers[up];
    let offsets: number[][] = [];
    let edgeLower: Int32Array;
    let edgeUpper: Int32Array;
    let lowerMultiplicity: number;
    let upperMultiplicity: number;
    if (kind === 'convolution') {
      if (L.shape.length !== U.shape.length || L.shape.some((n, d) => n !== U.shape[d])) {
        throw new RangeError(
          `${name}: a convolution (stride 1) needs equal layer shapes; got ${describe(L.shape)} and ${describe(U.shape)}`,
        );
      }
      offsets = fieldOffsets(cs.field ?? '2x2', L.shape.length, `${name}.field`);
      if (lateral) checkLateralOffsets(offsets, L.shape, lateralOffsets[lo], `${name}.field`);
      const q = offsets.length;
      const dims = L.shape.length;
      edgeLower = new Int32Array(L.size * q);
      edgeUpper = new Int32Array(L.size * q);
      const coord = new Array<number>(dims).fill(0);
      for (let i = 0; i < L.size; i++) {
        let rem = i;
        for (let d = dims - 1; d >= 0; d--) {
          coord[d] = rem % L.shape[d];
          rem = Math.floor(rem / L.shape[d]);
        }
        for (let o = 0; o < q; o++) {
          let j = 0;
          for (let d = 0; d < dims; d++) {
            const n = L.shape[d];
            j = j * n + ((((coord[d] + offsets[o][d]) % n) + n) % n);
          }
          edgeLower[i * q + o] = i;
          edgeUpper[i * q + o] = j;
        }
      }
      lowerMultiplicity = q;
      upperMultiplicity = q;
    } else {
      const E = L.size * U.size;
      if (E > 2 ** 31 - 1) throw new RangeError(`${name}: too many dense edges (${E})`);
      edgeLower = new Int32Array(E);
      edgeUpper = new Int32Array(E);
      for (let i = 0, e = 0; i < L.size; i++) {
        for (let j = 0; j < U.size; j++, e++) {
          edgeLower[e] = i;
          edgeUpper[e] = j;
        }
      }
      lowerMultiplicity = U.size;
      upperMultiplicity = L.size;
    }
    // Couplings.
    const couplings = cs.couplings ?? 'same';
    const pairList: [number, number][] = [];
    if (couplings === 'same') {
      if (L.stateCount !== U.stateCount) {
        throw new RangeError(
          `${name}.couplings 'same' needs equal state counts; got ${L.stateCount} and ${U.stateCount}`,
        );
      }
      for (let a = 1; a <= L.stateCount; a++) pairList.push([a, a]);
    } else if (couplings === 'all') {
      for (let a = 1; a <= L.stateCount; a++) for (let b = 1; b <= U.stateCount; b++) pairList.push([a, b]);
    } else if (Array.isArray(couplings) && couplings.length > 0) {
      couplings.forEach((p, pi) => {
        if (!Array.isArray(p) || p.length !== 2) {
          throw new TypeError(`${name}.couplings[${pi}] must be a [lowerState, upperState] pair; got ${describe(p)}`);
        }
        pairList.push([
          resolveState(p[0], L.states, `${name}.couplings[${pi}][0]`),
          resolveState(p[1], U.states, `${name}.couplings[${pi}][1]`),
        ]);
      });
    } else {
      throw new TypeError(`${name}.couplings must be 'same', 'all' or a non-empty array of pairs; got ${describe(couplings)}`);
    }
    const pairIndex = new Int32Array((L.stateCount + 1) * (U.stateCount + 1)).fill(-1);
    const pairs = new Int32Array(pairList.length * 2);
    pairList.forEach(([a, b], p) => {
      if (pairIndex[a * (U.stateCount + 1) + b] >= 0) {
        throw new RangeError(`${name}.couplings lists the pair (${a}, ${b}) twice`);
      }
      pairIndex[a * (U.stateCount + 1) + b] = p;
      pairs[2 * p] = a;
      pairs[2 * p + 1] = b;
    });
    const P = pairList.length;
    const E = edgeLower.length;
    const weightStart = paramCursor;
    const edgeStride = perUnit ? P : 0;
    paramCursor += perUnit ? E * P : P;
    pairList.forEach(([a, b], p) => {
      blocks.push({
        name: `${prefix}${L.states[a - 1]}${U.states[b - 1]}`,
        qualifiedName: `weight:${L.name}.${L.states[a - 1]}:${U.name}.${U.states[b - 1]}${lateral ? `#${ci}` : ''}`,
        kind: 'weight',
        owner: ci,
        state: p,
        offset: weightStart + p,
        stride: edgeStride,
        count: perUnit ? E : 1,
      });
    });
    const fromLower = buildCsr(edgeLower, edgeUpper, L.size);
    const fromUpper = buildCsr(edgeUpper, edgeLower, U.size);
    connections.push({
      index: ci,
      kind,
      lower: lo,
      upper: up,
      offsets: Object.freeze(offsets.map((o) => Object.freeze(o))),
      edgeCount: E,
      edgeLower,
      edgeUpper,
      lowerPtr: fromLower.ptr,
      lowerAdj: fromLower.adj,
      lowerEdge: fromLower.edge,
      upperPtr: fromUpper.ptr,
      upperAdj: fromUpper.adj,
      upperEdge: fromUpper.edge,
      lowerMultiplicity,
      upperMultiplicity,
      pairCount: P,
      pairs,
      pairIndex,
      weightStart,
      edgeStride,
    });
    incidence[lo].push([ci, 0]);
    incidence[up].push([ci, 1]);
  });

  // Triplets.
  const tripletSpecs = spec.triplets ?? [];
  if (!Array.isArray(tripletSpecs)) throw new TypeError(`spec.triplets must be an array; got ${describe(tripletSpecs)}`);
  if (tripletSpecs.length > 0 && perUnit) {
    throw new RangeError(`spec.triplets need a homogeneous machine; got spec.parameterization ${describe(parameterization)}`);
  }
  const triplets: Triplet[] = [];
  const seenTriples = layers.map(() => new Set<number>());
  tripletSpecs.forEach((ts, ti) => {
    const name = `spec.triplets[${ti}]`;
    if (ts === null || typeof ts !== 'object') throw new TypeError(`${name} must be an object; got ${describe(ts)}`);
    const l = resolveLayer(ts.layer, spec.layers, `${name}.layer`);
    const L = layers[l];
    if (L.shape.length !== 1 || L.size < 3) {
      throw new RangeError(`${name}.layer must be a 1-D layer of at least 3 units; got shape ${describe(L.shape)}`);
    }
    const prefix = ts.weightPrefix ?? 'k';
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new TypeError(`${name}.weightPrefix must be a non-empty string; got ${describe(ts.weightPrefix)}`);
    }
    const k = L.stateCount;
    const k1 = k + 1;
    const list: [number, number, number][] = [];
    const which = ts.states ?? 'same';
    if (which === 'same') for (let a = 1; a <= k; a++) list.push([a, a, a]);
    else if (which === 'all') {
      for (let a = 1; a <= k; a++) for (let b = 1; b <= k; b++) for (let c = 1; c <= k; c++) list.push([a, b, c]);
    } else if (Array.isArray(which) && which.length > 0) {
      which.forEach((t, i) => {
        if (!Array.isArray(t) || t.length !== 3) throw new TypeError(`${name}.states[${i}] must be a triple of states; got ${describe(t)}`);
        list.push([
          resolveState(t[0], L.states, `${name}.states[${i}][0]`),
          resolveState(t[1], L.states, `${name}.states[${i}][1]`),
          resolveState(t[2], L.states, `${name}.states[${i}][2]`),
        ]);
      });
    } else {
      throw new TypeError(`${name}.states must be 'same', 'all' or a non-empty array of triples; got ${describe(which)}`);
    }
    const tripleIndex = new Int32Array(k1 * k1 * k1).fill(-1);
    const triples = new Int32Array(list.length * 3);
    const weightStart = paramCursor;
    list.forEach(([a, b, c], t) => {
      const key = (a * k1 + b) * k1 + c;
      if (tripleIndex[key] >= 0 || seenTriples[l].has(key)) {
        throw new RangeError(`${name}.states couples the triple (${a}, ${b}, ${c}) of layer ${l} twice`);
      }
      seenTriples[l].add(key);
      tripleIndex[key] = t;
      triples.set([a, b, c], 3 * t);
      blocks.push({
        name: `${prefix}${L.states[a - 1]}${L.states[b - 1]}${L.states[c - 1]}`,
        qualifiedName: `triplet:${L.name}.${L.states[a - 1]}:${L.states[b - 1]}:${L.states[c - 1]}#${ti}`,
        kind: 'triplet',
        owner: ti,
        state: t,
        offset: weightStart + t,
        stride: 0,
        count: 1,
      });
    });
    paramCursor += list.length;
    triplets.push(
      Object.freeze({ index: ti, layer: l, tripleCount: list.length, triples, tripleIndex, weightStart }),
    );
  });

  // Names: a short name is used only when unique; otherwise the qualified name stands in.
  const counts = new Map<string, number>();
  for (const b of blocks) counts.set(b.name, (counts.get(b.name) ?? 0) + 1);
  const qualifiedSet = new Set(blocks.map((b) => b.qualifiedName));
  const finalBlocks = blocks.map((b) =>
    Object.freeze(
      (counts.get(b.name) ?? 0) > 1 || qualifiedSet.has(b.name) ? { ...b, name: b.qualifiedName } : b,
    ),
  );
  const byName = new Map<string, ParameterBlock>();
  for (const b of finalBlocks) {
    byName.set(b.name, b);
    byName.set(b.qualifiedName, b);
  }
  const names = new Array<string>(paramCursor);
  for (const b of finalBlocks) for (let i = 0; i < b.count; i++) names[b.offset + i * b.stride] = b.name;
  const layout: ParameterLayout = Object.freeze({
    count: paramCursor,
    blocks: Object.freeze(finalBlocks),
    names: Object.freeze(names),
    block(name: string): ParameterBlock {
      const b = byName.get(name);
      if (b === undefined) throw new RangeError(`name must be a parameter name; got ${describe(name)}`);
      return b;
    },
    index(name: string, element = 0): number {
      const b = layout.block(name);
      if (!Number.isInteger(element) || element < 0 || element >= b.count) {
        throw new RangeError(`element must be an integer in [0, ${b.count}) for ${name}; got ${describe(element)}`);
      }
      return b.offset + element * b.stride;
    },
  });

  const machine: Machine = Object.freeze({
    layers: Object.freeze(layers.map((l) => Object.freeze(l))),
    connections: Object.freeze(connections.map((c) => Object.freeze(c))),
    parameterization,
    parameters: layout,
    unitCount: unitOffset,
    probabilityCount: probabilityOffset,
    centerCount: centerOffset,
    incidence: Object.freeze(incidence.map((x) => Object.freeze(x.map((y) => Object.freeze(y))))),
    triplets: Object.freeze(triplets),
  });
  machines.add(machine);
  return machine;
}

const machines = new WeakSet<object>();

/**
 * Throws a TypeError unless `value` was built by {@link createMachine}.
 *
 * @example
 * ```ts
 * assertMachine(paperMachine({ size: 4 }), 'machine'); // ok
 * ```
 */
export function assertMachine(value: unknown, name: string): asserts value is Machine {
  if (typeof value !== 'object' || value === null || !machines.has(value)) {
    throw new TypeError(`${name} must be a Machine built by createMachine; got ${describe(value)}`);
  }
}

/**
 * Resolves a layer given by name or index; throws RangeError naming `argName` otherwise.
 *
 * @example
 * ```ts
 * layerIndex(paperMachine(), 'hidden1', 'layer'); // 1
 * ```
 */
export function layerIndex(machine: Machine, ref: string | number, argName: string): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref >= machine.layers.length) {
      throw new RangeError(`${argName} must be a layer index in [0, ${machine.layers.length}) or a layer name; got ${ref}`);
    }
    return ref;
  }
  const i = machine.layers.findIndex((l) => l.name === ref);
  if (i < 0) throw new RangeError(`${argName} names no layer; got ${describe(ref)}`);
  return i;
}

/**
 * Options of {@link paperMachine}.
 *
 * @example
 * ```ts
 * const o: PaperMachineOptions = { size: 40, field: '2x2' };
 * ```
 */
export interface PaperMachineOptions {
  /** Lattice side L (default 40). */
  readonly size?: number;
  /** Number of layers including the visible one (default 3). */
  readonly layers?: number;
  /** Receptive field (default `'2x2'`). */
  readonly field?: FieldSpec;
  /** Species names of the visible layer (default `['X', 'Y']`); hidden layer l uses `<name><l>`. */
  readonly species?: readonly string[];
  readonly parameterization?: Parameterization;
}

/**
 * The machine of Ernst et al. (arXiv 1905.12122): three periodic L × L layers of 3-state units (empty, X, Y),
 * 2 × 2 receptive fields, same-species couplings, homogeneous parameters named hX, hY, bX1, bY1, bX2, bY2, wXX1,
 * wYY1, wX1X2, wY1Y2 (in that order).
 *
 * @example
 * ```ts
 * const m = paperMachine();
 * m.parameters.names; // ['hX', 'hY', 'bX1', 'bY1', 'bX2', 'bY2', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']
 * ```
 */
export function paperMachine(options: PaperMachineOptions = {}): Machine {
  const size = options.size ?? 40;
  const depth = options.layers ?? 3;
  const species = options.species ?? ['X', 'Y'];
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`options.size must be a positive integer; got ${size}`);
  if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError(`options.layers must be a positive integer; got ${depth}`);
  const layers: LayerSpec[] = [];
  for (let l = 0; l < depth; l++) {
    layers.push({
      name: l === 0 ? 'visible' : `hidden${l}`,
      shape: [size, size],
      states: l === 0 ? [...species] : species.map((s) => `${s}${l}`),
    });
  }
  const connections: ConnectionSpec[] = [];
  for (let l = 0; l + 1 < depth; l++) connections.push({ lower: l, upper: l + 1, field: options.field ?? '2x2' });
  return createMachine({ layers, connections, parameterization: options.parameterization ?? 'homogeneous' });
}
