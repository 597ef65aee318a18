/**
 * Initial conditions of lattice runs (issue #14 item 2): counts or densities placed uniformly at random, a snapshot,
 * or samples of a lattice Boltzmann distribution drawn by Gibbs sampling.
 *
 * The lattice Boltzmann distribution of a single-occupancy lattice (a site is empty or holds one species) is
 * `P(s) ∝ exp(Σ_i h_{s_i} + Σ_{<ij>} J_{s_i s_j} + Σ_{i} K_{s_i s_{i+1} s_{i+2}})` with h per species, J per
 * unordered species pair over nearest-neighbour bonds and, in 1-D only, K per ordered triplet of consecutive sites
 * (keys 'A-B-C'; a triplet key names the species at i, i + 1, i + 2 and also stands for its reverse, 'C-B-A').
 * Empty sites contribute nothing. With all J = K = 0 it factorises: `p_A = e^{h_A} / (1 + Σ_B e^{h_B})`.
 */
import type { Rng } from '../rng.ts';
import type { LatticeGeometry } from './geometry.ts';
import { conditionalWeights, type GibbsTables, gibbsSweeps } from './kernels/gibbs.ts';
import { checkSnapshot, type LatticeSnapshot } from './snapshot.ts';
import { checkSpeciesNames, LatticeState } from './state.ts';

/** A number, or a range `[min, max]` drawn uniformly once per initial condition. */
export type LatticeParameter = number | { min: number; max: number };

/**
 * How the lattice of each run starts (plain, serialisable data).
 *
 * - `counts`: exactly `counts[A]` particles of each species on distinct, uniformly random sites.
 * - `densities`: each site independently holds species A with probability `densities[A]` (sum at most 1).
 * - `snapshot`: a fixed configuration (the node layer / CLI reads files into this).
 * - `boltzmann`: a Gibbs sample of the lattice Boltzmann distribution (see the module comment) after `sweeps` full
 *   heat-bath sweeps from a uniformly random start; h, J, K may be ranges, drawn once per condition; `conditions`
 *   conditions (default 1) with M samples each.
 *
 * @example
 * ```ts
 * const ic: LatticeInitialCondition = {
 *   type: 'boltzmann', h: { A: { min: -1, max: 1 } }, J: { 'A-A': { min: -1, max: 1 } },
 *   K: { 'A-A-A': { min: -1, max: 1 } }, sweeps: 100, conditions: 50,
 * };
 * ```
 */
export type LatticeInitialCondition =
  | { type: 'counts'; counts: Record<string, number> }
  | { type: 'densities'; densities: Record<string, number> }
  | { type: 'snapshot'; snapshot: LatticeSnapshot }
  | {
      type: 'boltzmann';
      /** Bias per species (missing species: 0). */
      h: Record<string, LatticeParameter>;
      /** NN coupling per unordered pair, key 'A-B' (or 'A-A'); missing pairs: 0. */
      J?: Record<string, LatticeParameter>;
      /** 1-D only: consecutive triplet coupling, key 'A-B-C' (also covers 'C-B-A'); missing: 0. */
      K?: Record<string, LatticeParameter>;
      /** Gibbs sweeps from a uniformly random start (each sweep visits every site once). */
      sweeps: number;
      /** Number of conditions drawn (default 1); M samples each. */
      conditions?: number;
    };

/** The drawn (concrete) parameters of one initial condition; recorded with every trajectory sampled from it. */
export interface BoltzmannParameters {
  h: Record<string, number>;
  J: Record<string, number>;
  K: Record<string, number>;
}

type BoltzmannInitialCondition = Extract<LatticeInitialCondition, { type: 'boltzmann' }>;

const TWO_POW_32_INV = 1 / 4294967296;

/**
 * Number of conditions an initial condition defines: `conditions` of a Boltzmann IC (default 1), else 1.
 *
 * @example
 * ```ts
 * initialConditionCount({ type: 'counts', counts: { A: 5 } }); // 1
 * initialConditionCount({ type: 'boltzmann', h: { A: 0 }, sweeps: 10, conditions: 50 }); // 50
 * ```
 */
