import { createChains, createMachine, type MachineSpec, randomizeChains } from '@srn/boltzmann';
import { createRng, type Rng } from '@srn/gillespie';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { tableGibbs, tablePlan } from '../src/kernels/table-gibbs.ts';
import type { MomentPrediction } from '../src/index.ts';

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

/**
 * `count` trajectories of T snapshots (t = 0 .. T − 1) drawn from the visible layer of `spec` with parameters
 * `truth(t)`: every snapshot is the end of `sweeps` tabulated Gibbs sweeps from noise (long enough to equilibrate
 * the small machines of the tests), independent across t.
 */
export function equilibriumTrajectories(
  spec: MachineSpec,
  truth: (t: number) => number[],
  count: number,
  T: number,
  seed: number,
  sweeps = 200,
): LatticeTrajectory[] {
  const machine = createMachine(spec);
  const plan = tablePlan(machine)!;
  const rng = createRng(seed);
  const V = machine.layers[0];
  const N = V.size;
  const trajectories: LatticeTrajectory[] = Array.from({ length: count }, () => ({
    shape: [...V.shape],
    species: [...V.states],
    times: Float64Array.from({ length: T }, (_, t) => t),
    occupancy: new Uint8Array(T * N),
  }));
  const states = createChains(machine, count);
  for (let t = 0; t < T; t++) {
    randomizeChains(machine, states, rng);
    tableGibbs(plan, Float64Array.from(truth(t)), states, count, rng, sweeps, false);
    for (let c = 0; c < count; c++) {
      const base = c * machine.unitCount + V.unitOffset;
      trajectories[c].occupancy.set(states.subarray(base, base + N), t * N);
    }
  }
  return trajectories;
}

/** Relative rms difference of observable `key` between two predictions over their rows: rms(p − ref) / mean(ref). */
export function relativeRms(p: MomentPrediction, ref: MomentPrediction, key: string): number {
  const R = ref.rows.length;
  let s2 = 0;
  let m = 0;
  for (let r = 0; r < R; r++) {
    s2 += (p.mean[key][r] - ref.mean[key][r]) ** 2;
    m += ref.mean[key][r] / R;
  }
  return Math.sqrt(s2 / R) / m;
}

/**
 * Trainer settings of the recovery tests on 21-point data: 5-interval windows that move every 10 steps (17 moves),
 * 200 awake and asleep chains, a large step on a coarse grid and the correct ψ derivative.
 */
export const SHORT_CURRICULUM = {
  window: 5,
  horizonStart: 5,
  moveEvery: 10,
  steps: 10 * 17,
  batchSize: 200,
  asleepChains: 200,
  learningRate: 3e-4,
  spacing: 0.5,
  psiDerivScale: 'physical' as const,
};

/**
 * Noise floor of a learned prediction `p` of observable `key` against the reference prediction `ref` from the true
 * parameters, relative to the mean like {@link relativeRms}: the Monte Carlo error of both predictions plus the
 * sampling error of the training data, `samples` independent snapshots per time (estimated from the reference's
 * chain standard error scaled by √(chains / samples)). A learner that saw only those samples cannot be expected to
 * be closer to the truth than this.
 */
export function noiseFloor(p: MomentPrediction, ref: MomentPrediction, key: string, samples: number): number {
  const R = ref.rows.length;
  let v = 0;
  let m = 0;
  for (let r = 0; r < R; r++) {
    const seRef = ref.standardError[key][r];
    v += (p.standardError[key][r] ** 2 + seRef ** 2 + (seRef ** 2 * ref.chains) / samples) / R;
    m += ref.mean[key][r] / R;
  }
  return Math.sqrt(v) / m;
}
