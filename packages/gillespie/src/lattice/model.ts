/**
 * Reaction models on a lattice: species, per-species hop rates and on-site / neighbour reactions, validated and
 * compiled into typed tables for the kernels.
 */
import { checkSpeciesNames } from './state.ts';

/** A → B at the particle's site, at `rate` per A. */
export interface LatticeConversion {
  type: 'conversion';
  reactant: string;
  product: string;
  rate: number;
}

/** A → ∅ at `rate` per A. */
export interface LatticeDecay {
  type: 'decay';
  reactant: string;
  rate: number;
}

/**
 * A → A + B (B defaults to A) at `rate` per A (times `max(n_A, floor)`, see below). `placement: 'neighbour'`
 * puts the offspring on a free nearest neighbour of the parent; `'anywhere'` on a uniformly random free site of
 * the whole lattice (the paper's prey birth). `floor` (default 0) bounds the parent count used in the propensity
 * from below: the paper's "∅ → X with propensity kr1 · n_X, or kr1 if n_X = 0" is `placement: 'anywhere', floor: 1`
 * (a floor only makes sense for `anywhere`, which needs no parent).
 */
export interface LatticeBirth {
  type: 'birth';
  parent: string;
  offspring?: string;
  rate: number;
  placement?: 'neighbour' | 'anywhere';
  floor?: number;
}

/**
 * A + B → C + D between nearest neighbours; C replaces A on A's site and D replaces B on B's site (`null` leaves the
 * site empty). `rate` (exact scheme) is per adjacent A–B pair (per unordered pair when A = B); `probability`
 * (paper scheme) is the chance that one hop attempt of A onto B, or of B onto A, fires the reaction.
 */
export interface LatticeContact {
  type: 'contact';
  reactants: [string, string];
  products: [string | null, string | null];
  rate?: number;
  probability?: number;
}

/**
 * ∅ → A: every free site becomes an A at `rate` (per free site, so the total propensity is `rate · n_free`; on an
 * otherwise empty lattice of N sites, the mean count at time t is N (1 − e^{−rate·t}) exactly).
 */
export interface LatticeImmigration {
  type: 'immigration';
  product: string;
  rate: number;
}

/**
 * A → B + C at `rate` per A: B replaces A on its site and C is placed on a free nearest neighbour (as a neighbour
 * birth: the exact scheme picks one of the 2d directions and does nothing if it is blocked; the paper scheme picks
 * an A with a free neighbour, like the original). `A → A + B` is a {@link LatticeBirth}.
 */
export interface LatticeSplitting {
  type: 'splitting';
  reactant: string;
  products: [string, string];
  rate: number;
}

/** One lattice reaction. */
export type LatticeReaction = LatticeConversion | LatticeDecay | LatticeBirth | LatticeImmigration | LatticeSplitting | LatticeContact;

/**
 * A reaction model on a lattice (plain, serialisable data).
 *
 * `diffusion[A]` is the total hop rate of one A particle (exact scheme: each of the `2d` directions at
 * `diffusion[A] / 2d`; a hop onto an occupied site or off a closed boundary is blocked). The paper scheme ignores
 * the value and lets every species with a positive rate attempt one hop per sweep.
 *
 * @example
 * ```ts
 * const sir: LatticeModel = {
 *   species: ['S', 'I'],
 *   diffusion: { S: 1, I: 1 },
 *   reactions: [
 *     { type: 'contact', reactants: ['S', 'I'], products: ['I', 'I'], rate: 0.5, probability: 0.3 },
 *     { type: 'decay', reactant: 'I', rate: 0.1 },
 *   ],
 * };
 * ```
 */
export interface LatticeModel {
  species: string[];
  diffusion?: Record<string, number>;
  reactions: LatticeReaction[];
}

/** Unimolecular reaction kinds in {@link CompiledLatticeModel}. */
export const UNI_DECAY = 0;
/** Conversion A → B. */
export const UNI_CONVERSION = 1;
/** Birth onto a free neighbour. */
export const UNI_BIRTH_NEIGHBOUR = 2;
/** Birth onto a random free site anywhere. */
export const UNI_BIRTH_ANYWHERE = 3;
/** Immigration ∅ → A onto a random free site (reactant class 0: the free sites). */
export const UNI_IMMIGRATION = 4;
/** Splitting A → B + C, C onto a free neighbour. */
export const UNI_SPLITTING = 5;