export function initialConditionCount(ic: LatticeInitialCondition): number {
  if (ic === null || typeof ic !== 'object') throw new TypeError(`initial condition must be an object; got ${String(ic)}`);
  if (ic.type !== 'boltzmann' || ic.conditions === undefined) return 1;
  if (!Number.isSafeInteger(ic.conditions) || ic.conditions < 1) {
    throw new RangeError(`initial.conditions must be a positive integer; got ${JSON.stringify(ic.conditions)}`);
  }
  return ic.conditions;
}

function checkGeometry(geometry: LatticeGeometry): void {
  if (geometry === null || typeof geometry !== 'object' || !(geometry.neighbors instanceof Int32Array)) {
    throw new TypeError(`geometry must come from createLatticeGeometry; got ${String(geometry)}`);
  }
}

function checkRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${where} must be an object keyed by species; got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function checkParameter(value: unknown, where: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${where} must be a finite number; got ${value}`);
    return;
  }
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${where} must be a number or { min, max }; got ${JSON.stringify(value)}`);
  }
  const { min, max } = value as { min: unknown; max: unknown };
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`${where} must be a range { min, max } of finite numbers with min <= max; got ${JSON.stringify(value)}`);
  }
}

/** Species codes of a coupling key 'A-B' or 'A-B-C' (RangeError naming the key otherwise). */
function keyCodes(key: string, arity: number, species: readonly string[], where: string): number[] {
  const parts = key.split('-');
  if (parts.length !== arity) {
    throw new RangeError(`${where} key ${JSON.stringify(key)} must name ${arity} species joined by '-' (e.g. ${JSON.stringify(species.slice(0, 1).concat(species.slice(0, 1), species.slice(0, 1)).slice(0, arity).join('-'))})`);
  }
  return parts.map((name) => {
    const k = species.indexOf(name);
    if (k < 0) throw new RangeError(`${where} key ${JSON.stringify(key)}: unknown species ${JSON.stringify(name)}; known: ${species.join(', ')}`);
    return k + 1;
  });
}

/** Validates the keys of h, J and K (duplicate orders of the same pair/triplet are refused). */
function checkCouplingKeys(ic: { h: unknown; J?: unknown; K?: unknown }, species: readonly string[], where: string): void {
  for (const name of Object.keys(checkRecord(ic.h, `${where}.h`))) {
    if (!species.includes(name)) throw new RangeError(`${where}.h: unknown species ${JSON.stringify(name)}; known: ${species.join(', ')}`);
  }
  const seen = new Set<string>();
  for (const key of Object.keys(checkRecord(ic.J ?? {}, `${where}.J`))) {
    const [a, b] = keyCodes(key, 2, species, `${where}.J`);
    const canonical = `${Math.min(a, b)}-${Math.max(a, b)}`;
    if (seen.has(canonical)) throw new RangeError(`${where}.J gives the pair ${JSON.stringify(key)} twice (in both orders)`);
    seen.add(canonical);
  }
  seen.clear();
  for (const key of Object.keys(checkRecord(ic.K ?? {}, `${where}.K`))) {
    const [a, b, c] = keyCodes(key, 3, species, `${where}.K`);
    const forward = `${a}-${b}-${c}`;
    const canonical = forward < `${c}-${b}-${a}` ? forward : `${c}-${b}-${a}`;
    if (seen.has(canonical)) throw new RangeError(`${where}.K gives the triplet ${JSON.stringify(key)} twice (forward and reversed)`);
    seen.add(canonical);
  }
}

/** Checks that J/K couplings are allowed on this lattice (K only in 1-D; periodic extents of at least 3). */
function checkCouplingLattice(geometry: LatticeGeometry, hasJ: boolean, hasK: boolean, where: string): void {
  if (hasK && geometry.shape.length !== 1) {
    throw new RangeError(`${where}.K (triplet couplings) needs a 1-D lattice; got shape [${geometry.shape.join(', ')}]`);
  }
  if ((hasJ || hasK) && geometry.boundary === 'periodic' && geometry.shape.some((n) => n < 3)) {
    throw new RangeError(`${where}: couplings on a periodic lattice need every extent >= 3; got shape [${geometry.shape.join(', ')}]`);
  }
}

