/**
 * The initial state of training that comes from the data: θ(0) of every initial condition (given, or fitted to the
 * condition's t = 0 lattices) and the initial offsets μ (given per layer, or from the condition's t = 0 lattices).
 *
 * @packageDocumentation
 */

import { createAdam, fitStatic, type Machine } from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie/rng';
import { type PreparedData, snapshotInto, type TrainingData } from '../data.ts';
import { fitTheta0, initialOffsetsFromData } from '../forms.ts';
import type { ResolvedDbdConfig } from './config.ts';

/** The t = 0 lattices of `members` as visible-layer state codes (0 empty, a + 1 state a), one per trajectory. */
function initialLattices(data: PreparedData, members: Int32Array): Uint8Array[] {
  const N = data.sites;
  return Array.from(members, (i) => {
    const out = new Uint8Array(N);
    snapshotInto(data, i, 0, out, 0, data.maps[i]);
    return out;
  });
}

/**
 * Initial offsets μ of one condition (one per layer state, `machine.centerCount`): `config.initialOffsets` per layer,
 * or, when not configured, `initialOffsetsFromData` of the condition's t = 0 lattices.
 *
 * @example
 * ```ts
 * initialOffsets(config, machine, prepared, prepared.members[0]);
 * ```
 */
export function initialOffsets(config: ResolvedDbdConfig, machine: Machine, data: PreparedData, members: Int32Array): Float64Array {
  const perLayer = config.initialOffsets ?? initialOffsetsFromData(machine, initialLattices(data, members));
  const mu = new Float64Array(machine.centerCount);
  for (const L of machine.layers) mu.fill(perLayer[L.index], L.centerOffset, L.centerOffset + L.stateCount);
  return mu;
}

/**
 * The start of an explicitly configured `theta0Fit` when no θ(0) is given: independent sites at the t = 0 densities,
 * visible biases h_a = ln(p_a / p_empty) (counts + 1/2, so that an absent state gives a finite bias), everything else 0.
 */
function independentSiteTheta0(machine: Machine, lattices: readonly Uint8Array[]): Float64Array {
  const V = machine.layers[0];
  const counts = new Float64Array(V.stateCount + 1);
  for (const occ of lattices) for (let u = 0; u < occ.length; u++) counts[occ[u]]++;
  const theta = new Float64Array(machine.parameters.count);
  for (let a = 0; a < V.stateCount; a++) theta[V.biasStart + a] = Math.log((counts[a + 1] + 0.5) / (counts[0] + 0.5));
  return theta;
}

/**
 * θ(0) of every condition (conditions in order, all randomness from `rng`):
 * - neither θ(0) nor `theta0Fit` configured: `fitTheta0` of the model forms on the condition's t = 0 lattices
 *   (pseudo-likelihood for fully visible machines, `fitStatic` for hidden ones);
 * - `theta0Fit` configured: `fitStatic` on the condition's t = 0 snapshots with those settings, starting from
 *   `theta0PerCondition[k]`, `theta0` or independent sites at the t = 0 densities;
 * - otherwise `theta0PerCondition[k]` or `theta0` as given.
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
    const given =
      config.theta0PerCondition !== undefined
        ? Float64Array.from(config.theta0PerCondition[k])
        : config.theta0 !== null
          ? Float64Array.from(config.theta0)
          : null;
    const f = config.theta0Fit;
    if (f === null) return given ?? fitTheta0(machine, initialLattices(prepared, members), { rng });
    const snaps = Array.from(members, (i) => {
      const occupancy = new Uint8Array(prepared.sites);
      snapshotInto(prepared, i, 0, occupancy, 0);
      return { shape: [...machine.layers[0].shape], species: [...data.trajectories[0].species], occupancy };
    });
    const fit = fitStatic(machine, snaps, {
      rng,
      iterations: f.iterations,
      batchSize: f.batchSize,
      awakeSweeps: f.sweeps,
      asleepSweeps: f.sweeps,
      initial: given ?? independentSiteTheta0(machine, initialLattices(prepared, members)),
      averageFrom: Math.floor(f.iterations / 2),
      optimizer: createAdam({ learningRate: f.learningRate }),
      ...(f.trainable !== null ? { trainable: f.trainable } : {}),
    });
    return (fit.averaged ?? fit.parameters).slice();
  });
}