/**
 * A validated model as typed tables (species codes are 1-based; 0 = empty). Produced by {@link compileLatticeModel}.
 *
 * @example
 * ```ts
 * const compiled = compileLatticeModel(model);
 * compiled.uniCount; // number of unimolecular reactions
 * ```
 */
export interface CompiledLatticeModel {
  readonly species: readonly string[];
  readonly speciesCount: number;
  /** Hop rate per particle, indexed by code. */
  readonly hopRate: Float64Array;
  readonly uniCount: number;
  readonly uniType: Uint8Array;
  readonly uniReactant: Uint8Array;
  /** The product placed on the new site (birth offspring, immigrant, splitting's second product, conversion's B). */
  readonly uniProduct: Uint8Array;
  /** What stays on the reactant's site after a neighbour birth or splitting (the parent, or splitting's B). */
  readonly uniSiteProduct: Uint8Array;
  readonly uniRate: Float64Array;
  readonly uniFloor: Float64Array;
  readonly contactCount: number;
  readonly contactReactant0: Uint8Array;
  readonly contactReactant1: Uint8Array;
  readonly contactProduct0: Uint8Array;
  readonly contactProduct1: Uint8Array;
  /** NaN where not given. */
  readonly contactRate: Float64Array;
  /** NaN where not given. */
  readonly contactProbability: Float64Array;
  /** The model as given (validated, copied). */
  readonly source: LatticeModel;
}

