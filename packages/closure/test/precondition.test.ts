import { createMachine, type MachineSpec } from '@srn/boltzmann';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { prepareData } from '../src/data.ts';
import { createDbdTrainer, type DbdTrainerConfig, type LearnedDbd, resolveDbdConfig } from '../src/index.ts';
import { createMomentEstimator } from '../src/train/estimator.ts';
import { columnVariance, fisherDiagonalScales, scaleDifferences } from '../src/train/precondition.ts';
import { createRng, randomTrajectories, visibleOnlySpec } from './helpers.ts';

// The diagonal Fisher preconditioner of the adjoint's sources (config.precondition = 'fisher-diagonal'): each
// parameter's moment difference ΔE_k is multiplied by s_k = g / Var(T_k), g the geometric mean of the variances.

describe('fisherDiagonalScales', () => {
  it('scales inversely to the window-mean variance, with geometric mean 1', () => {
    // Two rows, three parameters: mean variances 4, 1 and 16 (g = (4 · 1 · 16)^(1/3) = 4).
    const variance = Float64Array.from([2, 1, 16, 6, 1, 16]);
    const s = new Float64Array(3);
    fisherDiagonalScales(variance, 2, 3, s);
    expect(Array.from(s)).toEqual([1, 4, 0.25].map((x) => expect.closeTo(x, 12)));
    expect(s[0] * s[1] * s[2]).toBeCloseTo(1, 12);
  });

  it("with normalisation 'max' scales relative to the largest variance (every scale >= 1)", () => {
    const s = new Float64Array(3);
    fisherDiagonalScales(Float64Array.from([2, 1, 16, 6, 1, 16]), 2, 3, s, 1, 'max');
    // Mean variances 4, 1, 16: scales 16 / v.
    expect(Array.from(s)).toEqual([4, 16, 1]);
  });

  it('raises variances below the floor (and NaN) to the floor', () => {
    const s = new Float64Array(3);
    fisherDiagonalScales(Float64Array.from([0, Number.NaN, 4]), 1, 3, s);
    // Floored variances 1, 1, 4: g = 4^(1/3).
    const g = 4 ** (1 / 3);
    expect(Array.from(s)).toEqual([g, g, g / 4].map((x) => expect.closeTo(x, 12)));
  });

  it('rejects bad sizes and floors with a RangeError', () => {
    expect(() => fisherDiagonalScales(new Float64Array(2), 1, 3, new Float64Array(3))).toThrow(RangeError);
    expect(() => fisherDiagonalScales(new Float64Array(3), 0, 3, new Float64Array(3))).toThrow(/rows >= 1/);
    expect(() => fisherDiagonalScales(new Float64Array(3), 1, 3, new Float64Array(3), 0)).toThrow(/floor must be positive/);
  });

  it('scaleDifferences and columnVariance', () => {
    const dE = Float64Array.from([1, -1, 2, 0]);
    scaleDifferences(dE, 2, 2, Float64Array.from([0.5, 2]));
    expect(Array.from(dE)).toEqual([0.5, -2, 1, 0]);
    const v = new Float64Array(2);
    // Columns (1, 2, 6) and (0, 0, 3): means 3 and 1, unbiased variances 7 and 3.
    columnVariance(Float64Array.from([1, 0, 2, 0, 6, 3]), 3, 2, v);
    expect(Array.from(v)).toEqual([7, 3]);
    columnVariance(Float64Array.from([5, 1]), 1, 2, v);
    expect(Array.from(v)).toEqual([0, 0]);
  });
});

describe('config.precondition', () => {
  const data = { trajectories: randomTrajectories(3, 6, 2, createRng(1)) };
  const w = { window: 3, horizonStart: 3, batchSize: 3 };

  it('is validated and stored only when it is not the default', () => {
    expect(() => resolveDbdConfig({ ...w, precondition: 'fisher' as never }, data)).toThrow(
      /config\.precondition must be one of 'none', 'fisher-diagonal', 'fisher-max'; got .fisher./,
    );
    expect(resolveDbdConfig({ ...w, precondition: 'fisher-max' }, data).precondition).toBe('fisher-max');
    expect('precondition' in resolveDbdConfig(w, data)).toBe(false);
    expect('precondition' in resolveDbdConfig({ ...w, precondition: 'none' }, data)).toBe(false);
    expect(resolveDbdConfig({ ...w, precondition: 'fisher-diagonal' }, data).precondition).toBe('fisher-diagonal');
  });
});

