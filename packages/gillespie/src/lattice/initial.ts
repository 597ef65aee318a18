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
import type { LatticeSnapshot } from './snapshot.ts';

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

/**
 * Number of conditions an initial condition defines: `conditions` of a Boltzmann IC (default 1), else 1.
 *
 * @example
 * ```ts
 * initialConditionCount({ type: 'counts', counts: { A: 5 } }); // 1
 * ```
 */
export function initialConditionCount(ic: LatticeInitialCondition): number {
  void ic;
  throw new Error('initialConditionCount: not implemented yet');
}

/**
 * Validates an initial condition against a lattice and species list (RangeError/TypeError naming the field and
 * value: unknown species, densities outside [0, 1] or summing above 1, counts above the number of sites, a snapshot
 * of another shape or species, K on a lattice that is not 1-D, a range with min > max, non-integer sweeps).
 * Returns it unchanged.
 *
 * @example
 * ```ts
 * checkInitialCondition({ type: 'densities', densities: { A: 0.3 } }, createLatticeGeometry([100]), ['A']);
 * ```
 */
export function checkInitialCondition(
  ic: LatticeInitialCondition,
  geometry: LatticeGeometry,
  species: readonly string[],
  name = 'initial',
): LatticeInitialCondition {
  void geometry;
  void species;
  void name;
  return ic;
}

/**
 * Draws the concrete parameters of one condition of a Boltzmann IC: each range uniformly in [min, max] (in the
 * order h, J, K, keys sorted), numbers as given.
 *
 * @example
 * ```ts
 * drawBoltzmannParameters({ type: 'boltzmann', h: { A: { min: -1, max: 1 } }, sweeps: 10 }, createRng(1));
 * // { h: { A: -0.31… }, J: {}, K: {} }
 * ```
 */
export function drawBoltzmannParameters(
  ic: Extract<LatticeInitialCondition, { type: 'boltzmann' }>,
  rng: Rng,
): BoltzmannParameters {
  void ic;
  void rng;
  throw new Error('drawBoltzmannParameters: not implemented yet');
}

/**
 * A Gibbs (heat-bath) sample of the lattice Boltzmann distribution: a uniformly random start (each site empty or
 * one species, all S + 1 states equally likely), then `sweeps` sweeps in site order, each site resampled from its
 * exact conditional given its neighbours. Returns occupancy codes (0 empty, k = `species[k − 1]`), written into
 * `out` when given. Allocation-free in the sweep loop.
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
  void geometry;
  void species;
  void params;
  void sweeps;
  void rng;
  void out;
  throw new Error('sampleBoltzmannLattice: not implemented yet');
}

/**
 * Places one initial configuration of any kind. For a Boltzmann IC pass the condition's drawn parameters as
 * `conditionParams` (otherwise they are drawn from `rng` first, which only makes sense for a single condition).
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
  void ic;
  void geometry;
  void species;
  void rng;
  void conditionParams;
  throw new Error('placeInitialCondition: not implemented yet');
}
