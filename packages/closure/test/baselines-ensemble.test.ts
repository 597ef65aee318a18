import { lotkaVolterraLattice, runLatticeReplicates, summarizeLatticeEnsemble } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { meanFieldLotkaVolterra, pairApproximationLotkaVolterra } from '../src/baselines/index.ts';

// A short `exact`-scheme ensemble (400 runs of the paper's 40 × 40 LV, t = 0 … 2 in steps of 0.25; ~0.2 s).
// z = (prediction − ensemble mean) / (sample SD / √runs). The baselines are deterministic approximations, so
// agreement can only be expected early, while the lattice is still close to the uncorrelated random placement:
// the pair approximation's first derivative is exact for a product state, and it tracks the counts and NN pairs
// for the first time units. Threshold |z| < 3.5 over ~30 comparisons: a false alarm rate of ~1 % if the
// approximation were exact, with a fixed seed so the test is deterministic.
describe('baselines against a short exact-scheme ensemble', () => {
  const runs = 400;
  const config = lotkaVolterraLattice({ scheme: 'exact', dt: 0.25, steps: 9 });
  const summary = summarizeLatticeEnsemble(config, runLatticeReplicates(config, { seed: 20_250_107, start: 0, end: runs }));
  const times = summary.times;
  const mf = meanFieldLotkaVolterra({}, times);
  const pa = pairApproximationLotkaVolterra({}, times);
  const z = (pred: Float64Array, column: string, k: number): number => {
    const c = summary.names.indexOf(column);
    return (pred[k]! - summary.mean[c]![k]!) / (summary.sd[c]![k]! / Math.sqrt(summary.runsUsed));
  };

  it('pair approximation: counts agree up to t = 2, NN pair counts up to t = 1', () => {
    for (let k = 1; k < times.length; k++) {
      for (const column of ['X', 'Y'] as const) expect(Math.abs(z(pa.mean[column], column, k))).toBeLessThan(3.5);
      if (times[k]! <= 1) {
        for (const column of ['NN_XX', 'NN_XY', 'NN_YY'] as const) {
          expect(Math.abs(z(pa.mean[column], column, k))).toBeLessThan(3.5);
        }
      }
    }
  });

  it('mean field: counts agree for t ≤ 0.5, but it misses the contact depletion the ensemble resolves', () => {
    // counts: only for the first half time unit (at t = 1 the prey count is already off by |z| ≈ 5 with this seed)
    for (let k = 1; k <= 2; k++) {
      for (const column of ['X', 'Y'] as const) expect(Math.abs(z(mf.mean[column], column, k))).toBeLessThan(3.5);
    }
    const k1 = 4; // t = 1
    expect(times[k1]).toBe(1);
    // the pair approximation is closer on the counts ...
    for (const column of ['X', 'Y'] as const) {
      expect(Math.abs(z(pa.mean[column], column, k1))).toBeLessThan(Math.abs(z(mf.mean[column], column, k1)));
    }
    // ... and mean field is far off on the NN pairs
    expect(z(mf.mean.NN_XY, 'NN_XY', k1)).toBeGreaterThan(5); // too many X–Y contacts
    expect(z(mf.mean.NN_YY, 'NN_YY', k1)).toBeLessThan(-5); // too few Y–Y contacts
  });
});
