import { createRng } from '@srn/gillespie/rng';
import { describe, expect, it } from 'vitest';
import { addTripletActivations, addTripletMeanField } from '../src/kernels/gibbs.ts';
import {
  centeredEnergies,
  createCenters,
  createChains,
  createMachine,
  createParameters,
  createProbabilities,
  energies,
  exactMoments,
  type Machine,
  randomizeChains,
  statesToProbabilities,
  sufficientStatistics,
  sufficientStatisticsFromProbabilities,
  toCenteredParameters,
} from '../src/index.ts';
import { randomParams, zScores } from './helpers.ts';

/** A 1-D ring of `n` sites with nearest-neighbour couplings of every pair and triplet couplings `states`. */
function ring(n: number, species: string[], states: 'same' | 'all' = 'all'): Machine {
  return createMachine({
    layers: [{ name: 'v', shape: [n], states: species }],
    connections: [{ lower: 0, upper: 0, field: [[1]], couplings: 'all', weightPrefix: 'n' }],
    triplets: [{ layer: 0, states }],
  });
}

// About 40 z-scores in this file: |z| < 4.5 has a family-wise false-alarm rate below 3e-4; a sampler that drops or
// transposes a triplet term is off by tens of standard errors at these couplings and sample sizes.
const Z_MAX = 4.5;

describe('triplet couplings: structure', () => {
  it('names, layout and the triple index', () => {
    const m = ring(5, ['A', 'B']);
    expect(m.parameters.names).toEqual([
      'hA', 'hB', 'nAA', 'nAB', 'nBA', 'nBB', 'kAAA', 'kAAB', 'kABA', 'kABB', 'kBAA', 'kBAB', 'kBBA', 'kBBB',
    ]);
    const t = m.triplets[0];
    expect(t.tripleCount).toBe(8);
    expect(t.weightStart).toBe(6);
    expect(t.tripleIndex[(2 * 3 + 1) * 3 + 2]).toBe(5); // (B, A, B)
    expect(t.tripleIndex[(0 * 3 + 1) * 3 + 1]).toBe(-1); // an empty site couples nothing
    expect(m.parameters.block('kBAB').kind).toBe('triplet');
    const same = createMachine({ layers: [{ name: 'v', shape: [4], states: ['A', 'B'] }], triplets: [{ layer: 'v', weightPrefix: 'K' }] });
    expect(same.parameters.names).toEqual(['hA', 'hB', 'KAAA', 'KBBB']);
    const listed = createMachine({ layers: [{ name: 'v', shape: [4], states: ['A', 'B'] }], triplets: [{ layer: 0, states: [['A', 2, 'A']] }] });
    expect(listed.parameters.names).toEqual(['hA', 'hB', 'kABA']);
    expect(createMachine({ layers: [{ name: 'v', shape: [4], states: ['A'] }] }).triplets).toEqual([]);
  });

  it('rejects bad triplet specs naming the field', () => {
    const v = (shape: number[]) => [{ name: 'v', shape, states: ['A', 'B'] }];
    expect(() => createMachine({ layers: v([3, 3]), triplets: [{ layer: 0 }] })).toThrow(/spec.triplets\[0\].layer must be a 1-D layer/);
    expect(() => createMachine({ layers: v([2]), triplets: [{ layer: 0 }] })).toThrow(/at least 3 units/);
    expect(() => createMachine({ layers: v([4]), triplets: [{ layer: 'w' }] })).toThrow(/spec.triplets\[0\].layer names no layer/);
    expect(() => createMachine({ layers: v([4]), triplets: [{ layer: 0 }], parameterization: 'per-unit' })).toThrow(/homogeneous/);
    expect(() => createMachine({ layers: v([4]), triplets: [{ layer: 0 }, { layer: 0, states: 'all' }] })).toThrow(/spec.triplets\[1\].states couples the triple \(1, 1, 1\)/);
    expect(() => createMachine({ layers: v([4]), triplets: [{ layer: 0, states: [['A', 'C', 'A']] }] })).toThrow(/spec.triplets\[0\].states\[0\]\[1\]/);
    expect(() => createMachine({ layers: v([4]), triplets: [{ layer: 0, states: [['A', 'B']] as never }] })).toThrow(/must be a triple/);
    expect(() => createMachine({ layers: v([4]), triplets: [{ layer: 0, states: 'some' as never }] })).toThrow(/spec.triplets\[0\].states/);
    expect(() => createMachine({ layers: v([4]), triplets: {} as never })).toThrow(/spec.triplets must be an array/);
  });
});

