import { createRng } from '@srn/gillespie/rng';
import { describe, expect, it } from 'vitest';
import {
  centeredEnergies,
  centeredGradientToRaw,
  centerStatistics,
  createCenters,
  createChains,
  createMachine,
  energies,
  exactMoments,
  type Machine,
  paperMachine,
  randomizeChains,
  slideCenters,
  sufficientStatistics,
  toCenteredParameters,
  toRawParameters,
} from '../src/index.ts';

function randomVector(n: number, seed: number, lo: number, hi: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.nextFloat64());
}

const machines: [string, Machine][] = [
  ['paper machine 4 x 4 (homogeneous, q = 4)', paperMachine({ size: 4 })],
  ['3 x 3 fields, homogeneous, all couplings', createMachine({
    layers: [
      { name: 'v', shape: [5, 5], states: ['X', 'Y'] },
      { name: 'h', shape: [5, 5], states: ['A', 'B', 'C'] },
    ],
    connections: [{ lower: 0, upper: 1, field: '3x3', couplings: 'all' }],
  })],
  ['per-unit dense RBM', createMachine({
    layers: [
      { name: 'v', shape: [6], states: ['X', 'Y'] },
      { name: 'h', shape: [4], states: ['on'] },
      { name: 'g', shape: [3], states: ['X', 'Y'] },
    ],
    connections: [
      { kind: 'dense', lower: 0, upper: 1, couplings: 'all' },
      { kind: 'dense', lower: 1, upper: 2, couplings: 'all' },
    ],
    parameterization: 'per-unit',
  })],
];

describe('centering', () => {
  for (const [name, m] of machines) {
    it(`raw and centered energies differ by a constant over random states: ${name}`, () => {
      const theta = randomVector(m.parameters.count, 1, -1, 1);
      const centers = randomVector(m.centerCount, 2, 0, 0.5);
      const thetaC = toCenteredParameters(m, theta, centers);
      const states = createChains(m, 50);
      randomizeChains(m, states, createRng(3));
      const E = energies(m, theta, states);
      const Ec = centeredEnergies(m, thetaC, centers, states);
      const d0 = Ec[0] - E[0];
      for (let c = 0; c < 50; c++) expect(Ec[c] - E[c]).toBeCloseTo(d0, 9);
      // The constant is −Σ_E W μ μ' (homogeneous: −|E| W μ_α μ_β per pair).
      expect(Math.abs(d0)).toBeGreaterThan(1e-6);
      // Round trip.
      const back = toRawParameters(m, thetaC, centers);
      for (let i = 0; i < theta.length; i++) expect(back[i]).toBeCloseTo(theta[i], 12);
    });
  }

  it('uses ã = a + q Σ W μ with q = 4 on the paper machine', () => {
    const m = paperMachine({ size: 4 });
    const theta = randomVector(10, 4, -1, 1);
    const centers = createCenters(m, [0.0625, 0.33, 0.2]);
    const c = toCenteredParameters(m, theta, centers);
    const i = (n: string) => m.parameters.index(n);
    expect(c[i('hX')]).toBeCloseTo(theta[i('hX')] + 4 * theta[i('wXX1')] * 0.33, 12);
    expect(c[i('bY1')]).toBeCloseTo(theta[i('bY1')] + 4 * theta[i('wYY1')] * 0.0625 + 4 * theta[i('wY1Y2')] * 0.2, 12);
    expect(c[i('bX2')]).toBeCloseTo(theta[i('bX2')] + 4 * theta[i('wX1X2')] * 0.33, 12);
    expect(c[i('wXX1')]).toBe(theta[i('wXX1')]);
  });

  it('slides offsets by μ ← (1 − λ) μ + λ · mean / N', () => {
    const m = paperMachine({ size: 4 });
    const centers = createCenters(m, [0.0625, 0.33, 0.33]);
    const mean = new Float64Array(10);
    mean[m.parameters.index('hX')] = 8; // 8 of 16 sites
    mean[m.parameters.index('bY2')] = 4;
    slideCenters(m, centers, mean, 0.5);
    expect(centers[0]).toBeCloseTo(0.5 * 0.0625 + 0.5 * 0.5, 12);
    expect(centers[1]).toBeCloseTo(0.5 * 0.0625, 12);
    expect(centers[5]).toBeCloseTo(0.5 * 0.33 + 0.5 * 0.25, 12);
    expect(() => slideCenters(m, centers, mean, 2)).toThrow(/lambda must be a number in \[0, 1\]; got 2/);
  });

  it('centered statistics match a direct per-edge computation', () => {
    const m = machines[1][1];
    const centers = randomVector(m.centerCount, 5, 0, 0.6);
    const states = createChains(m, 3);
    randomizeChains(m, states, createRng(6));
    const Tc = sufficientStatistics(m, states, { centers });
    expect(centerStatistics(m, sufficientStatistics(m, states), centers)).toEqual(Tc);
    const C = m.connections[0];
    const P = m.parameters.count;
    for (let ch = 0; ch < 3; ch++) {
      for (let p = 0; p < C.pairCount; p++) {
        const a = C.pairs[2 * p];
        const b = C.pairs[2 * p + 1];
        let s = 0;
        for (let e = 0; e < C.edgeCount; e++) {
          const x = states[ch * m.unitCount + C.edgeLower[e]] === a ? 1 : 0;
          const y = states[ch * m.unitCount + m.layers[1].unitOffset + C.edgeUpper[e]] === b ? 1 : 0;
          s += (x - centers[a - 1]) * (y - centers[m.layers[1].centerOffset + b - 1]);
        }
        expect(Tc[ch * P + C.weightStart + p]).toBeCloseTo(s, 9);
      }
    }
  });
});

