import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createFunction, shapeFunctions1d } from '../src/index.ts';
import { type Cubic, cubic, cubicBound, gridCase, lcg, make, pointFrom, pointOffsets, randomCoefficients } from './helpers.ts';

const cubicArb = fc.tuple(
  fc.double({ min: -1, max: 1, noNaN: true }),
  fc.double({ min: -1, max: 1, noNaN: true }),
  fc.double({ min: -1, max: 1, noNaN: true }),
  fc.double({ min: -1, max: 1, noNaN: true }),
) as fc.Arbitrary<Cubic>;

describe('one-dimensional shape functions', () => {
  it('are the cubic Hermite basis (Kronecker properties at the end points)', () => {
    expect(Array.from(shapeFunctions1d('q3c1', 0))).toEqual([1, 0, 0, 0]);
    expect(Array.from(shapeFunctions1d('q3c1', 1))).toEqual([0, 0, 1, 0]);
    expect(Array.from(shapeFunctions1d('q3c1', 0, true))).toEqual([0, 1, 0, 0]);
    expect(Array.from(shapeFunctions1d('q3c1', 1, true))).toEqual([0, 0, 0, 1]);
    expect(Array.from(shapeFunctions1d('q3c1', 0.5))).toEqual([0.5, 0.125, 0.5, -0.125]);
    expect(Array.from(shapeFunctions1d('q1', 0.25))).toEqual([0.75, 0.25]);
  });
});

