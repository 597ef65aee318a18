import { createRng } from '@srn/gillespie/rng';
import { describe, expect, it } from 'vitest';
import {
  createAdam,
  createCenters,
  createChains,
  createMachine,
  createParameters,
  createSgd,
  exactMoments,
  fitStatic,
  gibbs,
  type LatticeSnapshot,
  paperMachine,
  randomizeChains,
  snapshotFromChain,
  wakeSleep,
} from '../src/index.ts';

function kl(p: Float64Array, q: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) s += p[i] * Math.log(p[i] / q[i]);
  return s;
}

describe('wake/sleep moments', () => {
  it('clamps data, slides the centers and returns ΔE = asleep − awake', () => {
    const m = paperMachine({ size: 4 });
    const theta = createParameters(m, { hX: -1, hY: -1, wXX1: 0.3 });
    const rng = createRng(1);
    const awake = createChains(m, 5);
    const asleep = createChains(m, 5);
    randomizeChains(m, awake, rng);
    const occupancy = new Uint8Array(16);
    occupancy[3] = 1;
    occupancy[7] = 2;
    const snaps: LatticeSnapshot[] = new Array(5).fill({ shape: [4, 4], species: ['X', 'Y'], occupancy });
    const centers = createCenters(m, [0.0625, 0.33, 0.33]);
    const r = wakeSleep(m, theta, { rng, awake, asleep, snapshots: snaps, centers });
    const i = (n: string) => m.parameters.index(n);
    expect(r.awakeMean[i('hX')]).toBe(1);
    expect(r.awakeMean[i('hY')]).toBe(1);
    expect(centers[0]).toBeCloseTo(0.5 * 0.0625 + 0.5 / 16, 12);
    expect(r.awakeStatistics).toHaveLength(5 * 10);
    for (let k = 0; k < 10; k++) {
      expect(r.difference[k]).toBeCloseTo(r.asleepCenteredMean[k] - r.awakeCenteredMean[k], 12);
      expect(r.rawDifference[k]).toBeCloseTo(r.asleepMean[k] - r.awakeMean[k], 12);
    }
    expect(() => wakeSleep(m, theta, { rng, awake, asleep, snapshots: snaps.slice(1) })).toThrow(/options.snapshots/);
  });
});