/**
 * Spec 5.2 by finite differences. L(θ̃) = mean log-likelihood of a fixed visible data set under the DBM with raw
 * parameters toRaw(θ̃, μ), computed exactly. Its gradient w.r.t. the centered parameters (offsets fixed) must be
 * −ΔE[T̃] = ⟨T̃⟩_data − ⟨T̃⟩_model with the centered statistics, and the raw update from centeredGradientToRaw must be
 * exactly the centered step mapped back to raw coordinates.
 */
describe('centered gradient (spec 5.2)', () => {
  const cases: [string, Machine][] = [
    ['homogeneous three-layer chain', createMachine({
      layers: [
        { name: 'v', shape: [3], states: ['X', 'Y'] },
        { name: 'h1', shape: [3], states: ['X1', 'Y1'] },
        { name: 'h2', shape: [3], states: ['X2', 'Y2'] },
      ],
    })],
    ['per-unit RBM', createMachine({
      layers: [
        { name: 'v', shape: [3], states: ['X', 'Y'] },
        { name: 'h', shape: [2], states: ['on'] },
      ],
      connections: [{ kind: 'dense', lower: 0, upper: 1, couplings: 'all' }],
      parameterization: 'per-unit',
    })],
  ];
  for (const [name, m] of cases) {
    it(`holds by finite differences: ${name}`, () => {
      const data = [Uint8Array.of(1, 0, 2), Uint8Array.of(0, 0, 1), Uint8Array.of(2, 2, 0), Uint8Array.of(1, 1, 0)];
      const centers = randomVector(m.centerCount, 7, 0.1, 0.5);
      const theta = randomVector(m.parameters.count, 8, -0.8, 0.8);
      const logLik = (raw: Float64Array): number => {
        const logZ = exactMoments(m, raw).logZ;
        let s = 0;
        for (const v of data) s += exactMoments(m, raw, { visible: v }).logZ - logZ;
        return s / data.length;
      };
      // Exact centered ΔE = model − data.
      const model = exactMoments(m, theta, { centers }).centeredMean!;
      const dataMean = new Float64Array(m.parameters.count);
      for (const v of data) {
        const r = exactMoments(m, theta, { visible: v, centers }).centeredMean!;
        for (let k = 0; k < r.length; k++) dataMean[k] += r[k] / data.length;
      }
      const delta = model.map((x, k) => x - dataMean[k]);
      const thetaC = toCenteredParameters(m, theta, centers);
      const h = 1e-5;
      for (let k = 0; k < thetaC.length; k++) {
        const plus = thetaC.slice();
        const minus = thetaC.slice();
        plus[k] += h;
        minus[k] -= h;
        const fd = (logLik(toRawParameters(m, plus, centers)) - logLik(toRawParameters(m, minus, centers))) / (2 * h);
        expect(fd).toBeCloseTo(-delta[k], 6);
      }
      // Raw update = centered step mapped back: toRaw(θ̃ − η Δ̃) = θ − η · centeredGradientToRaw(Δ̃).
      const eta = 0.05;
      const raw = centeredGradientToRaw(m, delta, centers);
      const viaCentered = toRawParameters(m, thetaC.map((x, k) => x - eta * delta[k]), centers);
      for (let k = 0; k < theta.length; k++) expect(theta[k] - eta * raw[k]).toBeCloseTo(viaCentered[k], 12);
      // ... and it is a descent direction of −L (first order: ΔL ≈ η |Δ̃|² > 0).
      const gain = logLik(theta.map((x, k) => x - 1e-4 * raw[k])) - logLik(theta);
      expect(gain).toBeGreaterThan(0);
    });
  }
});
