import { createRng } from '@srn/gillespie/rng';
import { describe, expect, it } from 'vitest';
import {
  clampSnapshots,
  conditionalProbabilities,
  createChains,
  createMachine,
  createParameters,
  createProbabilities,
  exactMoments,
  gibbs,
  type Machine,
  meanField,
  meanStatistics,
  paperMachine,
  randomizeChains,
  snapshotFromChain,
  softmaxWithEmpty,
  statesToProbabilities,
  sufficientStatistics,
  sufficientStatisticsFromProbabilities,
} from '../src/index.ts';
import { randomParams, zScores } from './helpers.ts';

// With ~80 z-scores over the file, |z| < 4.5 has a family-wise false-alarm rate below 1e-3 (fixed seeds make it
// deterministic anyway); a biased sampler typically shows |z| in the tens at these sample sizes.
const Z_MAX = 4.5;

describe('block Gibbs against exact enumeration', () => {
  it('paper machine on 2 x 2 lattices (three layers, 3 states, 3^12 states)', () => {
    const m = paperMachine({ size: 2 });
    const theta = createParameters(m, {
      hX: -0.5,
      hY: 0.3,
      bX1: 0.4,
      bY1: -0.6,
      bX2: -0.2,
      bY2: 0.5,
      wXX1: 0.7,
      wYY1: -0.5,
      wX1X2: -0.6,
      wY1Y2: 0.8,
    });
    const z = zScores(m, theta, 4000, 40, 11);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('per-unit dense RBM with Bernoulli units and random parameters', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [5], states: ['on'] },
        { name: 'h', shape: [3], states: ['on'] },
      ],
      connections: [{ kind: 'dense', lower: 0, upper: 1 }],
      parameterization: 'per-unit',
    });
    const z = zScores(m, randomParams(m, 5, 1.2), 4000, 40, 12);
    expect(z).toHaveLength(5 + 3 + 15);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('1D ring with a 3-wide field, all couplings between a 2-state and a 1-state layer', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [4], states: ['A', 'B'] },
        { name: 'h', shape: [4], states: ['on'] },
        { name: 'g', shape: [4], states: ['A2', 'B2'] },
      ],
      connections: [
        { lower: 0, upper: 1, field: [[-1], [0], [1]], couplings: 'all' },
        { lower: 1, upper: 2, field: '2x2', couplings: [['on', 'B2']] },
      ],
    });
    const z = zScores(m, randomParams(m, 6, 0.8), 4000, 40, 13);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('lateral nearest- and next-nearest-neighbour Potts couplings (systematic scan) on a 3 x 3 torus, 3^9 states', () => {
    const m = createMachine({
      layers: [{ name: 'v', shape: [3, 3], states: ['X', 'Y'] }],
      connections: [
        { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
        { lower: 0, upper: 0, field: [[1, 1], [1, -1]], couplings: 'all', weightPrefix: 'm' },
      ],
    });
    // Strong enough couplings that a sampler ignoring the in-place updates (or a transposed X-Y weight) is far off.
    const theta = createParameters(m, { hX: -0.4, hY: -0.8, nXX: 0.9, nXY: -1.1, nYX: 0.3, nYY: 0.6, mXX: -0.5, mXY: 0.7, mYX: -0.9, mYY: 0.4 });
    const z = zScores(m, theta, 4000, 40, 16);
    expect(z).toHaveLength(10);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('lateral couplings next to a hidden layer, table of the conditional activations of both directions', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [2, 3], states: ['X', 'Y'] },
        { name: 'h', shape: [2, 3], states: ['on'] },
      ],
      connections: [
        { lower: 0, upper: 1, field: '2x2', couplings: 'all' },
        { lower: 0, upper: 0, field: [[0, 1]], couplings: 'all', weightPrefix: 'n' },
      ],
    });
    const z = zScores(m, randomParams(m, 17, 1.0), 4000, 40, 18);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('3D 2 x 2 x 2 lattices with 2 x 2 x 2 fields', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [2, 2, 2], states: ['on'] },
        { name: 'h', shape: [2, 2, 2], states: ['on'] },
      ],
    });
    const z = zScores(m, Float64Array.of(-0.3, 0.2, 0.25), 4000, 40, 14);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('clamped visible layer: awake moments agree with the exact conditional moments', () => {
    const m = paperMachine({ size: 2 });
    const theta = randomParams(m, 7, 0.8);
    const visible = Uint8Array.of(1, 0, 2, 1);
    const exact = exactMoments(m, theta, { visible, covariance: true });
    const chains = 4000;
    const rng = createRng(15);
    const states = createChains(m, chains);
    randomizeChains(m, states, rng);
    const snap = { shape: [2, 2], species: ['X', 'Y'], occupancy: visible };
    clampSnapshots(m, states, new Array(chains).fill(snap));
    gibbs(m, theta, states, rng, { sweeps: 40, clamped: ['visible'] });
    expect(Array.from(snapshotFromChain(m, states, 17).occupancy)).toEqual([1, 0, 2, 1]);
    const mean = meanStatistics(m, sufficientStatistics(m, states));
    const P = m.parameters.count;
    for (let k = 0; k < P; k++) {
      const v = exact.covariance![k * P + k];
      if (v === 0) expect(mean[k]).toBeCloseTo(exact.mean[k], 12);
      else expect(Math.abs((mean[k] - exact.mean[k]) / Math.sqrt(v / chains))).toBeLessThan(Z_MAX);
    }
  });

  it('final-sweep probabilities give unbiased bias moments (parallel and sequential)', () => {
    const m = paperMachine({ size: 2 });
    const theta = randomParams(m, 8, 0.8);
    const exact = exactMoments(m, theta);
    for (const final of ['parallel', 'sequential'] as const) {
      const chains = 3000;
      const rng = createRng(16);
      const states = createChains(m, chains);
      randomizeChains(m, states, rng);
      const probs = createProbabilities(m, chains);
      gibbs(m, theta, states, rng, { sweeps: 40, probabilities: probs, final });
      const T = sufficientStatisticsFromProbabilities(m, probs);
      const P = m.parameters.count;
      // E[p(s_i = α | neighbours)] = p(s_i = α), so bias statistics from probabilities are unbiased
      // (Rao-Blackwell). The per-chain values are iid; the SE uses their sample variance.
      for (const b of m.parameters.blocks.filter((x) => x.kind === 'bias')) {
        let s = 0;
        let s2 = 0;
        for (let c = 0; c < chains; c++) {
          const x = T[c * P + b.offset];
          s += x;
          s2 += x * x;
        }
        const mean = s / chains;
        const se = Math.sqrt((s2 / chains - mean * mean) / chains);
        expect(Math.abs((mean - exact.mean[b.offset]) / se)).toBeLessThan(Z_MAX);
      }
      expect(probs.every((p) => p >= 0 && p <= 1)).toBe(true);
    }
  });

  it('is reproducible for a fixed seed and restarts from noise uniformly', () => {
    const m = paperMachine({ size: 4 });
    const theta = randomParams(m, 9, 1);
    const run = () => {
      const rng = createRng(3);
      const s = createChains(m, 3);
      randomizeChains(m, s, rng);
      gibbs(m, theta, s, rng, { sweeps: 5 });
      return s;
    };
    expect(run()).toEqual(run());
    const s = createChains(m, 200);
    randomizeChains(m, s, createRng(4), { layers: ['hidden1'] });
    const L = m.layers[1];
    const counts = [0, 0, 0];
    for (let c = 0; c < 200; c++) for (let i = 0; i < L.size; i++) counts[s[c * m.unitCount + L.unitOffset + i]]++;
    // 3200 draws, each state with p = 1/3: SD of a count is sqrt(3200 · 2/9) ≈ 26.7.
    for (const n of counts) expect(Math.abs(n - 3200 / 3) / 26.7).toBeLessThan(Z_MAX);
    expect(s.subarray(0, 16).every((x) => x === 0)).toBe(true); // visible untouched
  });
});

