/**
 * Rectilinear grid geometry: per dimension a spacing Δ_k and an origin z_k; node n (any integer, negative too) sits
 * at z_k + n·Δ_k. Unbounded by default; optionally restricted to a declared box.
 * @module
 */
import { locate } from './kernels/locate.ts';
import { checkArray, checkFinite, checkFiniteArray, checkInt, checkPositive, MAX_INDEX, show } from './validate.ts';

/**
 * Largest supported number of dimensions (a Q3 C1 cell then has 4^10 ≈ 10^6 basis weights).
 * @example
 * MAX_DIMS; // 10
 */
export const MAX_DIMS = 10;

/**
 * Options of {@link Grid}. Scalars are broadcast to every dimension; `dims` is needed only when neither `spacing`
 * nor `origin` is an array.
 * @example
 * const opts: GridOptions = { spacing: [0.1, 0.2], origin: 0, bounds: { lower: [-1, -1], upper: [1, 1] } };
 */
export interface GridOptions {
  /** Node spacing Δ_k > 0 per dimension (or one for all). */
  spacing: number | ArrayLike<number>;
  /** Origin z_k (position of node 0) per dimension (or one for all); default 0. */
  origin?: number | ArrayLike<number>;
  /** Number of dimensions, 1..{@link MAX_DIMS}; inferred from array-valued `spacing`/`origin`. */
  dims?: number;
  /** Optional box `[lower_k, upper_k]`; points outside it are rejected with a RangeError. */
  bounds?: { lower: ArrayLike<number>; upper: ArrayLike<number> } | null;
}

function broadcast(name: string, v: number | ArrayLike<number>, dims: number, positive: boolean): Float64Array {
  const out = new Float64Array(dims);
  if (typeof v === 'number') {
    out.fill(positive ? checkPositive(name, v) : checkFinite(name, v));
    return out;
  }
  checkFiniteArray(name, v, dims);
  for (let k = 0; k < dims; k++) out[k] = positive ? checkPositive(`${name}[${k}]`, v[k]) : v[k];
  return out;
}

/**
 * Grid geometry with validated construction and point location.
 * @example
 * const grid = new Grid({ spacing: [0.1, 0.5], origin: [0, -1] });
 * grid.node([3, -2]); // Float64Array [0.3, -2]
 * grid.locate([0.25, -1.2]); // { cell: Int32Array [2, -1], frac: Float64Array [0.5, 0.6] } (to round-off)
 */
export class Grid {
  /** Number of dimensions. */
  readonly dims: number;
  /** Spacing Δ_k per dimension. */
  readonly spacing: Float64Array;
  /** Origin z_k per dimension. */
  readonly origin: Float64Array;
  /** Declared box, or null when unbounded. */
  readonly bounds: { readonly lower: Float64Array; readonly upper: Float64Array } | null;
  /** Smallest admissible vertex index per dimension (bounded grids), else null. */
  readonly vertexLower: Int32Array | null;
  /** Largest admissible vertex index per dimension (bounded grids), else null. */
  readonly vertexUpper: Int32Array | null;