describe('static learning', () => {
  it('learns θ(0) for independent random placement (hX = hY = ln(p / (1 − 2p)))', () => {
    // Data: 6 x 6 lattices with each site X or Y with probability p = 1/8 each, independently.
    const m = paperMachine({ size: 6 });
    const rng = createRng(5);
    const n = 400;
    let nx = 0;
    let ny = 0;
    const snaps: LatticeSnapshot[] = Array.from({ length: n }, () => {
      const occupancy = new Uint8Array(36);
      for (let i = 0; i < 36; i++) {
        const u = rng.nextFloat64();
        occupancy[i] = u < 0.125 ? 1 : u < 0.25 ? 2 : 0;
        if (occupancy[i] === 1) nx++;
        if (occupancy[i] === 2) ny++;
      }
      return { shape: [6, 6], species: ['X', 'Y'], occupancy };
    });
    // Maximum-likelihood θ(0) of the data: ln(p̂_X / p̂_empty).
    const pe = 1 - (nx + ny) / (36 * n);
    const mleX = Math.log(nx / (36 * n) / pe);
    const mleY = Math.log(ny / (36 * n) / pe);
    const fit = fitStatic(m, snaps, {
      rng: createRng(6),
      iterations: 300,
      batchSize: 40,
      asleepChains: 40,
      awakeSweeps: 2,
      asleepSweeps: 2,
      optimizer: createAdam({ learningRate: 0.03 }),
      averageFrom: 150,
    });
    const theta = fit.averaged!;
    const i = (k: string) => m.parameters.index(k);
    // With the hidden layers decoupled (weights random-walk near the W = 0 saddle), the visible biases are the MLE; the
    // tolerance covers the stochastic-gradient noise of 40-chain batches (SE of ln p̂ per batch ≈ 0.07, averaged).
    expect(Math.abs(theta[i('wXX1')])).toBeLessThan(0.25);
    expect(Math.abs(theta[i('wYY1')])).toBeLessThan(0.25);
    expect(theta[i('hX')]).toBeCloseTo(mleX, 0);
    expect(Math.abs(theta[i('hX')] - mleX)).toBeLessThan(0.15);
    expect(Math.abs(theta[i('hY')] - mleY)).toBeLessThan(0.15);
    expect(fit.gradientNorms).toHaveLength(300);
  });

  it('recovers known per-unit biases of a fully visible Potts layer', () => {
    const m = createMachine({ layers: [{ name: 'v', shape: [3], states: ['X', 'Y'] }], parameterization: 'per-unit' });
    const truth = Float64Array.of(-1, 0.5, 0.3, -0.7, 0, 0);
    const rng = createRng(8);
    const n = 4000;
    const states = createChains(m, n);
    gibbs(m, truth, states, rng, { sweeps: 1 }); // one exact draw per chain (no couplings)
    const snaps = Array.from({ length: n }, (_, c) => snapshotFromChain(m, states, c));
    const fit = fitStatic(m, snaps, {
      rng: createRng(9),
      iterations: 600,
      batchSize: 200,
      asleepChains: 200,
      awakeSweeps: 1,
      asleepSweeps: 1,
      optimizer: createSgd({ learningRate: 0.2 }),
      averageFrom: 200,
    });
    // Finite-sample MLE error for n = 4000 draws of a 3-state unit is about sqrt(1/(n p)) ≲ 0.05 per logit; SGD noise
    // with averaging adds less. 0.15 is ≈ 3 SE.
    for (let k = 0; k < 6; k++) expect(Math.abs(fit.averaged![k] - truth[k])).toBeLessThan(0.15);
  });

  it('fits a known DBM with a hidden layer: the learned visible distribution matches the true one', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [2, 2], states: ['X', 'Y'] },
        { name: 'h', shape: [2, 2], states: ['X1', 'Y1'] },
      ],
    });
    const truth = createParameters(m, { hX: -1, hY: -0.6, bX1: -0.5, bY1: 0.2, wXX1: 0.8, wYY1: -0.6 });
    const rng = createRng(10);
    const n = 4000;
    const states = createChains(m, n);
    randomizeChains(m, states, rng);
    gibbs(m, truth, states, rng, { sweeps: 30 });
    const snaps = Array.from({ length: n }, (_, c) => snapshotFromChain(m, states, c));
    const pTrue = exactMoments(m, truth, { visibleDistribution: true }).visibleDistribution!;
    const pIndependent = exactMoments(m, createParameters(m, {}), { visibleDistribution: true }).visibleDistribution!;
    // Noise floor from the same data: KL(p̂ ‖ p_true) of the snapshots' empirical distribution (configuration index
    // Σ_i s_i 3^i, as in visibleDistribution); its expectation is about (81 − 1)/(2n) = 0.01.
    const pEmpirical = new Float64Array(pTrue.length);
    for (const snap of snaps) pEmpirical[snap.occupancy.reduce((index, s, i) => index + s * 3 ** i, 0)] += 1 / n;
    const floor = kl(pEmpirical, pTrue);
    const results: number[] = [];
    for (const centered of [true, false]) {
      const fit = fitStatic(m, snaps, {
        rng: createRng(11),
        iterations: 800,
        batchSize: 100,
        asleepChains: 100,
        awakeSweeps: 2,
        asleepSweeps: 2,
        centered,
        initial: createParameters(m, { wXX1: 0.1, wYY1: 0.1 }),
        optimizer: createAdam({ learningRate: 0.02 }),
        averageFrom: 400,
      });
      const learned = exactMoments(m, fit.averaged!, { visibleDistribution: true });
      results.push(kl(pTrue, learned.visibleDistribution!));
      // Visible densities match the truth within sampling error of 4000 snapshots (SE of n_X ≈ 0.02).
      const exactTrue = exactMoments(m, truth);
      for (const name of ['hX', 'hY']) {
        const k = m.parameters.index(name);
        expect(Math.abs(learned.mean[k] - exactTrue.mean[k])).toBeLessThan(0.1);
      }
    }
    // KL(p_true ‖ p_learned) is at the level of the finite-sample noise: a model fitted to n snapshots cannot be
    // expected closer to the truth than their empirical distribution, and the fit's stochastic gradients add noise of
    // the same order, hence 3 × the floor; and far below that of the starting point.
    for (const d of results) {
      expect(d).toBeLessThan(3 * floor);
      expect(d).toBeLessThan(0.1 * kl(pTrue, pIndependent));
    }
  });
});
