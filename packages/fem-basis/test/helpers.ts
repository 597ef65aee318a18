import fc from 'fast-check';
import type { ElementKind, FeFunction } from '../src/index.ts';
import { createFunction } from '../src/index.ts';

/** Small deterministic generator for test data (seeded by fast-check). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A grid description drawn by fast-check: dimension, spacings, origins. */
export interface GridCase {
  dims: number;
  spacing: number[];
  origin: number[];
}

export const gridCase = (minDims: number, maxDims: number): fc.Arbitrary<GridCase> =>
  fc.integer({ min: minDims, max: maxDims }).chain((dims) =>
    fc.record({
      dims: fc.constant(dims),
      spacing: fc.array(fc.double({ min: 0.05, max: 3, noNaN: true }), { minLength: dims, maxLength: dims }),
      origin: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: dims, maxLength: dims }),
    }),
  );

/** Per dimension a node index in [-6, 5] and a fraction that is exactly 0 (on a node) a quarter of the time. */
export const pointOffsets = (dims: number): fc.Arbitrary<number[]> =>
  fc.array(
    fc.tuple(fc.integer({ min: -6, max: 5 }), fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.999, noNaN: true }))),
    { minLength: dims, maxLength: dims },
  ).map((a) => a.map(([n, f]) => n + f));

export function pointFrom(g: GridCase, offsets: number[]): number[] {
  return offsets.map((u, k) => g.origin[k] + u * g.spacing[k]);
}

export function make(g: GridCase, element: ElementKind = 'q3c1'): FeFunction {
  return createFunction({ spacing: g.spacing, origin: g.origin, element });
}

/** A cubic per coordinate: coefficients a0..a3. */
export type Cubic = [number, number, number, number];

export function cubic(a: Cubic, x: number, deriv: number): number {
  if (deriv === 0) return a[0] + x * (a[1] + x * (a[2] + x * a[3]));
  return a[1] + x * (2 * a[2] + x * 3 * a[3]);
}

export function cubicBound(a: Cubic, x: number): number {
  const ax = Math.abs(x) + 1;
  return Math.abs(a[0]) + ax * (Math.abs(a[1]) + ax * (Math.abs(a[2]) + ax * Math.abs(a[3])));
}

/** Sets random coefficients in [-1, 1] on every vertex of the index box [lo, hi]. */
export function randomCoefficients(fn: FeFunction, lo: number[], hi: number[], seed: number): void {
  const r = lcg(seed);
  fn.setFromDerivatives(lo, hi, (_x, out) => {
    for (let t = 0; t < out.length; t++) out[t] = 2 * r() - 1;
  });
}