  constructor(options: GridOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object (got ${show(options)})`);
    }
    const { spacing, origin = 0, bounds = null } = options;
    let dims = options.dims;
    if (typeof spacing !== 'number') checkArray('spacing', spacing, 0, true);
    if (typeof origin !== 'number') checkArray('origin', origin, 0, true);
    if (dims === undefined) {
      if (typeof spacing !== 'number') dims = spacing.length;
      else if (typeof origin !== 'number') dims = origin.length;
      else throw new TypeError('dims must be given when spacing and origin are both scalars (got undefined)');
    }
    this.dims = checkInt('dims', dims, 1, MAX_DIMS);
    this.spacing = broadcast('spacing', spacing, this.dims, true);
    this.origin = broadcast('origin', origin, this.dims, false);
    if (bounds === null) {
      this.bounds = null;
      this.vertexLower = null;
      this.vertexUpper = null;
    } else {
      if (typeof bounds !== 'object') throw new TypeError(`bounds must be an object or null (got ${show(bounds)})`);
      const lower = Float64Array.from(checkFiniteArray('bounds.lower', bounds.lower, this.dims));
      const upper = Float64Array.from(checkFiniteArray('bounds.upper', bounds.upper, this.dims));
      this.vertexLower = new Int32Array(this.dims);
      this.vertexUpper = new Int32Array(this.dims);
      for (let k = 0; k < this.dims; k++) {
        if (!(lower[k] < upper[k])) {
          throw new RangeError(`bounds.lower[${k}] must be < bounds.upper[${k}] (got ${lower[k]} and ${upper[k]})`);
        }
        const ul = (lower[k] - this.origin[k]) / this.spacing[k];
        const uu = (upper[k] - this.origin[k]) / this.spacing[k];
        if (Math.abs(ul) >= MAX_INDEX || Math.abs(uu) >= MAX_INDEX) {
          throw new RangeError(`bounds[${k}] spans more than ±${MAX_INDEX} nodes (got [${lower[k]}, ${upper[k]}])`);
        }
        this.vertexLower[k] = Math.floor(ul);
        this.vertexUpper[k] = Math.ceil(uu); // x <= upper implies (x − z)/Δ <= uu (monotone rounding)
      }
      this.bounds = Object.freeze({ lower, upper });
    }
  }

  /**
   * Physical position of the node with integer index tuple `index`.
   * @example
   * new Grid({ spacing: 0.5, dims: 1 }).node([-3]); // Float64Array [-1.5]
   */
  node(index: ArrayLike<number>, out: Float64Array = new Float64Array(this.dims)): Float64Array {
    checkArray('index', index, this.dims);
    for (let k = 0; k < this.dims; k++) {
      const n = index[k];
      if (typeof n !== 'number' || !Number.isInteger(n)) {
        throw new RangeError(`index[${k}] must be an integer (got ${show(n)})`);
      }
      out[k] = this.origin[k] + n * this.spacing[k];
    }
    return out;
  }

  /**
   * Cell (lower-corner vertex index, `floor((x − z)/Δ)`) and fraction in `[0, 1)` of a point.
   * @example
   * new Grid({ spacing: 1, dims: 1 }).locate([-0.25]); // { cell: Int32Array [-1], frac: Float64Array [0.75] }
   */
  locate(x: ArrayLike<number>): { cell: Int32Array; frac: Float64Array } {
    this.checkPoint('x', x, 0);
    const cell = new Int32Array(this.dims);
    const frac = new Float64Array(this.dims);
    locate(this.dims, x, 0, this.origin, this.spacing, cell, frac);
    return { cell, frac };
  }

  /**
   * Whether the point lies in the declared box (always true for unbounded grids; false for non-finite input).
   * @example
   * new Grid({ spacing: 1, dims: 1, bounds: { lower: [0], upper: [1] } }).contains([2]); // false
   */
  contains(x: ArrayLike<number>): boolean {
    checkArray('x', x, this.dims);
    for (let k = 0; k < this.dims; k++) {
      const v = x[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      if (this.bounds !== null && (v < this.bounds.lower[k] || v > this.bounds.upper[k])) return false;
    }
    return true;
  }

  /**
   * Validates the point `x[off..off+dims)` (finite, inside the box, index range); throws a RangeError naming
   * `name` otherwise. Used by every evaluation entry point.
   * @example
   * grid.checkPoint('x', [0.5, 0.5], 0);
   */
  checkPoint(name: string, x: ArrayLike<number>, off: number): void {
    const d = this.dims;
    for (let k = 0; k < d; k++) {
      const v = x[off + k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`${name}[${off + k}] must be a finite number (got ${show(v)})`);
      }
      if (this.bounds !== null) {
        if (v < this.bounds.lower[k] || v > this.bounds.upper[k]) {
          throw new RangeError(
            `${name}[${off + k}] = ${v} lies outside the grid bounds [${this.bounds.lower[k]}, ${this.bounds.upper[k]}] of dimension ${k}`,
          );
        }
      } else {
        const u = (v - this.origin[k]) / this.spacing[k];
        if (!(Math.abs(u) < MAX_INDEX)) {
          throw new RangeError(`${name}[${off + k}] = ${v} is more than ${MAX_INDEX} nodes from the origin`);
        }
      }
    }
  }
}
