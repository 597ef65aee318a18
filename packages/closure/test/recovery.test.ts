import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { createDbdTrainer, integrateParameters, predictMoments } from '../src/index.ts';
import { createRng, equilibriumTrajectories, noiseFloor, relativeRms, SHORT_CURRICULUM, twoLayerSpec, visibleOnlySpec } from './helpers.ts';

// Data sampled exactly from a known DBD: a visible-only machine (independent sites, parameters hX, hY) whose θ(t)
// follows the linear ODE dθ/dt = −K (θ − θ*), i.e. θ(t) = θ* + (θ(0) − θ*) e^{−Kt}. Every snapshot is an exact iid
// sample of p(·; θ(t)). The trainer must recover θ(t) from the snapshots alone.
const L = 12;
const T = 31;
const K = [0.08, 0.05];
const star = [-1.0, -2.0];
const start = [-2.6, -1.0];
const truth = (t: number, k: number) => star[k] + (start[k] - star[k]) * Math.exp(-K[k] * t);

function sample(count: number, seed: number): LatticeTrajectory[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const occ = new Uint8Array(T * L * L);
    for (let t = 0; t < T; t++) {
      const eX = Math.exp(truth(t, 0));
      const eY = Math.exp(truth(t, 1));
      const pX = eX / (1 + eX + eY);
      const pY = eY / (1 + eX + eY);
      for (let i = 0; i < L * L; i++) {
        const u = rng.nextFloat64();
        occ[t * L * L + i] = u < pX ? 1 : u < pX + pY ? 2 : 0;
      }
    }
    return { shape: [L, L], species: ['X', 'Y'], times: Float64Array.from({ length: T }, (_, t) => t), occupancy: occ };
  });
}

describe('recovery of a known parameter trajectory', () => {
  it('learns θ(t) of data sampled from a DBD with a linear parameter ODE', () => {
    const data = { trajectories: sample(100, Number(process.env.SRN_TEST_SEED ?? 1)) };
    // Noise floor, from the same data: the pointwise maximum-likelihood estimate of θ(t) from each snapshot's site
    // counts alone (θ_X = log(n_X / n_0), θ_Y = log(n_Y / n_0)), which is what the data say about θ at each t without
    // a model of its dynamics.
    let floorSq = 0;
    for (let t = 0; t < T; t++) {
      const n = [0, 0, 0];
      for (const trajectory of data.trajectories) for (let i = 0; i < L * L; i++) n[trajectory.occupancy[t * L * L + i]]++;
      floorSq += (Math.log(n[1] / n[0]) - truth(t, 0)) ** 2 + (Math.log(n[2] / n[0]) - truth(t, 1)) ** 2;
    }
    const floor = Math.sqrt(floorSq / (2 * T));
    const trainer = createDbdTrainer(
      {
        machine: visibleOnlySpec(L),
        theta0: { hX: start[0], hY: start[1] },
        window: 5,
        horizonStart: 5,
        moveEvery: 12,
        steps: 12 * 27,
        batchSize: 100,
        asleepChains: 200,
        awakeSweeps: 1,
        asleepSweeps: 1, // one sweep of a coupling-free layer is an exact sample
        optimizer: 'sgd',
        learningRate: 0.001,
        spacing: 0.5,
        psiDerivScale: 'physical',
      },
      data,
      createRng(2),
    );
    while (!trainer.done) trainer.step();
    const model = trainer.model();
    const { theta } = integrateParameters(model, Float64Array.from({ length: T }, (_, t) => t));
    let worst = 0;
    let sq = 0;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < 2; k++) {
        const e = theta[t * 2 + k] - truth(t, k);
        worst = Math.max(worst, Math.abs(e));
        sq += e * e;
      }
    }
    const rms = Math.sqrt(sq / (2 * T));
    // The learned θ(t) comes from the same data through a smooth model of the dynamics, so a learner that works is
    // about as accurate as the pointwise estimate (the logit standard error from 14,400 sites at p ≈ 0.07-0.25 is
    // 0.02-0.04) or better; a factor 2 leaves room for the optimiser's finite steps. For the worst point, the
    // largest of 62 roughly normal errors is about 2.5 rms, hence 5 × floor.
    expect(rms).toBeLessThan(2 * floor);
    expect(worst).toBeLessThan(5 * floor);
  });

  it('with a hidden layer: the learned DBD reproduces the visible moments of the true trajectory', () => {
    // A 6 × 6 visible + 6 × 6 hidden machine (hX hY bX1 bY1 wXX1 wYY1) whose hX and wXX1 relax linearly,
    // dθ/dt = −0.1 (θ − θ*); snapshots are visible layers of 200 chains after 200 Gibbs sweeps from noise at θ(t)
    // (mixing is fast at these couplings). Hidden-layer parameters are only weakly identified from visible data
    // (the boltzmann README), so the check is on the visible distribution: counts and NN / NNN pair counts predicted
    // from the learned θ(t) against those predicted from the true θ(t), same estimator (1000 chains, final
    // probabilities) for both.
    const Lh = 6;
    const Th = 21;
    const names = ['hX', 'hY', 'bX1', 'bY1', 'wXX1', 'wYY1'];
    const start6 = [-2.2, -1.5, -0.5, -0.5, 0, 0.3];
    const star6 = [-1.2, -1.5, -0.5, -0.5, 1.0, 0.3];
    const truth6 = (t: number) => start6.map((s0, k) => star6[k] + (s0 - star6[k]) * Math.exp(-0.1 * t));
    const count = 200;
    const trajectories = equilibriumTrajectories(twoLayerSpec(Lh), truth6, count, Th, Number(process.env.SRN_TEST_SEED ?? 1));
    const trainer = createDbdTrainer(
      {
        machine: twoLayerSpec(Lh),
        theta0: Object.fromEntries(names.map((n, k) => [n, start6[k]])),
        ...SHORT_CURRICULUM,
      },
      { trajectories },
      createRng(2),
    );
    while (!trainer.done) trainer.step();
    const model = trainer.model();
    const times = Float64Array.from({ length: Th }, (_, t) => t);
    const learned = integrateParameters(model, times);
    const trueTraj = { times, names, theta: Float64Array.from(Array.from({ length: Th }, (_, t) => truth6(t)).flat()) };
    const frozen = { times, names, theta: Float64Array.from(Array.from({ length: Th }, () => start6).flat()) };
    const rows = [0, 5, 10, 15, 20];
    const opts = { chains: 1000, rows, filter: false as const, covariance: false };
    const a = predictMoments(model, learned, { ...opts, rng: createRng(3) });
    const b = predictMoments(model, trueTraj, { ...opts, rng: createRng(4) });
    const c = predictMoments(model, frozen, { ...opts, rng: createRng(5) });
    const relRms = (p: typeof a, k: string) => relativeRms(p, b, k);
    // Against the noise floor computed from the same predictions (Monte Carlo error of both 1000-chain estimates plus
    // the sampling error of 200 training snapshots per time): hidden-layer parameters are only weakly identified and
    // the short curriculum stops early, so the learned moments may sit several times above the floor (2-6× measured
    // on data seeds 1 and 3); 10× still fails a model that learned little, and learning must remove at least 80 % of
    // the error of the model that never learned (θ frozen at θ(0)).
    for (const k of ['X', 'Y', 'NN_XX', 'NN_XY', 'NNN_XX', 'NNN_XY']) {
      expect(relRms(a, k), k).toBeLessThan(10 * noiseFloor(a, b, k, count));
      expect(relRms(a, k), k).toBeLessThan(0.2 * relRms(c, k));
    }
  });
});