/**
 * Validates an initial condition against a lattice and species list (RangeError/TypeError naming the field and
 * value: unknown species, densities outside [0, 1] or summing above 1, counts above the number of sites, a snapshot
 * of another shape or with unknown species, K on a lattice that is not 1-D, a range with min > max, non-integer
 * sweeps). Returns it unchanged.
 *
 * @example
 * ```ts
 * checkInitialCondition({ type: 'densities', densities: { A: 0.3 } }, createLatticeGeometry([100]), ['A']);
 * checkInitialCondition({ type: 'densities', densities: { A: 1.5 } }, createLatticeGeometry([100]), ['A']); // throws RangeError
 * ```
 */
export function checkInitialCondition(
  ic: LatticeInitialCondition,
  geometry: LatticeGeometry,
  species: readonly string[],
  name = 'initial',
): LatticeInitialCondition {
  checkGeometry(geometry);
  const names = checkSpeciesNames(species as unknown[]);
  if (ic === null || typeof ic !== 'object') throw new TypeError(`${name} must be an object; got ${String(ic)}`);
  switch (ic.type) {
    case 'counts': {
      let total = 0;
      for (const [s, n] of Object.entries(checkRecord(ic.counts, `${name}.counts`))) {
        if (!names.includes(s)) throw new RangeError(`${name}.counts: unknown species ${JSON.stringify(s)}; known: ${names.join(', ')}`);
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
          throw new RangeError(`${name}.counts.${s} must be a non-negative integer; got ${JSON.stringify(n)}`);
        }
        total += n;
      }
      if (total > geometry.size) throw new RangeError(`${name}.counts total ${total}, more than the ${geometry.size} sites`);
      return ic;
    }
    case 'densities': {
      let total = 0;
      for (const [s, p] of Object.entries(checkRecord(ic.densities, `${name}.densities`))) {
        if (!names.includes(s)) throw new RangeError(`${name}.densities: unknown species ${JSON.stringify(s)}; known: ${names.join(', ')}`);
        if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
          throw new RangeError(`${name}.densities.${s} must be a number in [0, 1]; got ${JSON.stringify(p)}`);
        }
        total += p;
      }
      if (total > 1 + 1e-12) throw new RangeError(`${name}.densities sum to ${total}, more than 1`);
      return ic;
    }
    case 'snapshot': {
      const snap = checkSnapshot(ic.snapshot, `${name}.snapshot`);
      if (snap.shape.join('x') !== geometry.shape.join('x')) {
        throw new RangeError(`${name}.snapshot has shape [${snap.shape.join(', ')}], the lattice [${geometry.shape.join(', ')}]`);
      }
      for (const s of snap.species) {
        if (!names.includes(s)) throw new RangeError(`${name}.snapshot: unknown species ${JSON.stringify(s)}; known: ${names.join(', ')}`);
      }
      return ic;
    }
    case 'boltzmann': {
      checkCouplingKeys(ic, names, name);
      for (const [s, v] of Object.entries(ic.h)) checkParameter(v, `${name}.h.${s}`);
      for (const [k, v] of Object.entries(ic.J ?? {})) checkParameter(v, `${name}.J['${k}']`);
      for (const [k, v] of Object.entries(ic.K ?? {})) checkParameter(v, `${name}.K['${k}']`);
      checkCouplingLattice(geometry, Object.keys(ic.J ?? {}).length > 0, Object.keys(ic.K ?? {}).length > 0, name);
      if (!Number.isSafeInteger(ic.sweeps) || ic.sweeps < 0) {
        throw new RangeError(`${name}.sweeps must be a non-negative integer; got ${JSON.stringify(ic.sweeps)}`);
      }
      initialConditionCount(ic);
      return ic;
    }
    default:
      throw new RangeError(
        `${name}.type must be 'counts', 'densities', 'snapshot' or 'boltzmann'; got ${JSON.stringify((ic as { type: unknown }).type)}`,
      );
  }
}

