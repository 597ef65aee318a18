import { createRng, type Rng } from '@srn/gillespie';
import { describe, expect, it } from 'vitest';
import { ensembleMean, findSimulatedPeaks, noiseFloor, scorePrediction, scorePredictions } from '../src/baselines/index.ts';

const gaussian = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng.nextFloat64())) * Math.cos(2 * Math.PI * rng.nextFloat64());

/** One run: a damped oscillation around 100 plus AR(1) noise (correlated in time like a simulated count). */
function run(rng: Rng, T: number): { X: Float64Array } {
  const X = new Float64Array(T);
  let e = 0;
  for (let t = 0; t < T; t++) {
    e = 0.9 * e + Math.sqrt(1 - 0.81) * 10 * gaussian(rng);
    X[t] = 100 + 40 * Math.exp(-t / 60) * Math.sin(t / 10) + e;
  }
  return { X };
}

describe('scorePrediction', () => {
  it('computes RMSE, the relative errors and the peak ratios by their definitions', () => {
    const s = scorePrediction(Float64Array.of(1, 2, 0, 4), Float64Array.of(1, 3, 1, 2), Float64Array.of(0, 10, 20, 30));
    expect(s.rmse).toBeCloseTo(Math.sqrt((0 + 1 + 1 + 4) / 4), 14);
    expect(s.meanRelError).toBeCloseTo((0 + 0.5 + 0.5) / 3, 14);
    expect(s.maxRelError).toBe(0.5);
    expect(s.maxRelErrorTime).toBe(10);
    expect(s.zeroPoints).toBe(1);
    const sine = Float64Array.from({ length: 100 }, (_, t) => 2 + Math.sin(t / 10));
    expect(findSimulatedPeaks(sine)).toEqual([16, 79]);
    const peaks = scorePrediction(sine, sine.map((v) => 2 * v)).peaks;
    expect(peaks.map((p) => p.ratio)).toEqual([2, 2]);
    const all = scorePredictions({ X: [1, 2], Y: [1, 1] }, { X: [1, 2.5] });
    expect(all.X?.meanRelError).toBe(0.125);
    expect(all.Y).toBeNull();
  });

  it('rejects bad input naming the argument', () => {
    expect(() => scorePrediction([1, 2], [1])).toThrow(/same length/);
    expect(() => scorePrediction([1, Number.NaN], [1, 1])).toThrow(/sim\[1\]/);
    expect(() => scorePrediction([1, 2], [1, 2], [0])).toThrow(/times/);
    expect(() => scorePredictions({ X: [1] }, {}, undefined, ['Y'])).toThrow(/'Y'/);
    expect(() => scorePredictions({ X: [1, 2] }, { X: [1] })).toThrow(/moment 'X': sim and pred/);
    expect(() => ensembleMean([{ X: [1, 2] }, { X: [1] }])).toThrow(/runs\[1\]\.X/);
  });
});

describe('noise floor', () => {
  it('two ensembles of n runs from one distribution: the floor shrinks like 1/√n (slope −1/2 on n = 25, 100, 400)', () => {
    // Both means carry independent errors of SD σ_t/√n, so the expected mean relative error and RMSE of one
    // against the other are c/√n exactly (Gaussian noise; the 1/sim weighting adds an O(1/n) bias, < 0.1 % here).
    // For each n we average R = 30 independent pairs of ensembles, fit log(error) on log(n) by least squares and
    // derive the slope's SD from the replicate spread: Var(log ē_n) ≈ (SD_n/ē_n)²/R, Var(slope) =
    // Σ (x_n − x̄)² Var(log ē_n) / (Σ (x_n − x̄)²)². |slope + 1/2| < 4 SD: false alarms < 1e-4.
    const T = 200;
    const R = 30;
    const ns = [25, 100, 400];
    const rng = createRng(2026);
    for (const metric of ['meanRelError', 'rmse'] as const) {
      const y: number[] = [];
      const v: number[] = [];
      for (const n of ns) {
        const errors: number[] = [];
        for (let r = 0; r < R; r++) {
          const a = ensembleMean(Array.from({ length: n }, () => run(rng, T)));
          const b = ensembleMean(Array.from({ length: n }, () => run(rng, T)));
          errors.push(noiseFloor(a, b).X![metric]);
        }
        const mean = errors.reduce((s, e) => s + e, 0) / R;
        const sd = Math.sqrt(errors.reduce((s, e) => s + (e - mean) ** 2, 0) / (R - 1));
        y.push(Math.log(mean));
        v.push((sd / mean) ** 2 / R);
      }
      const x = ns.map(Math.log);
      const xbar = x.reduce((s, e) => s + e, 0) / 3;
      const ybar = y.reduce((s, e) => s + e, 0) / 3;
      const sxx = x.reduce((s, e) => s + (e - xbar) ** 2, 0);
      const slope = x.reduce((s, e, i) => s + (e - xbar) * (y[i]! - ybar), 0) / sxx;
      const sdSlope = Math.sqrt(x.reduce((s, e, i) => s + (e - xbar) ** 2 * v[i]!, 0)) / sxx;
      expect(Math.abs(slope + 0.5), `${metric}: slope ${slope} ± ${sdSlope}`).toBeLessThan(4 * sdSlope);
      // the test can fail: the spread is small against the slope
      expect(sdSlope).toBeLessThan(0.05);
    }
  });
});
