import { describe, expect, it } from 'vitest';
import { createFunction, fitLeastSquares } from '../src/index.ts';
import { lcg } from './helpers.ts';

function samples(n: number, d: number, f: (x: Float64Array) => number, seed: number, lo = 0, hi = 1) {
  const r = lcg(seed);
  const pts = new Float64Array(n * d).map(() => lo + (hi - lo) * r());
  const ys = new Float64Array(n).map((_, i) => f(pts.subarray(i * d, i * d + d)));
  return { pts, ys };
}

describe('fitLeastSquares', () => {
  it('recovers a polynomial of degree <= 3 per coordinate exactly from enough samples', () => {
    const f = (x: ArrayLike<number>) => (1 - 2 * x[0] + x[0] ** 3) * (0.5 + x[1] - 2 * x[1] ** 2);
    const fn = createFunction({ spacing: [0.5, 0.5], origin: [-0.1, 0.2] });
    const { pts, ys } = samples(600, 2, f, 11, -0.6, 1.1);
    const res = fitLeastSquares(fn, pts, ys, { tolerance: 1e-14, maxIterations: 5000 });
    expect(res.converged).toBe(true);
    expect(res.rmse).toBeLessThan(1e-9);
    expect(Math.abs(fn.value([0.33, 0.44]) - f([0.33, 0.44]))).toBeLessThan(1e-8);
    expect(res.unknowns).toBe(res.vertices * 4);
  });

  it('fits a Q1 function and honours sample weights', () => {
    const fn = createFunction({ spacing: [1], element: 'q1' });
    // two contradicting samples at the same point: the weighted mean wins
    const res = fitLeastSquares(fn, [0.5, 0.5], [0, 1], { sampleWeights: [1, 3] });
    expect(fn.value([0.5])).toBeCloseTo(0.75, 10);
    expect(res.converged).toBe(true);
  });

  it('regularisation shrinks, smoothness flattens, frozen coefficients stay', () => {
    const f = (x: ArrayLike<number>) => Math.sin(6 * x[0]) * Math.cos(5 * x[1]);
    const { pts, ys } = samples(300, 2, f, 5);
    const plain = createFunction({ spacing: [0.2, 0.2] });
    const ridge = createFunction({ spacing: [0.2, 0.2] });
    const smooth = createFunction({ spacing: [0.2, 0.2] });
    const rPlain = fitLeastSquares(plain, pts, ys, { regularization: 1e-9 });
    fitLeastSquares(ridge, pts, ys, { regularization: 10 });
    fitLeastSquares(smooth, pts, ys, { regularization: 1e-9, smoothness: 100 });
    const norm = (fn: typeof plain) => fn.store.coeffs.reduce((s, c) => s + c * c, 0);
    expect(norm(ridge)).toBeLessThan(norm(plain));
    const rough = (fn: typeof plain) => {
      let s = 0;
      fn.store.forEach((v, c) => {
        const nb = fn.store.get([v[0] + 1, v[1]]);
        if (fn.store.has([v[0] + 1, v[1]])) for (let t = 0; t < 4; t++) s += (c[t] - nb[t]) ** 2;
      });
      return s;
    };
    expect(rough(smooth)).toBeLessThan(rough(plain));
    expect(rPlain.rmse).toBeLessThan(0.02);

    const frozen = createFunction({ spacing: [0.2, 0.2] });
    frozen.store.set([1, 1], [7, 7, 7, 7]);
    frozen.store.fix([1, 1]);
    fitLeastSquares(frozen, pts, ys, { regularization: 1e-9 });
    expect(Array.from(frozen.store.get([1, 1]))).toEqual([7, 7, 7, 7]);
  });

  it('validates its arguments', () => {
    const fn = createFunction({ spacing: [0.5, 0.5] });
    expect(() => fitLeastSquares(fn, [0, 0, 1], [1])).toThrow(/points/);
    expect(() => fitLeastSquares(fn, [0, 0], [Number.NaN])).toThrow(/values\[0\]/);
    expect(() => fitLeastSquares(fn, [0, 0], [1], { regularization: -1 })).toThrow(RangeError);
    expect(() => fitLeastSquares(fn, [0, 0], [1], { sampleWeights: [-1] })).toThrow(/sampleWeights\[0\]/);
    expect(() => fitLeastSquares({} as typeof fn, [0, 0], [1])).toThrow(TypeError);
  });
});
