/**
 * Rectangular lattices in one, two or three dimensions with periodic or closed boundaries, and their precomputed
 * nearest-neighbour tables.
 *
 * Sites are numbered row-major: in 2-D with `shape = [rows, cols]` site `(i, j)` (0-based) has index `i * cols + j`.
 * Direction `2k` is a step of −1 along axis k and direction `2k + 1` a step of +1, so a site has `2 * shape.length`
 * directions. On closed boundaries a step off the lattice has neighbour −1.
 */

/** Boundary condition of a lattice: `periodic` wraps around, `closed` has no neighbour beyond the edge. */
export type LatticeBoundary = 'periodic' | 'closed';

/**
 * A rectangular lattice with its neighbour table. Build with {@link createLatticeGeometry}.
 *
 * @example
 * ```ts
 * const g = createLatticeGeometry([40, 40]);
 * g.size;                       // 1600
 * g.neighbors[5 * g.degree + 3]; // the +1 neighbour of site 5 along axis 1 (site 6)
 * ```
 */
export interface LatticeGeometry {
  /** Extent along each axis (1 to 3 axes). */
  readonly shape: readonly number[];
  /** Boundary condition. */
  readonly boundary: LatticeBoundary;
  /** Number of sites, the product of `shape`. */
  readonly size: number;
  /** Directions per site, `2 * shape.length`. */
  readonly degree: number;
  /** `neighbors[site * degree + direction]`: the neighbouring site, or −1 across a closed boundary. */
  readonly neighbors: Int32Array;
  /** Row-major strides: `strides[k]` is the index step of one unit along axis k. */
  readonly strides: readonly number[];
}

/** Largest lattice accepted (2^28 sites; the neighbour table alone is then 6 GiB in 3-D). */
export const MAX_LATTICE_SITES = 2 ** 28;

/**
 * Validates a lattice shape (1 to 3 positive integer extents, at most {@link MAX_LATTICE_SITES} sites) and returns
 * it as a plain array.
 *
 * @example
 * ```ts
 * checkShape([40, 40]); // [40, 40]
 * checkShape([0]);      // throws RangeError naming `shape`
 * ```
 */
export function checkShape(shape: unknown, name = 'shape'): number[] {
  if (!Array.isArray(shape) && !(shape instanceof Int32Array)) {
    throw new TypeError(`${name} must be an array of 1 to 3 positive integers; got ${String(shape)}`);
  }
  const dims = Array.from(shape as ArrayLike<unknown>);
  if (dims.length < 1 || dims.length > 3) {
    throw new RangeError(`${name} must have 1 to 3 axes; got ${dims.length} ([${dims.join(', ')}])`);
  }
  let size = 1;
  for (const extent of dims) {
    if (typeof extent !== 'number' || !Number.isInteger(extent) || extent < 1) {
      throw new RangeError(`${name} must hold positive integers; got [${dims.join(', ')}]`);
    }
    size *= extent;
  }
  if (size > MAX_LATTICE_SITES) {
    throw new RangeError(`${name} [${dims.join(', ')}] has ${size} sites, more than ${MAX_LATTICE_SITES}`);
  }
  return dims as number[];
}

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= shape[k];
  }
  return strides;
}

/**
 * Builds a lattice and its neighbour table.
 *
 * @param shape extent along each of 1 to 3 axes.
 * @param boundary `periodic` (default) or `closed`.
 * @example
 * ```ts
 * const ring = createLatticeGeometry([10]);            // 1-D periodic ring, degree 2
 * const box = createLatticeGeometry([8, 8, 8], 'closed'); // 3-D box, degree 6
 * ```
 */
export function createLatticeGeometry(shape: readonly number[], boundary: LatticeBoundary = 'periodic'): LatticeGeometry {
  const dims = checkShape(shape);
  if (boundary !== 'periodic' && boundary !== 'closed') {
    throw new RangeError(`boundary must be 'periodic' or 'closed'; got ${String(boundary)}`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  const degree = 2 * dims.length;
  const strides = stridesOf(dims);
  const neighbors = new Int32Array(size * degree);
  const periodic = boundary === 'periodic';
  for (let site = 0; site < size; site++) {
    for (let k = 0; k < dims.length; k++) {
      const extent = dims[k];
      const stride = strides[k];
      const coord = Math.floor(site / stride) % extent;
      let down = -1;
      let up = -1;
      if (coord > 0) down = site - stride;
      else if (periodic) down = site + (extent - 1) * stride;
      if (coord < extent - 1) up = site + stride;
      else if (periodic) up = site - (extent - 1) * stride;
      neighbors[site * degree + 2 * k] = down;
      neighbors[site * degree + 2 * k + 1] = up;
    }
  }
  return { shape: dims, boundary, size, degree, neighbors, strides };
}

/**
 * Index of the site at 0-based coordinates `coords` (row-major), or −1 if outside and not wrapped. With
 * `periodic` true, coordinates wrap.
 *
 * @example
 * ```ts
 * siteIndex([40, 40], [1, 2]);            // 42
 * siteIndex([40, 40], [-1, 0], true);     // 1560
 * ```
 */
export function siteIndex(shape: readonly number[], coords: readonly number[], periodic = false): number {
  if (coords.length !== shape.length) {
    throw new RangeError(`coords must have ${shape.length} entries; got ${coords.length}`);
  }
  let index = 0;
  for (let k = 0; k < shape.length; k++) {
    let c = coords[k];
    if (!Number.isInteger(c)) throw new RangeError(`coords must be integers; got [${coords.join(', ')}]`);
    if (periodic) c = ((c % shape[k]) + shape[k]) % shape[k];
    else if (c < 0 || c >= shape[k]) return -1;
    index = index * shape[k] + c;
  }
  return index;
}

/**
 * 0-based coordinates of `site` (row-major).
 *
 * @example
 * ```ts
 * siteCoords([40, 40], 42); // [1, 2]
 * ```
 */
export function siteCoords(shape: readonly number[], site: number): number[] {
  const coords = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    coords[k] = site % shape[k];
    site = Math.floor(site / shape[k]);
  }
  return coords;
}

/**
 * A table mapping every site to the site displaced by `displacement` (row-major, −1 where a non-periodic
 * displacement leaves the lattice). Used by the pair statistics.
 *
 * @example
 * ```ts
 * const right = displacementTable([40, 40], [0, 1], true);
 * right[39]; // 0 (wraps around)
 * ```
 */
export function displacementTable(shape: readonly number[], displacement: readonly number[], periodic: boolean): Int32Array {
  const dims = checkShape(shape);
  if (!Array.isArray(displacement) || displacement.length !== dims.length || !displacement.every(Number.isInteger)) {
    throw new RangeError(`displacement must be ${dims.length} integers; got [${String(displacement)}]`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  const strides = stridesOf(dims);
  const table = new Int32Array(size);
  for (let site = 0; site < size; site++) {
    let target = 0;
    for (let k = 0; k < dims.length; k++) {
      const extent = dims[k];
      let c = (Math.floor(site / strides[k]) % extent) + displacement[k];
      if (periodic) c = ((c % extent) + extent) % extent;
      else if (c < 0 || c >= extent) {
        target = -1;
        break;
      }
      target += c * strides[k];
    }
    table[site] = target;
  }
  return table;
}
