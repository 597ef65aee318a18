/**
 * The random source this package draws from, declared structurally so that `@srn/boltzmann` depends on nothing of
 * srn's at run time: an `Rng` of `@srn/gillespie` (`createRng(seed)` from `@srn/gillespie/rng`) fits, and so does
 * any object with these two methods.
 *
 * @packageDocumentation
 */

/**
 * The two draws the samplers and learners use: the structural subset of `@srn/gillespie`'s `Rng`.
 *
 * @example
 * ```ts
 * import { createRng } from '@srn/gillespie/rng';
 * import { createChains, createMachine, type RandomSource, randomizeChains } from '@srn/boltzmann';
 * const rbm = createMachine({
 *   layers: [{ name: 'v', shape: [8], states: ['on'] }, { name: 'h', shape: [3], states: ['on'] }],
 *   connections: [{ kind: 'dense', lower: 'v', upper: 'h' }],
 *   parameterization: 'per-unit',
 * });
 * const states = createChains(rbm, 4);
 * const rng: RandomSource = createRng(7); // or { nextUint32, nextFloat64 } of your own
 * randomizeChains(rbm, states, rng);
 * ```
 */
export interface RandomSource {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform double in [0, 1). */
  nextFloat64(): number;
}
