import type { MachineSpec } from '@srn/boltzmann';
import { describe, expect, it } from 'vitest';
import { createDbdTrainer, integrateParameters, type MomentPrediction, predictMoments } from '../src/index.ts';
import { createRng, equilibriumTrajectories, noiseFloor, relativeRms, SHORT_CURRICULUM } from './helpers.ts';

// A dynamic Boltzmann distribution without hidden layers: a visible 6 × 6 Potts lattice with lateral pair couplings
// between nearest neighbours (every species pair) and between prey and predators at distance 2. The data come from
// the same machine at equilibrium with prey–predator repulsion growing linearly in time (nXY, nYX: 0 → −1.5;
// mXY, mYX: 0 → −1), so NN_XY and NNN_XY fall while the same-species couplings stay put. The trainer (short-run
// negative chains, centered adjoint with both weight endpoints in one layer) must learn F so that the model's own
// moments follow the data's.
const L = 6;
const T = 21;
const spec: MachineSpec = {
  layers: [{ name: 'visible', shape: [L, L], states: ['X', 'Y'] }],
  connections: [
    { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
    { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
  ],
  parameterization: 'homogeneous',
};
const names = ['hX', 'hY', 'nXX', 'nXY', 'nYX', 'nYY', 'mXY', 'mYX'];
const start = [-1.2, -1.2, 0.3, 0, 0, 0.3, 0, 0];
const slope = [0, 0, 0, -0.075, -0.075, 0, -0.05, -0.05];
const truth = (t: number) => start.map((s, k) => s + slope[k] * t);

const sample = (count: number, seed: number) => equilibriumTrajectories(spec, truth, count, T, seed);

describe('lateral (visible pair) couplings', () => {
  it('are learned through the adjoint so that the model follows the falling prey-predator pair counts', () => {
    const trajectories = sample(200, Number(process.env.SRN_TEST_SEED ?? 1));
    const times = Float64Array.from({ length: T }, (_, t) => t);
    const theta0 = Object.fromEntries(names.map((n, k) => [n, start[k]]));
    const trainer = createDbdTrainer(
      {
        machine: spec,
        theta0,
        domain: ['hX', 'hY', 'nXY', 'mXY'],
        ...SHORT_CURRICULUM,
      },
      { trajectories },
      createRng(2),
    );
    while (!trainer.done) trainer.step();
    const model = trainer.model();
    expect(model.names).toEqual(names);
    const learned = integrateParameters(model, times);
    const P = names.length;
    // The repulsive couplings moved the right way, the mirrored ones (outputs only) alongside.
    for (const k of [3, 4, 6, 7]) expect(learned.theta[(T - 1) * P + k]).toBeLessThan(-0.3);

    const rows = [0, 5, 10, 15, 20];
    const opts = { chains: 1000, rows, filter: false as const, covariance: false };
    const trueTraj = { times, names, theta: Float64Array.from(Array.from({ length: T }, (_, t) => truth(t)).flat()) };
    const frozen = { times, names, theta: Float64Array.from(Array.from({ length: T }, () => start).flat()) };
    const ref = predictMoments(model, trueTraj, { ...opts, sweeps: 200, rng: createRng(4) });
    const a = predictMoments(model, learned, { ...opts, rng: createRng(3) });
    const b = predictMoments(model, frozen, { ...opts, rng: createRng(5) });
    expect(a.finalProbabilities).toBe(false);
    const relRms = (p: MomentPrediction, k: string) => relativeRms(p, ref, k);
    // The truth's prey-predator pair counts fall by more than half over the run.
    expect(ref.mean.NN_XY[4]).toBeLessThan(0.5 * ref.mean.NN_XY[0]);
    expect(ref.mean.NNN_XY[4]).toBeLessThan(0.7 * ref.mean.NNN_XY[0]);
    // Against the noise floor computed from the same predictions (Monte Carlo error of both 1000-chain estimates plus
    // the sampling error of the 200 training snapshots per time): the learned model is limited by the short-run
    // (10-sweep) negative chains against equilibrium data, which cost up to 2.4× the floor on data seeds 1 and 3
    // (NN_XY); 5× leaves room for other seeds and still fails a model that learned half of the change. Learning must
    // also remove at least 85 % of the error of the model that never learned (θ frozen at θ(0)): for the densities
    // X and Y, which the couplings move by about 45 %, and the prey-predator pair counts, which they move by a
    // factor 2-3.
    for (const k of ['X', 'Y', 'NN_XY', 'NNN_XY']) {
      expect(relRms(a, k), k).toBeLessThan(5 * noiseFloor(a, ref, k, 200));
      expect(relRms(a, k), k).toBeLessThan(0.15 * relRms(b, k));
    }
  });

  it('refuse probability-product moment estimates', () => {
    const trajectories = sample(2, 3);
    const trainer = createDbdTrainer({ machine: spec, theta0: { hX: -1, hY: -1 }, domain: ['hX', 'hY'], steps: 1, batchSize: 2, asleepChains: 2 }, { trajectories }, createRng(1));
    const model = trainer.model();
    const traj = { times: Float64Array.of(0, 1), names, theta: Float64Array.from([...start, ...start]) };
    expect(() => predictMoments(model, traj, { rng: createRng(1), finalProbabilities: true })).toThrow(
      /finalProbabilities must be false for a machine with lateral visible couplings/,
    );
  });
});