describe('triplet couplings: statistics', () => {
  it('counts every ordered triple of consecutive sites on hand-built rings (periodic wrap)', () => {
    const m = ring(6, ['A', 'B']);
    // A A A 0 A A (periodic): triples (0,1,2) AAA, (4,5,0) AAA, (5,0,1) AAA; the others contain the empty site 3.
    const T = sufficientStatistics(m, Uint8Array.of(1, 1, 1, 0, 1, 1));
    expect(T[m.parameters.index('kAAA')]).toBe(3);
    expect(Array.from(T.slice(7))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // A B B A B 0: (0,1,2) ABB, (1,2,3) BBA, (2,3,4) BAB, (3,4,5) -, (4,5,0) -, (5,0,1) -.
    const U = sufficientStatistics(m, Uint8Array.of(1, 2, 2, 1, 2, 0));
    const k = (name: string) => U[m.parameters.index(name)];
    expect([k('kABB'), k('kBBA'), k('kBAB')]).toEqual([1, 1, 1]);
    expect(k('kAAA') + k('kAAB') + k('kABA') + k('kBAA') + k('kBBB')).toBe(0);
    // NN pairs of the same ring (lateral offset +1): AB, BB, BA, AB
    expect([k('nAB'), k('nBB'), k('nBA'), k('nAA')]).toEqual([2, 1, 1, 0]);
    // 'same' triples on a ring of 3 with all sites A: three (cyclic) triples
    const r3 = createMachine({ layers: [{ name: 'v', shape: [3], states: ['A'] }], triplets: [{ layer: 0 }] });
    expect(Array.from(sufficientStatistics(r3, Uint8Array.of(1, 1, 1)))).toEqual([3, 3]);
  });

  it('statistics from one-hot probabilities equal those from states; raw and centered energies differ by a constant', () => {
    const m = ring(7, ['A', 'B']);
    const rng = createRng(3);
    const states = createChains(m, 20);
    randomizeChains(m, states, rng);
    const probs = createProbabilities(m, 20);
    statesToProbabilities(m, states, probs);
    expect(Array.from(sufficientStatisticsFromProbabilities(m, probs))).toEqual(Array.from(sufficientStatistics(m, states)));
    const theta = randomParams(m, 4, 1);
    const centers = createCenters(m, 0.3);
    const raw = energies(m, theta, states);
    const centered = centeredEnergies(m, toCenteredParameters(m, theta, centers), centers, states);
    for (let c = 1; c < 20; c++) expect(raw[c] - centered[c]).toBeCloseTo(raw[0] - centered[0], 10);
  });

  it('exactMoments: log Z of a 3-site ring with h, J and K by hand', () => {
    const m = createMachine({
      layers: [{ name: 'v', shape: [3], states: ['A'] }],
      connections: [{ lower: 0, upper: 0, field: [[1]], couplings: 'all', weightPrefix: 'n' }],
      triplets: [{ layer: 0 }],
    });
    const [h, J, K] = [0.3, -0.7, 1.1];
    const theta = createParameters(m, { hA: h, nAA: J, kAAA: K });
    // occupied sites n = 0..3 (3 configurations each for n = 1, 2); a ring of 3 has 3 bonds and 3 triples:
    // n = 2 has one bond, n = 3 three bonds and three triples.
    const Z = 1 + 3 * Math.exp(h) + 3 * Math.exp(2 * h + J) + Math.exp(3 * h + 3 * J + 3 * K);
    expect(exactMoments(m, theta).logZ).toBeCloseTo(Math.log(Z), 12);
  });
});

describe('triplet couplings: Gibbs sampling against exact enumeration', () => {
  it('visible ring of 7 sites, two species, every NN pair and every ordered triple (3^7 states)', () => {
    const m = ring(7, ['A', 'B']);
    const z = zScores(m, randomParams(m, 21, 1.2), 4000, 40, 22);
    expect(z).toHaveLength(14);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('triplets next to a hidden layer (block Gibbs with an in-place visible scan), 2^16 states', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [8], states: ['A'] },
        { name: 'h', shape: [8], states: ['A1'] },
      ],
      connections: [{ lower: 0, upper: 1, field: '2x2' }],
      triplets: [{ layer: 0 }],
    });
    const theta = createParameters(m, { hA: -0.6, bA1: -0.4, wAA1: 0.9, kAAA: 1.5 });
    const z = zScores(m, theta, 4000, 40, 23);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(Z_MAX);
  });

  it('the mean-field activation with one-hot probabilities equals the Gibbs activation', () => {
    const n = 6;
    const k = 2;
    const rng = createRng(5);
    const tri = Float64Array.from({ length: (k + 1) ** 3 }, (_, i) => {
      const a = Math.floor(i / 9);
      const b = Math.floor(i / 3) % 3;
      const c = i % 3;
      return a * b * c === 0 ? 0 : 2 * rng.nextFloat64() - 1;
    });
    for (let trial = 0; trial < 20; trial++) {
      const states = Uint8Array.from({ length: n }, () => Math.floor(rng.nextFloat64() * 3));
      const probs = new Float64Array(n * k);
      for (let i = 0; i < n; i++) if (states[i] > 0) probs[i * k + states[i] - 1] = 1;
      for (let u = 0; u < n; u++) {
        const g = new Float64Array(k);
        const f = new Float64Array(k);
        addTripletActivations(states, 0, u, n, k, tri, g);
        addTripletMeanField(probs, 0, u, n, k, tri, f);
        for (let t = 0; t < k; t++) expect(f[t]).toBeCloseTo(g[t], 12);
      }
    }
  });
});
