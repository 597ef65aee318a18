/**
 * Continuous-time lattice SSA (kinetic Monte Carlo), exact by composition-rejection over particle classes.
 *
 * Every particle of species k carries the same upper bound M_k on its total propensity: its on-site rates
 * (decay, conversion, neighbour birth) plus, for each of the 2d directions, its hop rate h_k / 2d and the largest
 * total contact rate c_k it could have with the occupant of that neighbour. An event picks a species with
 * probability n_k M_k / R, a uniform particle of that species and a uniform point of [0, M_k); the point falls
 * into a real channel (executed) or into slack (a null event, the thinning of a Poisson process). Blocked hops,
 * neighbour births onto occupied sites and missing contacts are null events. Each event costs O(species + global
 * channels), independent of the lattice size. Births placed `anywhere` are global channels with propensity
 * `rate · max(n_parent, floor)`; immigration is a global channel with propensity `rate · n_free`.
 *
 * Contact reactions A + B are attributed to the A particle of each adjacent pair (rate per pair; for A + A each of
 * the two particles carries half).
 */
import type { Rng } from '../../rng.ts';
import type { CompiledLatticeModel } from '../model.ts';
import { UNI_BIRTH_ANYWHERE, UNI_BIRTH_NEIGHBOUR, UNI_CONVERSION, UNI_DECAY, UNI_IMMIGRATION, UNI_SPLITTING } from '../model.ts';
import { COUNTER_ATTEMPTS, COUNTER_CONTACTS, COUNTER_HOPS, COUNTER_NULL, COUNTER_UNI } from './paper.ts';
import { ensureLists, hop, type OccupancyArrays, setClass } from './occupancy.ts';

/** Everything {@link exactAdvance} reads and writes; built once per run by {@link createExactContext}. */
export interface ExactContext {
  readonly s: OccupancyArrays;
  readonly neighbors: Int32Array;
  readonly degree: number;
  readonly speciesCount: number;
  readonly model: CompiledLatticeModel;
  /** Per species: on-site channels are uni reactions localReaction[localStart[k] .. localStart[k + 1]). */
  readonly localStart: Int32Array;
  readonly localReaction: Int32Array;
  readonly localTotal: Float64Array;
  readonly hopPerDirection: Float64Array;
  readonly directionWidth: Float64Array;
  /** Upper bound of a particle's total propensity, per species. */
  readonly bound: Float64Array;
  /** (k, b) → contact channels contactReaction[contactStart[k(S+1)+b] ..), with rate contactRate (per particle). */
  readonly contactStart: Int32Array;
  readonly contactReaction: Int32Array;
  readonly contactRate: Float64Array;
  readonly globalReaction: Int32Array;
  readonly globalProp: Float64Array;
  readonly counters: Float64Array;
  time: number;
}

/** Allocates the context of the exact scheme. Throws if a contact reaction lacks a rate. */
export function createExactContext(
  s: OccupancyArrays,
  neighbors: Int32Array,
  degree: number,
  model: CompiledLatticeModel,
): ExactContext {
  ensureLists(s); // this kernel reads the class lists
  const S = model.speciesCount;
  const local: number[][] = Array.from({ length: S + 1 }, () => []);
  const global: number[] = [];
  for (let r = 0; r < model.uniCount; r++) {
    if (model.uniType[r] === UNI_BIRTH_ANYWHERE || model.uniType[r] === UNI_IMMIGRATION) global.push(r);
    else local[model.uniReactant[r]].push(r);
  }
  const localStart = new Int32Array(S + 2);
  const localTotal = new Float64Array(S + 1);
  for (let k = 0; k <= S; k++) {
    localStart[k + 1] = localStart[k] + local[k].length;
    for (const r of local[k]) localTotal[k] += model.uniRate[r];
  }
  const pairs: number[][] = Array.from({ length: (S + 1) * (S + 1) }, () => []);
  const pairRates: number[][] = Array.from({ length: (S + 1) * (S + 1) }, () => []);
  for (let r = 0; r < model.contactCount; r++) {
    const rate = model.contactRate[r];
    if (Number.isNaN(rate)) throw new RangeError(`model.reactions: contact reaction ${r} has no rate (needed by the exact scheme)`);
    const a = model.contactReactant0[r];
    const b = model.contactReactant1[r];
    pairs[a * (S + 1) + b].push(r);
    pairRates[a * (S + 1) + b].push(a === b ? rate / 2 : rate);
  }
  const contactStart = new Int32Array(pairs.length + 1);
  for (let i = 0; i < pairs.length; i++) contactStart[i + 1] = contactStart[i] + pairs[i].length;
  const hopPerDirection = new Float64Array(S + 1);
  const directionWidth = new Float64Array(S + 1);
  const bound = new Float64Array(S + 1);
  for (let k = 1; k <= S; k++) {
    let maxContact = 0;
    for (let b = 1; b <= S; b++) {
      const sum = pairRates[k * (S + 1) + b].reduce((x, y) => x + y, 0);
      if (sum > maxContact) maxContact = sum;
    }
    hopPerDirection[k] = model.hopRate[k] / degree;
    directionWidth[k] = hopPerDirection[k] + maxContact;
    bound[k] = localTotal[k] + degree * directionWidth[k];
  }
  return {
    s,
    neighbors,
    degree,
    speciesCount: S,
    model,
    localStart,
    localReaction: Int32Array.from(local.flat()),
    localTotal,
    hopPerDirection,
    directionWidth,
    bound,
    contactStart,
    contactReaction: Int32Array.from(pairs.flat()),
    contactRate: Float64Array.from(pairRates.flat()),
    globalReaction: Int32Array.from(global),
    globalProp: new Float64Array(global.length),
    counters: new Float64Array(5),
    time: 0,
  };
}

