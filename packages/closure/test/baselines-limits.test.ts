import { type LatticeConfig, lotkaVolterraLattice, runLatticeReplicates, summarizeLatticeEnsemble } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { type GeneratedBaseline, generateMeanField, generatePairApproximation } from '../src/baselines/index.ts';

const applies = (b: ReturnType<typeof generateMeanField>): GeneratedBaseline => {
  if (!b.applies) throw new Error(b.reason);
  return b;
};

/** z-scores of a baseline's prediction against an ensemble at the given times, per column. */
function zScores(config: LatticeConfig, runs: number, seed: number, baseline: GeneratedBaseline, at: number[], columns: string[]): number[][] {
  const summary = summarizeLatticeEnsemble(config, runLatticeReplicates(config, { seed, start: 0, end: runs }));
  const rows = at.map((t) => summary.times.findIndex((x) => Math.abs(x - t) < 1e-9));
  expect(rows.every((k) => k >= 0)).toBe(true);
  const times = Float64Array.from(rows, (k) => summary.times[k]!);
  const prediction = baseline.predict(Float64Array.of(0, ...times));
  return columns.map((name) => {
    const c = summary.names.indexOf(name);
    return rows.map((k, i) => (prediction.columns[name]![i + 1]! - summary.mean[c]![k]!) / (summary.sd[c]![k]! / Math.sqrt(summary.runsUsed)));
  });
}

describe('baselines where they must be exact (issue #16 item 6)', () => {
  it('mean field: the LV paper scheme with fast mixing (32 hop sweeps per unit time) agrees with the simulation', () => {
    // The operator-split scheme expresses fast mixing itself: one sweep per dt, so dt = 1/m gives m hop sweeps per
    // unit time; p = 0.4/m per hop attempt keeps the predation rate per X–Y pair at 2·p/(z·dt) = 0.2 (the paper's),
    // and the unimolecular reactions run on their own clock. As m → ∞ the lattice stays uncorrelated and the mean
    // field becomes exact up to O(1/N) demographic terms. 20 × 20 torus (25 X, 25 Y), t ≤ 10, 400 runs: z =
    // (MF − mean)/(SD/√runs), |z| < 4 over 15 comparisons. At m = 1 (the paper's scheme) the same comparison is off
    // by more than 6 standard errors, so the check can fail.
    const at = [2, 4, 6, 8, 10];
    const columns = ['X', 'Y', 'NN_XY'];
    const fast = lotkaVolterraLattice({ size: 20, dt: 1 / 32, predationProbability: 0.4 / 32, steps: 10 * 32 + 1 });
    const zFast = zScores(fast, 400, 16_001, applies(generateMeanField(fast)), at, columns);
    for (const [c, zs] of zFast.entries()) for (const z of zs) expect(Math.abs(z), `${columns[c]}: ${zs.map((v) => v.toFixed(2))}`).toBeLessThan(4);
    const slow = lotkaVolterraLattice({ size: 20, dt: 1 / 1, steps: 11 });
    const zSlow = zScores(slow, 400, 16_002, applies(generateMeanField(slow)), at, columns);
    expect(Math.max(...zSlow.flat().map(Math.abs))).toBeGreaterThan(6);
  });

  it('pair approximation: exact for irreversible neighbour growth on a 1-D ring (the Kirkwood closure holds), where mean field fails', () => {
    // A → A + A onto a free neighbour (k = 1, no hops) from independent sites (density 0.1). Only empty sites
    // change, and given that site i is still empty its left and right half-lines have evolved independently (each
    // side's growth into i is an independent clock, and nothing crosses an empty site), so every triplet the pair
    // equations need, (c, 0, b), factorises as P_c0·P_0b/ρ_0: the pair approximation is exact (up to the ring's
    // finite size, which does not matter before a gap closes around the whole ring). 1000 sites, 200 runs, counts
    // and NN pairs at 5 times: |z| < 4. Mean field ignores that a particle's neighbour is likelier to be occupied
    // and overestimates the growth by > 6 standard errors.
    const config: LatticeConfig = {
      model: { species: ['A'], reactions: [{ type: 'birth', parent: 'A', offspring: 'A', rate: 1, placement: 'neighbour' }] },
      shape: [1000],
      boundary: 'periodic',
      initial: { A: 100 },
      scheme: 'exact',
      dt: 0.5,
      steps: 9,
    };
    const at = [0.5, 1, 2, 3, 4];
    const zPair = zScores(config, 200, 16_003, applies(generatePairApproximation(config)), at, ['A', 'NN_AA']);
    for (const zs of zPair) for (const z of zs) expect(Math.abs(z), zs.map((v) => v.toFixed(2)).join(' ')).toBeLessThan(4);
    const zMean = zScores(config, 200, 16_003, applies(generateMeanField(config)), at, ['A', 'NN_AA']);
    expect(Math.max(...zMean[0]!)).toBeGreaterThan(6);
  });
});