/** Every configuration of a 2 × 2 lattice of two species (3^4 = 81), each a trajectory constant in time. */
function allConfigurations(T: number): LatticeTrajectory[] {
  return Array.from({ length: 81 }, (_, c) => {
    const occ = new Uint8Array(T * 4);
    for (let t = 0; t < T; t++) for (let u = 0, r = c; u < 4; u++, r = Math.floor(r / 3)) occ[t * 4 + u] = r % 3;
    return { shape: [2, 2], species: ['X', 'Y'], times: Float64Array.from({ length: T }, (_, t) => t), occupancy: occ };
  });
}

/** The FE coefficients of every F after one step (vertex key → coefficients), and the coefficient changes. */
function oneStep(config: DbdTrainerConfig, trajectories: LatticeTrajectory[], seed: number): LearnedDbd {
  const trainer = createDbdTrainer({ window: 3, horizonStart: 3, steps: 1, moments: 'exact', dt: 1, ...config }, { trajectories }, createRng(seed));
  trainer.step();
  return trainer.model();
}

function changes(model: LearnedDbd, j: number): number[] {
  const out: number[] = [];
  model.functions[j].store.forEach((_v, c) => {
    for (const x of c) out.push(x);
  });
  return out;
}

const lateral2: MachineSpec = {
  layers: [{ name: 'visible', shape: [2, 2], states: ['X', 'Y'] }],
  connections: [{ lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' }],
  parameterization: 'homogeneous',
};

describe('the preconditioned trainer', () => {
  it('leaves the fixed points of the gradient unchanged (data whose moments the model matches: a zero step)', () => {
    // The data are every configuration once: their mean statistics are those of the uniform distribution, i.e. of
    // the model at θ = 0, which F ≡ 0 keeps at every t. So ΔE = 0 at every time point (up to rounding) with or
    // without the preconditioner, and the step must stay zero; the same trainer on iid data with densities away
    // from 1/3 moves F by far more than the bound, so the check is not vacuous.
    const base = { machine: lateral2, theta0: [0, 0, 0, 0, 0, 0], domain: ['hX', 'hY', 'nXX', 'nYY'], batchSize: 81, learningRate: 0.1 };
    for (const precondition of ['none', 'fisher-diagonal', 'fisher-max'] as const) {
      const model = oneStep({ ...base, precondition }, allConfigurations(5), 3);
      for (let j = 0; j < model.names.length; j++) for (const x of changes(model, j)) expect(Math.abs(x)).toBeLessThan(1e-12);
      const moved = oneStep({ ...base, precondition, batchSize: 3 }, randomTrajectories(3, 5, 2, createRng(5), 0.6, 0.05), 3);
      expect(Math.max(...moved.names.flatMap((_, j) => changes(moved, j).map(Math.abs)))).toBeGreaterThan(1e-4);
    }
  });

  it('scales the first step of every F by g / Var(T_k) (independent sites, exact moments)', () => {
    // Visible-only machine without couplings: T = (n_X, n_Y), independent sites. With F ≡ 0 at the start θ(t) = θ(0),
    // ψ = 0 and the costate of each parameter integrates its own ΔE only, so the preconditioned change of every FE
    // coefficient of F_k is exactly s_k times the plain one. At θ(0) the site occupancies are p_X = e^hX / (1 + e^hX +
    // e^hY) (likewise p_Y), and Var(n_k) = N p_k (1 − p_k) over the N = 9 sites; s_X = sqrt(Var n_Y / Var n_X)
    // (both variances, 2.3 and 1.5, above the floor of 1).
    const L = 3;
    const theta0 = { hX: -0.3, hY: -0.8 };
    const trajectories = randomTrajectories(4, 5, L, createRng(7), 0.5, 0.3);
    const common = { machine: visibleOnlySpec(L), theta0, batchSize: 4, learningRate: 0.01 };
    const plain = oneStep(common, trajectories, 9);
    const pre = oneStep({ ...common, precondition: 'fisher-diagonal' }, trajectories, 9);
    const preMax = oneStep({ ...common, precondition: 'fisher-max' }, trajectories, 9);
    const z = 1 + Math.exp(theta0.hX) + Math.exp(theta0.hY);
    const pX = Math.exp(theta0.hX) / z;
    const pY = Math.exp(theta0.hY) / z;
    const vX = L * L * pX * (1 - pX);
    const vY = L * L * pY * (1 - pY);
    expect(Math.min(vX, vY)).toBeGreaterThan(1);
    const expected = [Math.sqrt(vY / vX), Math.sqrt(vX / vY)];
    // 'fisher-max': s_k = max(vX, vY) / v_k.
    const expectedMax = [Math.max(vX, vY) / vX, Math.max(vX, vY) / vY];
    // Bound: the coefficients are sums of a few products, so rounding leaves relative errors of a few 1e-16; a wrong
    // scale would be off by tens of per cent (the two variances differ by a factor 1.5).
    for (let j = 0; j < 2; j++) {
      const a = changes(plain, j);
      const b = changes(pre, j);
      expect(b.length).toBe(a.length);
      const largest = Math.max(...a.map(Math.abs));
      expect(largest).toBeGreaterThan(0);
      for (let q = 0; q < a.length; q++) expect(Math.abs(b[q] - expected[j] * a[q])).toBeLessThan(1e-10 * largest);
      const c = changes(preMax, j);
      for (let q = 0; q < a.length; q++) expect(Math.abs(c[q] - expectedMax[j] * a[q])).toBeLessThan(1e-10 * largest);
    }
  });

  it('estimates Var(T_k) from the asleep chains without bias', () => {
    // Independent sites (no couplings): one Gibbs sweep from noise is an exact draw, so n_X over C chains is C iid
    // Binomial(N, p_X) draws and the unbiased sample variance has mean N p (1 − p) and standard error
    // sqrt(Var² (2/(C − 1) + κ/C)), κ = (1 − 6p(1 − p)) / (N p (1 − p)) the binomial excess kurtosis. |z| < 4.
    const L = 6;
    const N = L * L;
    const spec = visibleOnlySpec(L);
    const machine = createMachine(spec);
    const C = 2000;
    const trajectories = randomTrajectories(2, 2, L, createRng(2));
    const config = resolveDbdConfig(
      { machine: spec, theta0: [0, 0], window: 1, horizonStart: 1, batchSize: 2, asleepChains: C, asleepSweeps: 1, awakeSweeps: 1 },
      { trajectories },
    );
    const est = createMomentEstimator(config, machine, prepareData({ trajectories }, machine, 1), createRng(4));
    const theta = Float64Array.from([-0.5, -1.2]);
    const aw = new Float64Array(2);
    const as = new Float64Array(2);
    const variance = new Float64Array(2);
    est.estimate(theta, 1, Int32Array.from([0, 1]), new Uint8Array(2 * machine.unitCount), aw, as, variance);
    const z = 1 + Math.exp(theta[0]) + Math.exp(theta[1]);
    for (let k = 0; k < 2; k++) {
      const p = Math.exp(theta[k]) / z;
      const v = N * p * (1 - p);
      const kappa = (1 - 6 * p * (1 - p)) / v;
      const se = v * Math.sqrt(2 / (C - 1) + kappa / C);
      expect(Math.abs(variance[k] - v) / se).toBeLessThan(4);
    }
  });
});

describe('DbdStepInfo.mismatch', () => {
  it('is the mean over parameters of Σ|ΔE_k| / Σ|data moment k| over the window, 0 at a fixed point', () => {
    const base = { machine: lateral2, theta0: [0, 0, 0, 0, 0, 0], domain: ['hX', 'hY', 'nXX', 'nYY'], window: 3, horizonStart: 3, steps: 2 };
    const fixed = createDbdTrainer({ ...base, moments: 'exact', batchSize: 81 }, { trajectories: allConfigurations(6) }, createRng(1));
    expect(fixed.step().mismatch).toBeLessThan(1e-12);
    const t = createDbdTrainer({ ...base, batchSize: 3 }, { trajectories: randomTrajectories(3, 6, 2, createRng(5), 0.6, 0.05) }, createRng(2));
    for (let s = 0; s < 2; s++) {
      const info = t.step();
      const P = info.momentDifference.length;
      const rows = info.awakeMoments.length / P;
      let sum = 0;
      let used = 0;
      for (let k = 0; k < P; k++) {
        let diff = 0;
        let data = 0;
        for (let i = 0; i < rows; i++) {
          diff += Math.abs(info.asleepMoments[i * P + k] - info.awakeMoments[i * P + k]);
          data += Math.abs(info.awakeMoments[i * P + k]);
        }
        if (data > 0) {
          sum += diff / data;
          used++;
        }
      }
      expect(used).toBeGreaterThan(0);
      expect(info.mismatch).toBeGreaterThan(0);
      expect(info.mismatch).toBeCloseTo(sum / used, 12);
    }
  });
});