describe('specialised kernel', () => {
  it('the homogeneous K = 2 fast path draws exactly what the generic per-unit path draws', () => {
    const hom = paperMachine({ size: 5 });
    const per = paperMachine({ size: 5, parameterization: 'per-unit' });
    const values = { hX: -0.4, hY: 0.2, bX1: 0.3, bY1: -0.5, bX2: 0.1, bY2: 0.6, wXX1: 0.9, wYY1: -0.7, wX1X2: -0.4, wY1Y2: 0.5 };
    const a = createChains(hom, 3);
    const b = createChains(per, 3);
    randomizeChains(hom, a, createRng(1));
    b.set(a);
    gibbs(hom, createParameters(hom, values), a, createRng(2), { sweeps: 5 });
    gibbs(per, createParameters(per, values), b, createRng(2), { sweeps: 5 });
    expect(a).toEqual(b);
  });
});

// The homogeneous statistics count states and state pairs in integer banks and add each count once; the reference
// below adds 1 per unit and per coupled edge, as the per-unit path does. Both are sums of integers, so they must be
// equal exactly, for any state counts, couplings ('same', 'all', a list), lateral connections and sizes that are not
// multiples of the four banks.
describe('homogeneous sufficient statistics', () => {
  function reference(m: Machine, states: Uint8Array): Float64Array {
    const P = m.parameters.count;
    const chains = states.length / m.unitCount;
    const out = new Float64Array(chains * P);
    for (let c = 0; c < chains; c++) {
      const base = c * m.unitCount;
      for (const L of m.layers) {
        for (let i = 0; i < L.size; i++) {
          const s = states[base + L.unitOffset + i];
          if (s !== 0) out[c * P + L.biasStart + s - 1] += 1;
        }
      }
      for (const C of m.connections) {
        const ku1 = m.layers[C.upper].stateCount + 1;
        for (let e = 0; e < C.edgeCount; e++) {
          const a = states[base + m.layers[C.lower].unitOffset + C.edgeLower[e]];
          const b = states[base + m.layers[C.upper].unitOffset + C.edgeUpper[e]];
          const p = a === 0 || b === 0 ? -1 : C.pairIndex[a * ku1 + b];
          if (p >= 0) out[c * P + C.weightStart + p] += 1;
        }
      }
    }
    return out;
  }
  const machines: [string, Machine][] = [
    ['paper machine, 5 x 5', paperMachine({ size: 5 })],
    [
      'lateral Potts layer with three states, a Bernoulli hidden layer, 3 x 7',
      createMachine({
        layers: [
          { name: 'v', shape: [3, 7], states: ['A', 'B', 'C'] },
          { name: 'h', shape: [3, 7], states: ['H'] },
        ],
        connections: [
          { lower: 0, upper: 0, field: [[0, 1], [1, 0], [1, 1]], couplings: [['A', 'B'], ['C', 'C']], weightPrefix: 'n' },
          { lower: 0, upper: 1, field: '2x2', couplings: 'all' },
        ],
      }),
    ],
  ];
  for (const [name, m] of machines) {
    it(`equal the per-edge counts exactly: ${name}`, () => {
      const chains = 5;
      const states = createChains(m, chains);
      randomizeChains(m, states, createRng(12));
      // Mostly empty chains too (the common case of the lattice data), where one counter takes nearly every unit.
      for (let i = 2 * m.unitCount; i < 3 * m.unitCount; i++) states[i] = i % 17 === 0 ? states[i] : 0;
      expect(Array.from(sufficientStatistics(m, states))).toEqual(Array.from(reference(m, states)));
    });
  }
});

