/**
 * Point location on a rectilinear grid (no validation, no allocation).
 * @module
 */

/**
 * Writes the lower-corner cell index `floor((x − origin)/spacing)` and the fraction in `[0, 1)` for every dimension.
 * Reads `x[xOff..xOff+dims)`.
 * @example
 * const cell = new Int32Array(1); const frac = new Float64Array(1);
 * locate(1, [0.25], 0, new Float64Array([0]), new Float64Array([0.1]), cell, frac); // cell [2], frac [0.5]
 */
export function locate(
  dims: number,
  x: ArrayLike<number>,
  xOff: number,
  origin: Float64Array,
  spacing: Float64Array,
  cell: Int32Array,
  frac: Float64Array,
): void {
  for (let k = 0; k < dims; k++) {
    const u = (x[xOff + k] - origin[k]) / spacing[k];
    const i = Math.floor(u);
    cell[k] = i;
    frac[k] = u - i;
  }
}

/**
 * Writes the `2^dims` corner vertex index tuples of the cell with lower corner `cell` into `out` (corner `c` at
 * `out[c·dims..]`); bit `dims−1−k` of `c` is the offset in dimension k (dimension 0 most significant).
 * @example
 * const out = new Int32Array(4); cornerTuples(1, new Int32Array([-3]), out); // [-3, -2]
 */
export function cornerTuples(dims: number, cell: Int32Array, out: Int32Array): void {
  const corners = 1 << dims;
  for (let c = 0; c < corners; c++) {
    const base = c * dims;
    for (let k = 0; k < dims; k++) out[base + k] = cell[k] + ((c >> (dims - 1 - k)) & 1);
  }
}