function drawParameter(value: LatticeParameter, rng: Rng): number {
  return typeof value === 'number' ? value : value.min + (value.max - value.min) * rng.nextFloat64();
}

function drawRecord(record: Record<string, LatticeParameter> | undefined, rng: Rng, where: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(record ?? {}).sort()) {
    const value = (record as Record<string, LatticeParameter>)[key];
    checkParameter(value, `${where}['${key}']`);
    out[key] = drawParameter(value, rng);
  }
  return out;
}

/**
 * Draws the concrete parameters of one condition of a Boltzmann IC: each range uniformly in [min, max] (one
 * `nextFloat64` per range, in the order h, J, K, keys sorted), numbers as given.
 *
 * @example
 * ```ts
 * drawBoltzmannParameters({ type: 'boltzmann', h: { A: { min: -1, max: 1 } }, sweeps: 10 }, createRng(1));
 * // { h: { A: -0.31… }, J: {}, K: {} }
 * ```
 */
export function drawBoltzmannParameters(ic: BoltzmannInitialCondition, rng: Rng): BoltzmannParameters {
  if (ic === null || typeof ic !== 'object' || ic.type !== 'boltzmann') {
    throw new TypeError(`ic must be a Boltzmann initial condition ({ type: 'boltzmann', … }); got ${JSON.stringify(ic)}`);
  }
  if (rng === null || typeof rng !== 'object' || typeof rng.nextFloat64 !== 'function') {
    throw new TypeError(`rng must be an Rng (e.g. createRng(seed)); got ${String(rng)}`);
  }
  checkRecord(ic.h, 'ic.h');
  return { h: drawRecord(ic.h, rng, 'ic.h'), J: drawRecord(ic.J, rng, 'ic.J'), K: drawRecord(ic.K, rng, 'ic.K') };
}

/** Largest conditional table (entries) of the Gibbs sampler; above it the sampler computes each conditional directly. */
const MAX_TABLE_ENTRIES = 2 ** 20;