describe('numerical stability', () => {
  it('softmax with the empty state stays finite for activations of ±1000', () => {
    for (const acts of [
      [1000, -1000],
      [-1000, -1000],
      [1000, 1000],
      [-1000, 1000],
      [1000, 999],
    ]) {
      const a = Float64Array.from(acts);
      const p0 = softmaxWithEmpty(a, 2);
      expect(Number.isFinite(p0)).toBe(true);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(p0 + a[0] + a[1]).toBeCloseTo(1, 12);
    }
    const a = Float64Array.of(-1000, -1000);
    expect(softmaxWithEmpty(a, 2)).toBe(1);
    const b = Float64Array.of(1000, 999);
    softmaxWithEmpty(b, 2);
    expect(b[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });

  it('sampling and probabilities stay finite and deterministic with huge parameters', () => {
    const m = paperMachine({ size: 3 });
    const theta = createParameters(m, { hX: 1000, hY: -1000, bX1: -1000, bY1: -1000, bX2: 1000, bY2: 1000 });
    const rng = createRng(1);
    const states = createChains(m, 4);
    randomizeChains(m, states, rng);
    const probs = createProbabilities(m, 4);
    gibbs(m, theta, states, rng, { sweeps: 3, probabilities: probs });
    expect(probs.every(Number.isFinite)).toBe(true);
    const V = m.layers[0];
    for (let c = 0; c < 4; c++) {
      for (let i = 0; i < V.size; i++) expect(states[c * m.unitCount + V.unitOffset + i]).toBe(1);
      for (let i = 0; i < 9; i++) expect(states[c * m.unitCount + m.layers[1].unitOffset + i]).toBe(0);
    }
  });
});

describe('mean field', () => {
  it('is exact without couplings and reaches a self-consistent fixed point with them', () => {
    const m = paperMachine({ size: 3 });
    const free = createParameters(m, { hX: -1, hY: 0.5, bX1: 0.2, bY1: -0.3, bX2: 1, bY2: 0 });
    const probs = createProbabilities(m, 2);
    meanField(m, free, probs, { iterations: 2 });
    const zx = 1 + Math.exp(-1) + Math.exp(0.5);
    expect(probs[0]).toBeCloseTo(Math.exp(-1) / zx, 12);
    expect(probs[1]).toBeCloseTo(Math.exp(0.5) / zx, 12);
    const theta = randomParams(m, 10, 0.7);
    meanField(m, theta, probs, { iterations: 200, damping: 0.3 });
    // Fixed point: a parallel conditional update computed from the probabilities changes nothing.
    const again = probs.slice();
    meanField(m, theta, again, { iterations: 1 });
    for (let i = 0; i < probs.length; i++) expect(again[i]).toBeCloseTo(probs[i], 8);
  });

  it('clamps one-hot data and matches conditionalProbabilities for a single hidden layer', () => {
    const m = paperMachine({ size: 3, layers: 2 });
    const theta = randomParams(m, 11, 1);
    const rng = createRng(2);
    const states = createChains(m, 3);
    randomizeChains(m, states, rng);
    const probs = createProbabilities(m, 3);
    statesToProbabilities(m, states, probs);
    meanField(m, theta, probs, { iterations: 1, clamped: [0] });
    const cond = createProbabilities(m, 3);
    conditionalProbabilities(m, theta, states, cond, { layers: [1] });
    const H = m.layers[1];
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < H.size * 2; i++) {
        const j = c * m.probabilityCount + H.probabilityOffset + i;
        expect(probs[j]).toBeCloseTo(cond[j], 12);
      }
    }
  });
});

