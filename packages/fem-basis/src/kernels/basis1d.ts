/**
 * One-dimensional shape functions on the unit interval, written into flat tables (no validation, no allocation).
 *
 * Table layout per dimension k: `L = 2·D` entries starting at `k·L`, entry `r = b·D + τ` with local vertex
 * `b ∈ {0, 1}` and degree-of-freedom type `τ` (0 = VAL, 1 = DER; only VAL when `D = 1`).
 * Q3 (cubic Hermite, D = 2): `[h0V, h0D, h1V, h1D]`; Q1 (linear, D = 1): `[1 − f, f]`.
 * @module
 */

/**
 * Writes the cubic Hermite shape functions at fraction `f` into `out[off..off+4)` as `[h0V, h0D, h1V, h1D]`.
 * @example
 * const t = new Float64Array(4); hermiteValues(0.5, t, 0); // [0.5, 0.125, 0.5, -0.125]
 */
export function hermiteValues(f: number, out: Float64Array, off: number): void {
  const f2 = f * f;
  const f3 = f2 * f;
  out[off] = 1 - 3 * f2 + 2 * f3;
  out[off + 1] = f - 2 * f2 + f3;
  out[off + 2] = 3 * f2 - 2 * f3;
  out[off + 3] = f3 - f2;
}

/**
 * Writes d/df of the cubic Hermite shape functions at `f` into `out[off..off+4)` (same order as {@link hermiteValues}).
 * @example
 * const t = new Float64Array(4); hermiteDerivatives(0, t, 0); // [0, 1, 0, 0]
 */
export function hermiteDerivatives(f: number, out: Float64Array, off: number): void {
  const f2 = f * f;
  out[off] = -6 * f + 6 * f2;
  out[off + 1] = 1 - 4 * f + 3 * f2;
  out[off + 2] = 6 * f - 6 * f2;
  out[off + 3] = 3 * f2 - 2 * f;
}

/**
 * Writes the linear shape functions `[1 − f, f]` into `out[off..off+2)`.
 * @example
 * const t = new Float64Array(2); linearValues(0.25, t, 0); // [0.75, 0.25]
 */
export function linearValues(f: number, out: Float64Array, off: number): void {
  out[off] = 1 - f;
  out[off + 1] = f;
}

/**
 * Writes d/df of the linear shape functions, `[−1, 1]`, into `out[off..off+2)`.
 * @example
 * const t = new Float64Array(2); linearDerivatives(0.25, t, 0); // [-1, 1]
 */
export function linearDerivatives(_f: number, out: Float64Array, off: number): void {
  out[off] = -1;
  out[off + 1] = 1;
}

/**
 * Fills the value table `h` (and, if `g` is given, the d/df table) for all `dims` dimensions from the fractions.
 * `dofs` is 2 for Q3 C1 and 1 for Q1.
 * @example
 * const h = new Float64Array(8); fillTables(2, 2, new Float64Array([0, 1]), h, null);
 */
export function fillTables(
  dims: number,
  dofs: number,
  frac: Float64Array,
  h: Float64Array,
  g: Float64Array | null,
): void {
  if (dofs === 2) {
    for (let k = 0; k < dims; k++) {
      hermiteValues(frac[k], h, 4 * k);
      if (g !== null) hermiteDerivatives(frac[k], g, 4 * k);
    }
  } else {
    for (let k = 0; k < dims; k++) {
      linearValues(frac[k], h, 2 * k);
      if (g !== null) linearDerivatives(frac[k], g, 2 * k);
    }
  }
}