function checkNumberRecord(record: unknown, where: string): Record<string, number> {
  const r = checkRecord(record ?? {}, where);
  for (const [k, v] of Object.entries(r)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}['${k}'] must be a finite number; got ${JSON.stringify(v)}`);
  }
  return r as Record<string, number>;
}

function compileGibbs(geometry: LatticeGeometry, species: readonly string[], params: BoltzmannParameters, forceDirect: boolean): GibbsTables {
  if (params === null || typeof params !== 'object') throw new TypeError(`params must be { h, J, K }; got ${String(params)}`);
  const h = checkNumberRecord(params.h, 'params.h');
  const J = checkNumberRecord(params.J, 'params.J');
  const K = checkNumberRecord(params.K, 'params.K');
  checkCouplingKeys({ h, J, K }, species, 'params');
  const hasJ = Object.values(J).some((v) => v !== 0);
  const hasK = Object.values(K).some((v) => v !== 0);
  checkCouplingLattice(geometry, hasJ, hasK, 'params');
  const S = species.length;
  const B = S + 1;
  const logH = new Float64Array(B);
  const logJ = new Float64Array(B * B);
  const logK = new Float64Array(B * B * B);
  for (const [name, v] of Object.entries(h)) logH[species.indexOf(name) + 1] = v;
  for (const [key, v] of Object.entries(J)) {
    const [a, b] = keyCodes(key, 2, species, 'params.J');
    logJ[a * B + b] = v;
    logJ[b * B + a] = v;
  }
  for (const [key, v] of Object.entries(K)) {
    const [a, b, c] = keyCodes(key, 3, species, 'params.K');
    logK[(a * B + b) * B + c] = v;
    logK[(c * B + b) * B + a] = v;
  }
  const width = hasK ? 4 : geometry.degree;
  const neighbourhoods = B ** width;
  const weights = new Float64Array(B);
  let cumulative: Float64Array | null = null;
  if (!forceDirect && neighbourhoods * B <= MAX_TABLE_ENTRIES) {
    cumulative = new Float64Array(neighbourhoods * B);
    const codes = new Int32Array(width);
    for (let index = 0; index < neighbourhoods; index++) {
      let rest = index;
      for (let t = 0; t < width; t++) {
        codes[t] = rest % B;
        rest = Math.floor(rest / B);
      }
      conditionalWeights(logH, logJ, logK, B, hasK, codes, weights);
      let total = 0;
      for (let s = 0; s < B; s++) total += weights[s];
      let acc = 0;
      for (let s = 0; s < B; s++) {
        acc += weights[s];
        cumulative[index * B + s] = acc / total;
      }
      cumulative[index * B + S] = 1;
    }
  }
  let thresholds: Float64Array | null = null;
  if (cumulative !== null && S === 1) {
    thresholds = new Float64Array(neighbourhoods);
    for (let k = 0; k < neighbourhoods; k++) thresholds[k] = Math.ceil(cumulative[2 * k] * 4294967296);
  }
  return { S, hasK, width, logH, logJ, logK, cumulative, thresholds, weights, codes: new Int32Array(width) };
}

/**
 * A compiled Gibbs sampler of one lattice Boltzmann distribution (reuse it for every sample of a condition: the
 * conditional table is built once).
 */
export interface BoltzmannSampler {
  /** Number of sites. */
  readonly size: number;
  /**
   * One sample: a uniformly random start, then `sweeps` sweeps (see {@link sampleBoltzmannLattice}); written into
   * `out` when given.
   */
  sample(sweeps: number, rng: Rng, out?: Uint8Array): Uint8Array;
}

/** Options of {@link createBoltzmannSampler}. */
export interface BoltzmannSamplerOptions {
  /**
   * Tabulate the conditionals per neighbourhood when the table has at most 2^20 entries (default true); false
   * computes every conditional per site (slower; the same samples up to floating-point ties).
   */
  tabulate?: boolean;
}

/**
 * Compiles a Gibbs sampler for `params` on `geometry` (validated: keys name species, finite values, K only in 1-D).
 *
 * @example
 * ```ts
 * const sampler = createBoltzmannSampler(createLatticeGeometry([1000]), ['A'], { h: { A: 0.2 }, J: { 'A-A': -0.5 }, K: { 'A-A-A': 0.3 } });
 * const occ = new Uint8Array(1000);
 * for (let m = 0; m < 50; m++) sampler.sample(1000, createRng(1, m), occ);
 * ```
 */
export function createBoltzmannSampler(
  geometry: LatticeGeometry,
  species: readonly string[],
  params: BoltzmannParameters,
  options: BoltzmannSamplerOptions = {},
): BoltzmannSampler {
  checkGeometry(geometry);
  const names = checkSpeciesNames(species as unknown[]);
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${String(options)}`);
  const tabulate = options.tabulate ?? true;
  if (typeof tabulate !== 'boolean') throw new TypeError(`options.tabulate must be a boolean; got ${String(tabulate)}`);
  const tables = compileGibbs(geometry, names, params, !tabulate);
  const B = names.length + 1;
  const size = geometry.size;
  return {
    size,
    sample(sweeps: number, rng: Rng, out?: Uint8Array): Uint8Array {
      if (!Number.isSafeInteger(sweeps) || sweeps < 0) throw new RangeError(`sweeps must be a non-negative integer; got ${String(sweeps)}`);
      if (rng === null || typeof rng !== 'object' || typeof rng.nextUint32 !== 'function') {
        throw new TypeError(`rng must be an Rng (e.g. createRng(seed, run)); got ${String(rng)}`);
      }
      if (out !== undefined && (!(out instanceof Uint8Array) || out.length !== size)) {
        throw new TypeError(`out must be a Uint8Array of length ${size}; got ${String(out?.length)}`);
      }
      const occ = out ?? new Uint8Array(size);
      for (let i = 0; i < size; i++) occ[i] = Math.floor(rng.nextUint32() * TWO_POW_32_INV * B);
      gibbsSweeps(tables, geometry.neighbors, geometry.degree, occ, sweeps, rng);
      return occ;
    },
  };
}