describe('basis weights', () => {
  test.prop([gridCase(1, 8), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom('q3c1' as const, 'q1' as const)], {
    numRuns: 40,
  })('value basis is a partition of unity; layout of vertices and weights', (g, seed, element) => {
    const fn = make(g, element);
    const r = lcg(seed);
    const x = pointFrom(g, g.origin.map(() => Math.floor(12 * r()) - 6 + (r() < 0.25 ? 0 : r())));
    const { vertices, weights } = fn.createBasisBuffers();
    expect(fn.basisAt(x, vertices, weights)).toBe(0);
    const { cell } = fn.grid.locate(x);
    const d = g.dims;
    const m = fn.coefficientsPerVertex;
    let sum = 0;
    for (let c = 0; c < fn.corners; c++) {
      sum += weights[c * m]; // τ = 0: VAL in every dimension
      for (let k = 0; k < d; k++) expect(vertices[c * d + k]).toBe(cell[k] + ((c >> (d - 1 - k)) & 1));
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    expect(fn.store.size).toBe(0); // evaluation never allocates vertices
  });

  it('orders coefficients VAL before DER with dimension 0 outermost', () => {
    const fn = createFunction({ spacing: [0.5, 0.25] });
    fn.store.set([0, 0], [0, 1, 0, 0]); // τ = (VAL, DER): fractional ∂/∂f1 at vertex (0, 0)
    expect(fn.derivative([0, 0], 1)).toBeCloseTo(1 / 0.25, 12);
    expect(fn.derivative([0, 0], 1, { units: 'fractional' })).toBeCloseTo(1, 12);
    expect(fn.derivative([0, 0], 0)).toBe(0);
    fn.store.set([0, 0], [0, 0, 1, 0]); // τ = (DER, VAL)
    expect(fn.derivative([0, 0], 0)).toBeCloseTo(1 / 0.5, 12);
    fn.store.set([0, 0], [0, 0, 0, 1]); // mixed: ∂²F/∂x0∂x1 = 1/(Δ0Δ1)
    const h = 1e-4;
    const mixed = (fn.derivative([h, 0], 1) - fn.derivative([0, 0], 1)) / h;
    expect(mixed).toBeCloseTo(1 / (0.5 * 0.25), 2);
  });
});

describe('polynomial reproduction', () => {
  test.prop([gridCase(1, 8), cubicArb, cubicArb, fc.integer({ min: 0, max: 1e9 })], { numRuns: 40 })(
    'Q3 C1 reproduces Π p_k(x_k) + Π q_k(x_k) (degree <= 3 per coordinate) to round-off, values and gradients',
    (g, a, b, seed) => {
      const d = g.dims;
      const r = lcg(seed);
      // per-dimension cubics derived from the two drawn ones (shifted/scaled so that dimensions differ)
      const P = Array.from({ length: d }, (_, k) => a.map((v, j) => v * (1 + ((k + j) % 3) * 0.5)) as Cubic);
      const Q = Array.from({ length: d }, (_, k) => b.map((v, j) => v * (1 - ((k * j) % 2) * 0.5)) as Cubic);
      const fn = make(g);
      const x = pointFrom(g, g.origin.map(() => Math.floor(12 * r()) - 6 + (r() < 0.3 ? 0 : r())));
      const { cell } = fn.grid.locate(x);
      const hi = Array.from(cell, (c) => c + 1);
      fn.setFromDerivatives(Array.from(cell), hi, (y, out) => {
        for (let t = 0; t < out.length; t++) {
          let p = 1;
          let q = 1;
          for (let k = 0; k < d; k++) {
            const der = (t >> (d - 1 - k)) & 1;
            p *= cubic(P[k], y[k], der);
            q *= cubic(Q[k], y[k], der);
          }
          out[t] = p + q;
        }
      });
      let exact = 0;
      let scale = 0;
      {
        let p = 1;
        let q = 1;
        let sp = 1;
        let sq = 1;
        for (let k = 0; k < d; k++) {
          p *= cubic(P[k], x[k], 0);
          q *= cubic(Q[k], x[k], 0);
          sp *= cubicBound(P[k], x[k] + g.spacing[k]);
          sq *= cubicBound(Q[k], x[k] + g.spacing[k]);
        }
        exact = p + q;
        scale = sp + sq;
      }
      // The 1e-300 floor: with coefficients near zero fast-check draws subnormals, whose round-off (5e-324) exceeds a
      // purely relative tolerance of 0.
      expect(Math.abs(fn.value(x) - exact)).toBeLessThanOrEqual(1e-11 * scale + 1e-300);
      const grad = fn.gradient(x);
      const gradF = fn.gradient(x, undefined, { units: 'fractional' });
      for (let k = 0; k < d; k++) {
        let p = 1;
        let q = 1;
        for (let j = 0; j < d; j++) {
          p *= cubic(P[j], x[j], j === k ? 1 : 0);
          q *= cubic(Q[j], x[j], j === k ? 1 : 0);
        }
        const tol = (1e-10 * scale) / g.spacing[k] + 1e-300;
        expect(Math.abs(grad[k] - (p + q))).toBeLessThanOrEqual(tol);
        expect(Math.abs(gradF[k] - grad[k] * g.spacing[k])).toBeLessThanOrEqual(1e-12 * (Math.abs(gradF[k]) + 1e-300) + 1e-300);
      }
    },
  );

  test.prop([gridCase(1, 6), fc.integer({ min: 0, max: 1e9 })], { numRuns: 30 })(
    'Q1 reproduces multilinear functions from vertex values',
    (g, seed) => {
      const d = g.dims;
      const r = lcg(seed);
      const a = Array.from({ length: d }, () => [2 * r() - 1, 2 * r() - 1]);
      const f = (y: ArrayLike<number>) => {
        let p = 1;
        for (let k = 0; k < d; k++) p *= a[k][0] + a[k][1] * y[k];
        return p;
      };
      const fn = make(g, 'q1');
      const x = pointFrom(g, g.origin.map(() => Math.floor(12 * r()) - 6 + (r() < 0.3 ? 0 : r())));
      const { cell } = fn.grid.locate(x);
      fn.setFromDerivatives(Array.from(cell), Array.from(cell, (c) => c + 1), (y, out) => {
        out[0] = f(y);
      });
      let scale = 1;
      for (let k = 0; k < d; k++) scale *= Math.abs(a[k][0]) + Math.abs(a[k][1]) * (Math.abs(x[k]) + g.spacing[k]);
      expect(Math.abs(fn.value(x) - f(x))).toBeLessThanOrEqual(1e-12 * scale);
    },
  );
});

describe('continuity and derivatives', () => {
  test.prop([gridCase(1, 5), fc.integer({ min: 0, max: 1e9 }), fc.nat()], { numRuns: 40 })(
    'Q3 C1 value and gradient are continuous across cell faces',
    (g, seed, kk) => {
      const d = g.dims;
      const k = kk % d;
      const fn = make(g);
      const r = lcg(seed);
      const n = g.origin.map(() => Math.floor(10 * r()) - 5);
      randomCoefficients(fn, n.map((v) => v - 1), n.map((v) => v + 1), seed);
      // a point on the face x_k = node n_k, generic in the other coordinates
      const u = n.map((v, j) => (j === k ? v : v - 0.5 + 0.9 * r()));
      const x = pointFrom(g, u);
      const eps = 1e-7 * g.spacing[k];
      const lo = x.slice();
      const hi = x.slice();
      lo[k] -= eps;
      hi[k] += eps;
      expect(fn.grid.locate(lo).cell[k]).toBe(fn.grid.locate(hi).cell[k] - 1); // really two cells
      const gl = fn.gradient(lo);
      const gh = fn.gradient(hi);
      // |F'| <= ~ 2^d·6/Δ, |F''| <= ~ 2^d·6/Δ²: jumps must be O(eps) times those bounds
      const c1 = (2 ** d * 8) / Math.min(...g.spacing);
      expect(Math.abs(fn.value(lo) - fn.value(hi))).toBeLessThanOrEqual(3 * eps * c1);
      for (let j = 0; j < d; j++) {
        expect(Math.abs(gl[j] - gh[j])).toBeLessThanOrEqual((3 * eps * c1) / Math.min(...g.spacing) + 1e-9 * c1);
      }
    },
  );

  test.prop([gridCase(1, 5), fc.integer({ min: 0, max: 1e9 })], { numRuns: 30 })(
    'Q1 values are continuous across cell faces',
    (g, seed) => {
      const fn = make(g, 'q1');
      const r = lcg(seed);
      const n = g.origin.map(() => Math.floor(10 * r()) - 5);
      randomCoefficients(fn, n.map((v) => v - 1), n.map((v) => v + 1), seed);
      const x = pointFrom(g, n.map((v, j) => (j === 0 ? v : v - 0.5 + 0.9 * r())));
      const eps = 1e-9 * g.spacing[0];
      const lo = x.slice();
      const hi = x.slice();
      lo[0] -= eps;
      hi[0] += eps;
      expect(Math.abs(fn.value(lo) - fn.value(hi))).toBeLessThanOrEqual(1e-6);
    },
  );

  test.prop([gridCase(1, 6), pointOffsets(6), fc.integer({ min: 0, max: 1e9 }), fc.constantFrom('q3c1' as const, 'q1' as const)], {
    numRuns: 40,
  })('gradients with respect to x and to the coefficients agree with finite differences', (g, off, seed, element) => {
    const d = g.dims;
    const fn = make(g, element);
    // keep the point inside a cell (fractions in [0.1, 0.9]) so that central differences do not straddle Q1 kinks
    const u = off.slice(0, d).map((v) => Math.floor(v) + 0.1 + 0.8 * (v - Math.floor(v)));
    const x = pointFrom(g, u);
    const { cell } = fn.grid.locate(x);
    randomCoefficients(fn, Array.from(cell), Array.from(cell, (c) => c + 1), seed);
    const grad = fn.gradient(x);
    const hStep = 1e-6;
    for (let k = 0; k < d; k++) {
      const h = hStep * g.spacing[k];
      const xp = x.slice();
      const xm = x.slice();
      xp[k] += h;
      xm[k] -= h;
      const fd = (fn.value(xp) - fn.value(xm)) / (2 * h);
      expect(Math.abs(fd - grad[k])).toBeLessThanOrEqual((1e-5 * 2 ** d) / g.spacing[k]);
    }
    const { vertices, weights } = fn.createBasisBuffers();
    const v0 = fn.basisAt(x, vertices, weights);
    expect(Math.abs(v0 - fn.value(x))).toBeLessThanOrEqual(1e-12 * 4 ** d);
    const r = lcg(seed + 1);
    const m = fn.coefficientsPerVertex;
    for (let trial = 0; trial < 4; trial++) {
      const c = Math.floor(r() * fn.corners);
      const t = Math.floor(r() * m);
      const vertex = Array.from(vertices.subarray(c * d, c * d + d));
      const coeffs = fn.store.get(vertex);
      const delta = 0.5;
      coeffs[t] += delta;
      fn.store.set(vertex, coeffs);
      const v1 = fn.value(x);
      coeffs[t] -= delta;
      fn.store.set(vertex, coeffs);
      expect(Math.abs((v1 - v0) / delta - weights[c * m + t])).toBeLessThanOrEqual(1e-12 * 4 ** d);
    }
  });
});

describe('batched evaluation', () => {
  it('valueMany, gradientMany and basisMany agree with single-point calls', () => {
    const fn = createFunction({ spacing: [0.3, 0.7, 1.1], origin: [-1, 0.5, 2] });
    randomCoefficients(fn, [-6, -4, -4], [2, 2, 1], 7);
    const r = lcg(3);
    const n = 25;
    const pts = new Float64Array(3 * n).map((_, i) => -1.5 + 2 * r() + (i % 3));
    const vals = fn.valueMany(pts);
    const grads = fn.gradientMany(pts, undefined, { units: 'fractional' });
    const buf = fn.createBasisBuffers(n);
    const vals2 = fn.basisMany(pts, buf.vertices, buf.weights);
    const one = fn.createBasisBuffers();
    for (let i = 0; i < n; i++) {
      const x = pts.subarray(3 * i, 3 * i + 3);
      expect(vals[i]).toBe(fn.value(x));
      expect(Math.abs(vals2[i] - vals[i])).toBeLessThan(1e-12);
      expect(Array.from(grads.subarray(3 * i, 3 * i + 3))).toEqual(Array.from(fn.gradient(x, undefined, { units: 'fractional' })));
      fn.basisAt(x, one.vertices, one.weights);
      expect(Array.from(buf.weights.subarray(i * fn.weightsPerPoint, (i + 1) * fn.weightsPerPoint))).toEqual(Array.from(one.weights));
      expect(Array.from(buf.vertices.subarray(i * 24, (i + 1) * 24))).toEqual(Array.from(one.vertices));
    }
  });

  it('evaluates unknown vertices as zero without allocating them', () => {
    const fn = createFunction({ spacing: 0.1, dims: 6 });
    expect(fn.value([1e5, -1e5, 3, 4, 5, -6])).toBe(0);
    expect(Array.from(fn.gradient([1, 2, 3, 4, 5, 6]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(fn.store.size).toBe(0);
  });
});
