/**
 * The two elements offered: tensor-product cubic Hermite (Q3 C1) and multilinear (Q1).
 * @module
 */
import { hermiteDerivatives, hermiteValues, linearDerivatives, linearValues } from './kernels/basis1d.ts';
import { show } from './validate.ts';

/**
 * Element name: `'q3c1'` (cubic Hermite, value and first-derivative dofs per dimension, C1) or `'q1'`
 * (multilinear, one value dof per vertex, C0).
 * @example
 * const kind: ElementKind = 'q3c1';
 */
export type ElementKind = 'q3c1' | 'q1';

/**
 * Static description of an element.
 * @example
 * const e: ElementInfo = elementInfo('q3c1'); // { kind: 'q3c1', dofsPerDimension: 2, continuity: 1, degree: 3 }
 */
export interface ElementInfo {
  /** Element name. */
  readonly kind: ElementKind;
  /** Degrees of freedom per vertex and dimension: 2 (VAL, DER) for Q3 C1, 1 (VAL) for Q1. */
  readonly dofsPerDimension: 1 | 2;
  /** Polynomial degree per coordinate. */
  readonly degree: 1 | 3;
  /** Smoothness across cell faces: 1 = C1, 0 = C0. */
  readonly continuity: 0 | 1;
}

const INFO: Record<ElementKind, ElementInfo> = {
  q3c1: Object.freeze({ kind: 'q3c1', dofsPerDimension: 2, degree: 3, continuity: 1 }),
  q1: Object.freeze({ kind: 'q1', dofsPerDimension: 1, degree: 1, continuity: 0 }),
};

/**
 * Returns the description of an element, validating the name.
 * @example
 * elementInfo('q1').dofsPerDimension; // 1
 */
export function elementInfo(kind: ElementKind): ElementInfo {
  if (kind !== 'q3c1' && kind !== 'q1') throw new RangeError(`element must be 'q3c1' or 'q1' (got ${show(kind)})`);
  return INFO[kind];
}

/**
 * Number of coefficients per vertex of an element in `dims` dimensions (`2^dims` for Q3 C1, 1 for Q1).
 * @example
 * coefficientsPerVertex('q3c1', 6); // 64
 */
export function coefficientsPerVertex(kind: ElementKind, dims: number): number {
  return elementInfo(kind).dofsPerDimension === 2 ? 2 ** dims : 1;
}

/**
 * The one-dimensional shape functions at a fraction `f ∈ [0, 1]`, as `[left, right]` pairs per dof type: Q3 C1
 * gives `[h0V, h0D, h1V, h1D]` (VAL before DER, left vertex first), Q1 gives `[1 − f, f]`. With
 * `derivative: true` the d/df values are returned.
 * @example
 * shapeFunctions1d('q3c1', 0.5); // Float64Array [0.5, 0.125, 0.5, -0.125]
 */
export function shapeFunctions1d(kind: ElementKind, f: number, derivative = false): Float64Array {
  const info = elementInfo(kind);
  if (typeof f !== 'number' || !(f >= 0 && f <= 1)) throw new RangeError(`f must be a number in [0, 1] (got ${show(f)})`);
  const out = new Float64Array(2 * info.dofsPerDimension);
  if (info.dofsPerDimension === 2) (derivative ? hermiteDerivatives : hermiteValues)(f, out, 0);
  else (derivative ? linearDerivatives : linearValues)(f, out, 0);
  return out;
}
