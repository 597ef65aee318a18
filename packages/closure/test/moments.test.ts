import { describe, expect, it } from 'vitest';
import {
  closureChannels,
  createDbd,
  defaultObservables,
  integrateParameters,
  paperMachineSpec,
  predictMoments,
} from '../src/index.ts';
import { createRng } from './helpers.ts';

// Independent sites: with every weight 0 the visible units are independent of the hidden layers, each X with
// p_X = e^{hX}/(1 + e^{hX} + e^{hY}). Exact moments on an L × L periodic lattice (N sites): ⟨n_X⟩ = N p_X,
// ⟨NN_XX⟩ = 2 N p_X², ⟨NN_XY⟩ = 2·2 N p_X p_Y, ⟨NNN_XX⟩ = 3 N p_X² (3 displacements), and
// Var(n_X) = N p_X (1 − p_X), Cov(n_X, n_Y) = −N p_X p_Y.
const L = 6;
const N = L * L;
const hX = -1;
const hY = -0.5;
const z = 1 + Math.exp(hX) + Math.exp(hY);
const pX = Math.exp(hX) / z;
const pY = Math.exp(hY) / z;

function independentModel() {
  return createDbd({ machine: paperMachineSpec(L), theta0: { hX, hY, bX1: 0.3, bY2: -0.2 } });
}

describe('predictMoments', () => {
  const model = independentModel();
  const traj = integrateParameters(model, Float64Array.from({ length: 12 }, (_, t) => t));

  it('final probabilities give the exact moments of independent sites (spec 7.1)', () => {
    const p = predictMoments(model, traj, { rng: createRng(1), chains: 10, rows: [0, 5, 11] });
    expect(p.names).toEqual(['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']);
    expect(Array.from(p.times)).toEqual([0, 5, 11]);
    for (let r = 0; r < 3; r++) {
      // p(visible | hidden1) is exactly (p_X, p_Y) at every site when the weights vanish: no Monte Carlo error.
      expect(p.mean.X[r]).toBeCloseTo(N * pX, 10);
      expect(p.mean.Y[r]).toBeCloseTo(N * pY, 10);
      expect(p.mean.NN_XX[r]).toBeCloseTo(2 * N * pX * pX, 10);
      expect(p.mean.NN_XY[r]).toBeCloseTo(4 * N * pX * pY, 10);
      expect(p.mean.NNN_XX[r]).toBeCloseTo(3 * N * pX * pX, 10);
      expect(p.mean.NNN_XY[r]).toBeCloseTo(6 * N * pX * pY, 10);
      expect(p.standardError.X[r]).toBeLessThan(1e-9);
    }
    // The filtered θ of a constant trajectory is the constant.
    expect(p.theta[0]).toBeCloseTo(hX, 12);
    expect(p.channels?.sum.X.every((v) => Math.abs(v) < 1e-9)).toBe(true);
  });

  it('binary-state estimates agree with the exact moments within their Monte Carlo error', () => {
    const chains = 400;
    const p = predictMoments(model, traj, { rng: createRng(2), chains, rows: [3], finalProbabilities: false, sweeps: 2 });
    // One binary sample per chain, independent chains: |mean − exact| / (exact sd/√chains) is ~N(0, 1); 4.5 is a
    // family-wise bound over the 4 checks.
    const sdX = Math.sqrt((N * pX * (1 - pX)) / chains);
    expect(Math.abs(p.mean.X[0] - N * pX)).toBeLessThan(4.5 * sdX);
    expect(p.standardError.X[0]).toBeGreaterThan(0.7 * sdX);
    expect(p.standardError.X[0]).toBeLessThan(1.3 * sdX);
    // Cov(n_X, T_hX) = Var(n_X) = N p_X (1 − p_X) ≈ 7.3; the sample covariance of 400 chains has a relative sd of about
    // √(2/400) ≈ 0.07, so 0.3 relative is > 4 sd. Cov(n_X, T_hY) = −N p_X p_Y ≈ −1.9 with sd ≈ √(Var X Var Y / 400) ≈ 0.33.
    const P = p.parameters.length;
    const iX = p.parameters.indexOf('hX');
    const iY = p.parameters.indexOf('hY');
    expect(Math.abs(p.covariance!.X[iX] / (N * pX * (1 - pX)) - 1)).toBeLessThan(0.3);
    expect(Math.abs(p.covariance!.X[iY] + N * pX * pY)).toBeLessThan(1.5);
    expect(p.covariance!.X.length).toBe(P);
  });

  it('custom pair observables, covariances off, validation', () => {
    const p = predictMoments(model, traj, {
      rng: createRng(3),
      chains: 4,
      rows: [1],
      covariance: false,
      observables: [
        { name: 'XY_0_3', kind: 'pairs', a: 'X', b: 'Y', displacements: [[0, 3]], symmetric: false },
        { name: 'nY', kind: 'count', species: 'Y' },
      ],
    });
    expect(p.mean.XY_0_3[0]).toBeCloseTo(N * pX * pY, 10);
    expect(p.covariance).toBeUndefined();
    expect(defaultObservables(['A'], 1).map((o) => o.name)).toEqual(['A', 'NN_AA', 'NNN_AA']);
    expect(() => predictMoments(model, traj, {} as never)).toThrow(/options.rng must be an Rng/);
    expect(() => predictMoments(model, { ...traj, names: ['a'] }, { rng: createRng(1) })).toThrow(/thetaTrajectory.names/);
    expect(() => predictMoments(model, traj, { rng: createRng(1), rows: [99] })).toThrow(/options.rows\[0\]/);
    expect(() => predictMoments(model, traj, { rng: createRng(1), chains: 1 })).toThrow(/options.chains/);
    expect(() =>
      predictMoments(model, traj, { rng: createRng(1), observables: [{ name: 'q', kind: 'count', species: 'Z' }] }),
    ).toThrow(/species must be a visible state/);
  });
});