describe('validation', () => {
  it('names the argument and value', () => {
    const m = paperMachine({ size: 2 });
    const theta = createParameters(m);
    const rng = createRng(1);
    const states = createChains(m, 2);
    expect(() => gibbs({} as Machine, theta, states, rng)).toThrow(/machine must be a Machine/);
    expect(() => gibbs(m, new Float64Array(3), states, rng)).toThrow(/params must have length 10; got length 3/);
    expect(() => gibbs(m, theta, new Uint8Array(5), rng)).toThrow(/states length must be a positive multiple/);
    const bad = states.slice();
    bad[3] = 7;
    expect(() => gibbs(m, theta, bad, rng)).toThrow(/states\[3\] must be a state of layer "visible" in \[0, 2\]; got 7/);
    expect(() => gibbs(m, theta, states, rng, { sweeps: -1 })).toThrow(/options.sweeps must be an integer >= 0; got -1/);
    expect(() => gibbs(m, theta, states, rng, { clamped: ['nope'] })).toThrow(/options.clamped\[0\] names no layer/);
    expect(() => gibbs(m, theta, states, {} as never)).toThrow(TypeError);
    expect(() =>
      clampSnapshots(m, states, [{ shape: [2, 2], species: ['Z'], occupancy: new Uint8Array(4) }]),
    ).toThrow(/snapshots\[0\].species\[0\] = "Z" is not a state/);
    expect(() =>
      clampSnapshots(m, states, [{ shape: [3, 3], species: ['X'], occupancy: new Uint8Array(9) }]),
    ).toThrow(/snapshots\[0\].shape/);
  });
});