function checkRate(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite non-negative number; got ${String(value)}`);
  }
  return value;
}

/**
 * Validates a {@link LatticeModel} and compiles it into typed tables. Throws TypeError/RangeError naming the bad
 * field (e.g. `reactions[2].rate`).
 *
 * @example
 * ```ts
 * compileLatticeModel({ species: ['A'], reactions: [{ type: 'decay', reactant: 'A', rate: 1 }] });
 * compileLatticeModel({ species: ['A'], reactions: [{ type: 'decay', reactant: 'B', rate: 1 }] }); // RangeError
 * ```
 */
export function compileLatticeModel(model: LatticeModel): CompiledLatticeModel {
  if (model === null || typeof model !== 'object') throw new TypeError(`model must be an object; got ${String(model)}`);
  const species = checkSpeciesNames(model.species, 'model.species');
  const S = species.length;
  const code = (name: unknown, field: string, allowNull = false): number => {
    if (allowNull && name === null) return 0;
    const index = typeof name === 'string' ? species.indexOf(name) : -1;
    if (index < 0) throw new RangeError(`${field} must name a species (${species.join(', ')}); got ${JSON.stringify(name)}`);
    return index + 1;
  };
  const hopRate = new Float64Array(S + 1);
  const diffusion = model.diffusion ?? {};
  if (diffusion === null || typeof diffusion !== 'object') throw new TypeError('model.diffusion must be an object of hop rates');
  for (const [name, rate] of Object.entries(diffusion)) {
    hopRate[code(name, `model.diffusion key`)] = checkRate(rate, `model.diffusion.${name}`);
  }
  if (!Array.isArray(model.reactions)) throw new TypeError('model.reactions must be an array');
  const uni: { type: number; reactant: number; product: number; siteProduct?: number; rate: number; floor: number }[] = [];
  const contacts: { r0: number; r1: number; p0: number; p1: number; rate: number; probability: number }[] = [];
  model.reactions.forEach((reaction, i) => {
    const at = `model.reactions[${i}]`;
    if (reaction === null || typeof reaction !== 'object') throw new TypeError(`${at} must be an object`);
    switch (reaction.type) {
      case 'decay':
        uni.push({ type: UNI_DECAY, reactant: code(reaction.reactant, `${at}.reactant`), product: 0, rate: checkRate(reaction.rate, `${at}.rate`), floor: 0 });
        break;
      case 'conversion':
        uni.push({
          type: UNI_CONVERSION,
          reactant: code(reaction.reactant, `${at}.reactant`),
          product: code(reaction.product, `${at}.product`),
          rate: checkRate(reaction.rate, `${at}.rate`),
          floor: 0,
        });
        break;
      case 'birth': {
        const placement = reaction.placement ?? 'neighbour';
        if (placement !== 'neighbour' && placement !== 'anywhere') {
          throw new RangeError(`${at}.placement must be 'neighbour' or 'anywhere'; got ${String(placement)}`);
        }
        const floor = reaction.floor ?? 0;
        if (!Number.isInteger(floor) || floor < 0) throw new RangeError(`${at}.floor must be a non-negative integer; got ${floor}`);
        if (floor > 0 && placement !== 'anywhere') throw new RangeError(`${at}.floor needs placement 'anywhere'; got ${placement}`);
        const parent = code(reaction.parent, `${at}.parent`);
        uni.push({
          type: placement === 'neighbour' ? UNI_BIRTH_NEIGHBOUR : UNI_BIRTH_ANYWHERE,
          reactant: parent,
          product: reaction.offspring === undefined ? parent : code(reaction.offspring, `${at}.offspring`),
          rate: checkRate(reaction.rate, `${at}.rate`),
          floor,
        });
        break;
      }
      case 'immigration':
        uni.push({ type: UNI_IMMIGRATION, reactant: 0, product: code(reaction.product, `${at}.product`), rate: checkRate(reaction.rate, `${at}.rate`), floor: 0 });
        break;
      case 'splitting': {
        if (!Array.isArray(reaction.products) || reaction.products.length !== 2) {
          throw new TypeError(`${at}.products must be two species names`);
        }
        const reactant = code(reaction.reactant, `${at}.reactant`);
        uni.push({
          type: UNI_SPLITTING,
          reactant,
          siteProduct: code(reaction.products[0], `${at}.products[0]`),
          product: code(reaction.products[1], `${at}.products[1]`),
          rate: checkRate(reaction.rate, `${at}.rate`),
          floor: 0,
        });
        break;
      }
      case 'contact': {
        if (!Array.isArray(reaction.reactants) || reaction.reactants.length !== 2) {
          throw new TypeError(`${at}.reactants must be two species names`);
        }
        if (!Array.isArray(reaction.products) || reaction.products.length !== 2) {
          throw new TypeError(`${at}.products must be two species names or null`);
        }
        const rate = reaction.rate === undefined ? Number.NaN : checkRate(reaction.rate, `${at}.rate`);
        let probability = Number.NaN;
        if (reaction.probability !== undefined) {
          probability = checkRate(reaction.probability, `${at}.probability`);
          if (probability > 1) throw new RangeError(`${at}.probability must be in [0, 1]; got ${probability}`);
        }
        if (Number.isNaN(rate) && Number.isNaN(probability)) {
          throw new RangeError(`${at} needs a rate (exact scheme) or a probability (paper scheme)`);
        }
        contacts.push({
          r0: code(reaction.reactants[0], `${at}.reactants[0]`),
          r1: code(reaction.reactants[1], `${at}.reactants[1]`),
          p0: code(reaction.products[0], `${at}.products[0]`, true),
          p1: code(reaction.products[1], `${at}.products[1]`, true),
          rate,
          probability,
        });
        break;
      }
      default:
        throw new RangeError(`${at}.type must be decay, conversion, birth, immigration, splitting or contact; got ${String((reaction as { type: unknown }).type)}`);
    }
  });
  return {
    species,
    speciesCount: S,
    hopRate,
    uniCount: uni.length,
    uniType: Uint8Array.from(uni, (u) => u.type),
    uniReactant: Uint8Array.from(uni, (u) => u.reactant),
    uniProduct: Uint8Array.from(uni, (u) => u.product),
    uniSiteProduct: Uint8Array.from(uni, (u) => u.siteProduct ?? u.reactant),
    uniRate: Float64Array.from(uni, (u) => u.rate),
    uniFloor: Float64Array.from(uni, (u) => u.floor),
    contactCount: contacts.length,
    contactReactant0: Uint8Array.from(contacts, (c) => c.r0),
    contactReactant1: Uint8Array.from(contacts, (c) => c.r1),
    contactProduct0: Uint8Array.from(contacts, (c) => c.p0),
    contactProduct1: Uint8Array.from(contacts, (c) => c.p1),
    contactRate: Float64Array.from(contacts, (c) => c.rate),
    contactProbability: Float64Array.from(contacts, (c) => c.probability),
    source: structuredClone(model),
  };
}
