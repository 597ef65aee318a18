/**
 * The initial state of training that comes from the data: θ(0) of every initial condition (given, or fitted to the
 * condition's t = 0 snapshots) and the initial offsets μ (given per layer, or the t = 0 densities of the condition).
 *
 * @packageDocumentation
 */

import { createAdam, fitStatic, type Machine } from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie/rng';
import type { PreparedData, TrainingData } from '../data.ts';
import type { ResolvedDbdConfig } from './config.ts';

/** Counts of every visible state (index 0 = empty, a + 1 = state a) in the t = 0 snapshots of `members`. */
function initialCounts(machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const counts = new Float64Array(machine.layers[0].stateCount + 1);
  const N = data.sites;
  for (const i of members) {
    const occ = data.occupancy[i];
    const map = data.maps[i];
    for (let u = 0; u < N; u++) counts[map[occ[u]]]++;
  }
  return counts;
}

/**
 * The start of the θ(0) fit when no θ(0) is given: the independent-site model of the t = 0 densities, visible biases
 * h_a = ln(p_a / p_empty) (counts + 1/2, so that an absent state gives a finite bias), everything else 0.
 *
 * @example
 * ```ts
 * independentSiteTheta0(machine, prepared, prepared.members[0]);
 * ```
 */
export function independentSiteTheta0(machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const counts = initialCounts(machine, data, members);
  const theta = new Float64Array(machine.parameters.count);
  const V = machine.layers[0];
  for (let a = 0; a < V.stateCount; a++) theta[V.biasStart + a] = Math.log((counts[a + 1] + 0.5) / (counts[0] + 0.5));
  return theta;
}

/**
 * Initial offsets μ of one condition (one per layer state, `machine.centerCount`): the configured value of every
 * layer, or from the data: the density of every visible state in the t = 0 snapshots of `members`, and
 * 1/(states + 1) for hidden units (all states of a unit equally likely).
 *
 * @example
 * ```ts
 * initialOffsets(config, machine, prepared, prepared.members[0]);
 * ```
 */
export function initialOffsets(config: ResolvedDbdConfig, machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const mu = new Float64Array(machine.centerCount);
  const given = config.initialOffsets;
  const counts = given === null ? initialCounts(machine, data, members) : null;
  const total = members.length * data.sites;
  for (const L of machine.layers) {
    for (let a = 0; a < L.stateCount; a++) {
      mu[L.centerOffset + a] = given !== null ? given[L.index] : L.index === 0 ? counts![a + 1] / total : 1 / (L.stateCount + 1);
    }
  }
  return mu;
}

/**
 * θ(0) of every condition: `theta0PerCondition[k]`, `theta0`, or the independent-site start; then, with `theta0Fit`,
 * fitted to the condition's t = 0 snapshots by `fitStatic` (conditions in order, all from `rng`).
 *
 * @example
 * ```ts
 * const thetas = conditionTheta0(config, machine, prepared, data, rng);
 * ```
 */
export function conditionTheta0(
  config: ResolvedDbdConfig,
  machine: Machine,
  prepared: PreparedData,
  data: TrainingData,
  rng: Rng,
): Float64Array[] {
  return prepared.members.map((members, k) => {
    let theta0 =
      config.theta0PerCondition !== undefined
        ? Float64Array.from(config.theta0PerCondition[k])
        : config.theta0 !== null
          ? Float64Array.from(config.theta0)
          : independentSiteTheta0(machine, prepared, members);
    if (config.theta0Fit !== null) {
      const f = config.theta0Fit;
      const snaps = Array.from(members, (i) => ({
        shape: [...machine.layers[0].shape],
        species: [...data.trajectories[0].species],
        occupancy: prepared.occupancy[i].subarray(0, prepared.sites),
      }));
      const fit = fitStatic(machine, snaps, {
        rng,
        iterations: f.iterations,
        batchSize: f.batchSize,
        awakeSweeps: f.sweeps,
        asleepSweeps: f.sweeps,
        initial: theta0,
        averageFrom: Math.floor(f.iterations / 2),
        optimizer: createAdam({ learningRate: f.learningRate }),
        ...(f.trainable !== null ? { trainable: f.trainable } : {}),
      });
      theta0 = (fit.averaged ?? fit.parameters).slice();
    }
    return theta0;
  });
}