/** Executes one event drawn with total bound `total`; returns the counter it belongs to. */
function fire(c: ExactContext, rng: Rng, total: number): number {
  const s = c.s;
  const size = s.size;
  const S = c.speciesCount;
  const m = c.model;
  const occ = s.occupancy;
  let u = rng.nextFloat64() * total;
  for (let k = 1; k <= S; k++) {
    const n = s.counts[k];
    const classRate = n * c.bound[k];
    if (u >= classRate) {
      u -= classRate;
      continue;
    }
    let j = Math.floor(u / c.bound[k]);
    if (j >= n) j = n - 1;
    const site = s.lists[k * size + j];
    let v = rng.nextFloat64() * c.bound[k];
    if (v < c.localTotal[k]) {
      const end = c.localStart[k + 1];
      for (let p = c.localStart[k]; p < end; p++) {
        const r = c.localReaction[p];
        const rate = m.uniRate[r];
        if (v >= rate && p < end - 1) {
          v -= rate;
          continue;
        }
        const type = m.uniType[r];
        if (type === UNI_DECAY) setClass(s, site, 0);
        else if (type === UNI_CONVERSION) setClass(s, site, m.uniProduct[r]);
        else if (type === UNI_BIRTH_NEIGHBOUR || type === UNI_SPLITTING) {
          const t = c.neighbors[site * c.degree + Math.floor(rng.nextFloat64() * c.degree)];
          if (t < 0 || occ[t] !== 0) return COUNTER_NULL;
          setClass(s, t, m.uniProduct[r]);
          if (type === UNI_SPLITTING) setClass(s, site, m.uniSiteProduct[r]);
        }
        return COUNTER_UNI;
      }
      return COUNTER_NULL;
    }
    v -= c.localTotal[k];
    const width = c.directionWidth[k];
    let d = Math.floor(v / width);
    if (d >= c.degree) d = c.degree - 1;
    let w = v - d * width;
    const t = c.neighbors[site * c.degree + d];
    if (t < 0) return COUNTER_NULL;
    const b = occ[t];
    if (w < c.hopPerDirection[k]) {
      if (b !== 0) return COUNTER_NULL;
      hop(s, site, t);
      return COUNTER_HOPS;
    }
    if (b === 0) return COUNTER_NULL;
    w -= c.hopPerDirection[k];
    const pair = k * (S + 1) + b;
    const end = c.contactStart[pair + 1];
    for (let p = c.contactStart[pair]; p < end; p++) {
      const rate = c.contactRate[p];
      if (w >= rate) {
        w -= rate;
        continue;
      }
      const r = c.contactReaction[p];
      setClass(s, site, m.contactProduct0[r]);
      setClass(s, t, m.contactProduct1[r]);
      return COUNTER_CONTACTS;
    }
    return COUNTER_NULL;
  }
  // a global channel: birth anywhere or immigration
  const G = c.globalReaction.length;
  for (let g = 0; g < G; g++) {
    if (u >= c.globalProp[g] && g < G - 1) {
      u -= c.globalProp[g];
      continue;
    }
    const free = s.counts[0];
    if (free === 0) return COUNTER_NULL;
    setClass(s, s.lists[Math.floor(rng.nextFloat64() * free)], m.uniProduct[c.globalReaction[g]]);
    return COUNTER_UNI;
  }
  return COUNTER_NULL;
}

/** Simulates from `c.time` to `tEnd` exactly (the waiting time past `tEnd` is discarded: memorylessness). */
export function exactAdvance(c: ExactContext, rng: Rng, tEnd: number): void {
  const s = c.s;
  const S = c.speciesCount;
  const m = c.model;
  const G = c.globalReaction.length;
  const counters = c.counters;
  for (;;) {
    let total = 0;
    for (let k = 1; k <= S; k++) total += s.counts[k] * c.bound[k];
    for (let g = 0; g < G; g++) {
      const r = c.globalReaction[g];
      const n = s.counts[m.uniReactant[r]];
      const a = m.uniRate[r] * Math.max(n, m.uniFloor[r]);
      c.globalProp[g] = a;
      total += a;
    }
    if (!(total > 0)) break;
    const next = c.time - Math.log(1 - rng.nextFloat64()) / total;
    if (next >= tEnd) break;
    c.time = next;
    const kind = fire(c, rng, total);
    counters[kind]++;
    counters[COUNTER_ATTEMPTS]++;
  }
  c.time = tEnd;
}