describe('closure channels (spec 7.2)', () => {
  it('Σ_θ Cov(X, T_θ)·F_θ matches the exact d⟨n_X⟩/dt of a known dynamics', () => {
    // F_hX ≡ c (constant, exactly representable), all else 0: d⟨n_X⟩/dt = N p_X (1 − p_X) c, and
    // d⟨n_Y⟩/dt = −N p_X p_Y c (only the hX channel is non-zero in expectation).
    const c = 0.05;
    const model = independentModel();
    const d = model.domain.length;
    model.functions[0].setFromDerivatives(new Array(d).fill(-1), new Array(d).fill(1), (_x, out) => {
      out.fill(0);
      out[0] = c;
    });
    const traj = integrateParameters(model, Float64Array.of(0, 1));
    const chains = 400;
    const pred = predictMoments(model, traj, { rng: createRng(4), chains, rows: [0], finalProbabilities: false, filter: false, channels: false });
    const ch = closureChannels(pred, { derivative: 'model', model });
    const iX = ch.parameters.indexOf('hX');
    const exactX = N * pX * (1 - pX) * c;
    // Same covariance tolerances as above, times c.
    expect(Math.abs(ch.channels.X[iX] / exactX - 1)).toBeLessThan(0.3);
    expect(Math.abs(ch.sum.X[0] - ch.channels.X[iX])).toBeLessThan(1e-12);
    expect(Math.abs(ch.sum.Y[0] + N * pX * pY * c)).toBeLessThan(1.5 * c);
    expect(ch.derivative[iX]).toBeCloseTo(c, 12);
    // The forward difference of the (Euler) trajectory gives the same dθ/dt here.
    const fd = closureChannels(pred);
    expect(fd.derivative[iX]).toBeCloseTo(c, 12);
    expect(() => closureChannels(pred, { derivative: 'model' })).toThrow(/options.model is required/);
  });
});
