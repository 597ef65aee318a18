import { createRng } from '@srn/gillespie';
import { type BoltzmannParameters, createBoltzmannSampler, createLatticeGeometry, type LatticeGeometry } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { fitBoltzmannLattice } from '../src/baselines/index.ts';

/**
 * R independent data sets of M lattices each, sampled with `createBoltzmannSampler` (Gibbs, `sweeps` sweeps from a
 * random start; far more than the correlation time at these couplings), each fitted; returns the estimates per
 * parameter key.
 */
function repeatedFits(
  geometry: LatticeGeometry,
  species: string[],
  truth: BoltzmannParameters,
  R: number,
  M: number,
  sweeps: number,
  triplets: boolean,
  seed: number,
): Record<string, number[]> {
  const sampler = createBoltzmannSampler(geometry, species, truth);
  const out: Record<string, number[]> = {};
  for (let r = 0; r < R; r++) {
    const lattices = Array.from({ length: M }, (_, m) => sampler.sample(sweeps, createRng(seed, r * M + m)));
    const fit = fitBoltzmannLattice(geometry, species, lattices, { triplets });
    expect(fit.converged).toBe(true);
    for (const [group, values] of Object.entries(fit.params)) {
      for (const [key, value] of Object.entries(values as Record<string, number>)) (out[`${group}:${key}`] ??= []).push(value);
    }
  }
  return out;
}

/**
 * The estimator's spread is measured from the R repeated fits (sample SD s). Its mean over R fits then has
 * standard error s/√R, and (mean − truth)/(s/√R) follows a Student t with R − 1 degrees of freedom for an
 * unbiased, normal estimator (pseudo-likelihood is consistent and asymptotically normal). |t| < 5 with R = 8
 * fails by chance with probability 0.0016 per parameter. The spread itself must be small, s < maxSd = 0.15: the
 * measured spreads of these data sets are 0.03-0.07 (12 lattices of 1000 or 900 sites), and (R − 1)s²/σ² ~ χ²(7)
 * exceeds 7·(0.15/0.07)² = 32 with probability below 1e-4; a fit that ignored the data would spread by O(1).
 */
function expectRecovered(estimates: Record<string, number[]>, truth: BoltzmannParameters, maxSd: number): void {
  // the fit has exactly the parameters of the truth (no more, no fewer)
  const truthCount = Object.values(truth).reduce((n, v) => n + Object.keys(v).length, 0);
  expect(Object.keys(estimates).length).toBe(truthCount);
  for (const [group, values] of Object.entries(truth)) {
    for (const [key, value] of Object.entries(values as Record<string, number>)) {
      const xs = estimates[`${group}:${key}`]!;
      expect(xs).toBeDefined();
      const R = xs.length;
      const mean = xs.reduce((a, b) => a + b, 0) / R;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (R - 1));
      expect(sd).toBeLessThan(maxSd);
      expect(Math.abs(mean - value) / (sd / Math.sqrt(R))).toBeLessThan(5);
    }
  }
}

describe('fitBoltzmannLattice: θ(0) from t = 0 lattices', () => {
  it('independent sites: h_A = ln(n_A / n_0) exactly (pseudo-likelihood is the likelihood)', () => {
    const geometry = createLatticeGeometry([30, 30]);
    const sampler = createBoltzmannSampler(geometry, ['X', 'Y'], { h: { X: -1, Y: 0.4 }, J: {}, K: {} });
    const lattices = Array.from({ length: 3 }, (_, m) => sampler.sample(2, createRng(2, m)));
    const n = [0, 0, 0];
    for (const occ of lattices) for (const c of occ) n[c]!++;
    const fit = fitBoltzmannLattice(geometry, ['X', 'Y'], lattices, { couplings: false, tolerance: 1e-10 });
    expect(fit.converged).toBe(true);
    expect(fit.params.h.X).toBeCloseTo(Math.log(n[1]! / n[0]!), 6);
    expect(fit.params.h.Y).toBeCloseTo(Math.log(n[2]! / n[0]!), 6);
    expect(fit.params.J).toEqual({});
  });

  it('1-D, one species: recovers h, J and the triplet K', () => {
    const truth: BoltzmannParameters = { h: { A: 0.3 }, J: { 'A-A': -0.6 }, K: { 'A-A-A': 0.5 } };
    const estimates = repeatedFits(createLatticeGeometry([1000]), ['A'], truth, 8, 12, 200, true, 31);
    expectRecovered(estimates, truth, 0.15);
  });

  it('2-D, two species on a closed lattice: recovers h and every J', () => {
    const truth: BoltzmannParameters = { h: { X: -1, Y: -0.5 }, J: { 'X-X': 0.5, 'X-Y': -0.4, 'Y-Y': 0.3 }, K: {} };
    const estimates = repeatedFits(createLatticeGeometry([30, 30], 'closed'), ['X', 'Y'], truth, 8, 12, 150, false, 32);
    expectRecovered(estimates, truth, 0.15);
  });

  it('rejects bad input naming the argument', () => {
    const geometry = createLatticeGeometry([10]);
    const occ = new Uint8Array(10);
    expect(() => fitBoltzmannLattice({} as LatticeGeometry, ['A'], [occ])).toThrow(/geometry/);
    expect(() => fitBoltzmannLattice(geometry, [], [occ])).toThrow(/species/);
    expect(() => fitBoltzmannLattice(geometry, ['A'], [])).toThrow(/lattices/);
    expect(() => fitBoltzmannLattice(geometry, ['A'], [new Uint8Array(9)])).toThrow(/lattices\[0\]/);
    expect(() => fitBoltzmannLattice(geometry, ['A'], [Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 2)])).toThrow(/lattices\[0\]\[9\]/);
    expect(() => fitBoltzmannLattice(createLatticeGeometry([4, 4]), ['A'], [new Uint8Array(16)], { triplets: true })).toThrow(/options.triplets/);
    expect(() => fitBoltzmannLattice(geometry, ['A'], [occ], { iterations: 0 })).toThrow(/options.iterations/);
    expect(() => fitBoltzmannLattice(geometry, ['A'], [occ], { tolerance: -1 })).toThrow(/options.tolerance/);
  });
});
