/**
 * `@srn/boltzmann`: deep Boltzmann machines on periodic lattices with multinomial (Potts) units. Structures with
 * convolution-like or dense connectivity, flat parameter vectors with named lookup, exact block Gibbs and
 * mean-field sampling of many chains, centering (Melchior et al. 2016), sufficient statistics, exact enumeration,
 * wake/sleep moments and static learning.
 *
 * @packageDocumentation
 */

export * from './centering.ts';
export * from './exact.ts';
export { softmaxWithEmpty } from './kernels/gibbs.ts';
export * from './learning.ts';
export * from './machine.ts';
export * from './optimizers.ts';
export * from './parameters.ts';
export type { RandomSource } from './random-source.ts';
export * from './sampling.ts';
export * from './snapshot.ts';
export * from './statistics.ts';