/**
 * A Gibbs (heat-bath) sample of the lattice Boltzmann distribution: a uniformly random start (each site empty or
 * one species, all S + 1 states equally likely), then `sweeps` sweeps in site order, each site resampled from its
 * exact conditional given its neighbours (sites off a closed boundary count as empty). Returns occupancy codes
 * (0 empty, k = `species[k − 1]`), written into `out` when given. The sweep loop is allocation-free over typed
 * arrays; the conditionals are tabulated per neighbourhood when the table is small (else computed per site). For
 * many samples of one distribution use {@link createBoltzmannSampler}.
 *
 * @example
 * ```ts
 * const occ = sampleBoltzmannLattice(createLatticeGeometry([1000]), ['A'], { h: { A: 0.2 }, J: { 'A-A': -0.5 }, K: {} }, 100, createRng(3));
 * ```
 */
export function sampleBoltzmannLattice(
  geometry: LatticeGeometry,
  species: readonly string[],
  params: BoltzmannParameters,
  sweeps: number,
  rng: Rng,
  out?: Uint8Array,
): Uint8Array {
  return createBoltzmannSampler(geometry, species, params).sample(sweeps, rng, out);
}

/**
 * Places one initial configuration of any kind. For a Boltzmann IC pass the condition's drawn parameters as
 * `conditionParams` (otherwise they are drawn from `rng` first, which only makes sense for a single condition).
 * Counts use {@link LatticeState.scatter} (distinct uniformly random sites, species in order); densities draw one
 * uniform per site; a snapshot is copied with its species mapped onto `species` by name.
 *
 * @example
 * ```ts
 * const occ = placeInitialCondition({ type: 'densities', densities: { A: 0.5 } }, createLatticeGeometry([100]), ['A'], createRng(1));
 * ```
 */
export function placeInitialCondition(
  ic: LatticeInitialCondition,
  geometry: LatticeGeometry,
  species: readonly string[],
  rng: Rng,
  conditionParams?: BoltzmannParameters,
): Uint8Array {
  checkInitialCondition(ic, geometry, species, 'ic');
  if (rng === null || typeof rng !== 'object' || typeof rng.nextFloat64 !== 'function') {
    throw new TypeError(`rng must be an Rng (e.g. createRng(seed, run)); got ${String(rng)}`);
  }
  switch (ic.type) {
    case 'counts': {
      const state = new LatticeState(geometry, species);
      state.scatter(ic.counts, rng);
      return state.occupancy;
    }
    case 'densities': {
      const S = species.length;
      const cumulative = new Float64Array(S);
      let acc = 0;
      for (let k = 0; k < S; k++) {
        acc += ic.densities[species[k]] ?? 0;
        cumulative[k] = acc;
      }
      const occ = new Uint8Array(geometry.size);
      for (let i = 0; i < occ.length; i++) {
        const u = rng.nextFloat64();
        let k = 0;
        while (k < S && u >= cumulative[k]) k++;
        occ[i] = k < S ? k + 1 : 0;
      }
      return occ;
    }
    case 'snapshot': {
      const map = ic.snapshot.species.map((s) => species.indexOf(s) + 1);
      const occ = new Uint8Array(geometry.size);
      const src = ic.snapshot.occupancy;
      for (let i = 0; i < occ.length; i++) occ[i] = src[i] === 0 ? 0 : map[src[i] - 1];
      return occ;
    }
    case 'boltzmann': {
      const params = conditionParams ?? drawBoltzmannParameters(ic, rng);
      return sampleBoltzmannLattice(geometry, species, params, ic.sweeps, rng);
    }
  }
}
