import { createRng, type Rng } from '@srn/gillespie';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import type { MachineSpec } from '@srn/boltzmann';

/** A small two-layer machine: visible L × L {X, Y}, hidden L × L {X1, Y1}, 2 × 2 fields (parameters hX hY bX1 bY1 wXX1 wYY1). */
export function twoLayerSpec(L: number): MachineSpec {
  return {
    layers: [
      { name: 'visible', shape: [L, L], states: ['X', 'Y'] },
      { name: 'hidden1', shape: [L, L], states: ['X1', 'Y1'] },
    ],
    connections: [{ lower: 0, upper: 1, field: '2x2' }],
    parameterization: 'homogeneous',
  };
}

/** Visible-only machine (independent sites): parameters hX, hY. */
export function visibleOnlySpec(L: number): MachineSpec {
  return { layers: [{ name: 'visible', shape: [L, L], states: ['X', 'Y'] }], parameterization: 'homogeneous' };
}

/** Random trajectories (iid sites with the given densities), times 0, dt, …. */
export function randomTrajectories(count: number, T: number, L: number, rng: Rng, pX = 0.2, pY = 0.15, dt = 1): LatticeTrajectory[] {
  return Array.from({ length: count }, () => {
    const occ = new Uint8Array(T * L * L);
    for (let i = 0; i < occ.length; i++) {
      const u = rng.nextFloat64();
      occ[i] = u < pX ? 1 : u < pX + pY ? 2 : 0;
    }
    return { shape: [L, L], species: ['X', 'Y'], times: Float64Array.from({ length: T }, (_, t) => t * dt), occupancy: occ };
  });
}

export { createRng };
