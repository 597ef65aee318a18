/**
 * A finite-element function on a grid: geometry + element + sparse coefficients, with validated evaluation.
 * @module
 */
import { type ElementInfo, type ElementKind, elementInfo } from './element.ts';
import { Grid, type GridOptions } from './grid.ts';
import { fillTables } from './kernels/basis1d.ts';
import { findSlot } from './kernels/hash.ts';
import { cornerTuples, locate } from './kernels/locate.ts';
import {
  basisAndValue,
  scatterAdd,
  scatterAddFactored,
  valueAndFracGradient,
  valueOnly,
} from './kernels/tensor.ts';
import { CoefficientStore } from './store.ts';
import { checkArray, checkFinite, checkFiniteArray, checkInt, checkTyped, checkVertex, MAX_INDEX, show } from './validate.ts';

/**
 * Units of derivatives with respect to x. `'physical'` (default) gives ∂F/∂x_k; `'fractional'` gives ∂F/∂f_k =
 * Δ_k·∂F/∂x_k, what the original q3c1 library returned (spec pitfall P1).
 * @example
 * fn.gradient([0.1, 0.2], undefined, { units: 'fractional' });
 */
export type DerivativeUnits = 'physical' | 'fractional';

/**
 * Options of derivative evaluations.
 * @example
 * const opts: GradientOptions = { units: 'physical' };
 */
export interface GradientOptions {
  /** Derivative units (default `'physical'`). */
  units?: DerivativeUnits;
}

/**
 * Options of {@link createFunction}: the grid options plus the element.
 * @example
 * const opts: FunctionOptions = { spacing: [0.1, 0.1, 0.1], origin: 0, element: 'q3c1' };
 */
export interface FunctionOptions extends GridOptions {
  /** Element (default `'q3c1'`). */
  element?: ElementKind;
  /** Number of vertices to reserve room for. */
  initialCapacity?: number;
}

/**
 * Caller-owned buffers for the basis of `count` points: `vertices` holds `count·2^d·d` vertex indices and `weights`
 * `count·2^d·m` basis weights (see {@link FeFunction.basisAt} for the layout).
 * @example
 * const buf: BasisBuffers = fn.createBasisBuffers(100);
 */
export interface BasisBuffers {
  /** Corner vertex index tuples. */
  vertices: Int32Array;
  /** Basis weights ∂F/∂c. */
  weights: Float64Array;
}

function unitsOf(options: GradientOptions | undefined): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`options must be an object (got ${show(options)})`);
  }
  const u = options.units ?? 'physical';
  if (u !== 'physical' && u !== 'fractional') {
    throw new RangeError(`options.units must be 'physical' or 'fractional' (got ${show(u)})`);
  }
  return u === 'fractional';
}

/**
 * A scalar finite-element function F(x) = Σ_v Σ_τ c_{v,τ} φ_{v,τ}(x) on a (by default unbounded) grid.
 *
 * Per vertex there are `m = 2^d` coefficients for Q3 C1 (index τ = Σ_k τ_k·2^(d−1−k), τ_k = 0 for VAL and 1 for
 * DER, i.e. nested loops over dimensions with VAL before DER and dimension 0 outermost) and `m = 1` for Q1. DER
 * coefficients are in fractional units: the physical slope is c_DER/Δ_k (mixed ones: divided by Π Δ_k^{τ_k}).
 * Vertices never touched evaluate as zero and are not allocated by evaluation.
 * @example
 * const fn = createFunction({ spacing: [0.5, 0.5] });
 * fn.setFromDerivatives([-2, -2], [2, 2], (x, out) => { // F = x0·x1: f, ∂1 f, ∂0 f, ∂0∂1 f
 *   out[0] = x[0] * x[1]; out[1] = x[0]; out[2] = x[1]; out[3] = 1;
 * });
 * fn.value([0.3, -0.7]); // -0.21
 * fn.gradient([0.3, -0.7]); // Float64Array [-0.7, 0.3]
 */
export class FeFunction {
  /** Grid geometry. */
  readonly grid: Grid;
  /** Element description. */
  readonly element: ElementInfo;
  /** Sparse coefficient store. */
  readonly store: CoefficientStore;
  /** Number of dimensions d. */
  readonly dims: number;
  /** Coefficients per vertex m (2^d for Q3 C1, 1 for Q1). */
  readonly coefficientsPerVertex: number;
  /** Corner vertices per cell, 2^d. */
  readonly corners: number;
  /** Basis weights per point, 2^d·m. */
  readonly weightsPerPoint: number;

  private readonly D: number;
  private readonly L: number;
  private readonly cell: Int32Array;
  private readonly frac: Float64Array;
  private readonly h: Float64Array;
  private readonly g: Float64Array;
  private readonly A: Float64Array;
  private readonly B: Float64Array;
  private readonly slots: Int32Array;
  private readonly addSlots: Int32Array;
  private readonly cornerBuf: Int32Array;
  private dense: Float64Array | null = null;
  private gbuf: Float64Array | null = null;
  private readonly grad: Float64Array;
  private readonly lastCell: Int32Array;
  private lastCount = -1;
  private lastEpoch = -1;

  constructor(grid: Grid, element: ElementKind = 'q3c1', initialCapacity?: number) {
    if (!(grid instanceof Grid)) throw new TypeError(`grid must be a Grid (got ${show(grid)})`);
    this.grid = grid;
    this.element = elementInfo(element);
    const d = grid.dims;
    const D = this.element.dofsPerDimension;
    this.dims = d;
    this.D = D;
    this.L = 2 * D;
    this.corners = 1 << d;
    this.coefficientsPerVertex = D ** d;
    this.weightsPerPoint = this.corners * this.coefficientsPerVertex;
    this.store = new CoefficientStore(d, this.coefficientsPerVertex, {
      vertexLower: grid.vertexLower,
      vertexUpper: grid.vertexUpper,
      initialCapacity,
    });
    const a = d >> 1;
    this.cell = new Int32Array(d);
    this.frac = new Float64Array(d);
    this.h = new Float64Array(d * this.L);
    this.g = new Float64Array(d * this.L);
    this.A = new Float64Array((2 * D) ** a);
    this.B = new Float64Array((2 * D) ** (d - a));
    this.slots = new Int32Array(this.corners);
    this.addSlots = new Int32Array(this.corners);
    this.cornerBuf = new Int32Array(this.corners * d);
    this.grad = new Float64Array(d);
    this.lastCell = new Int32Array(d);
  }

  /** Locates x[off..], fills the shape tables and looks up the corner slots (corner tuples into `tuples[tOff..]`). */
  private prepare(x: ArrayLike<number>, off: number, tuples: Int32Array, tOff: number, withDerivative: boolean): void {
    const d = this.dims;
    const grid = this.grid;
    locate(d, x, off, grid.origin, grid.spacing, this.cell, this.frac);
    fillTables(d, this.D, this.frac, this.h, withDerivative ? this.g : null);
    const cb = this.cornerBuf;
    const st = this.store;
    const cell = this.cell;
    const last = this.lastCell;
    // The slots of the previous cell stay valid while no vertex was inserted and the store was not cleared.
    let same = st.count === this.lastCount && st.epoch === this.lastEpoch;
    for (let k = 0; k < d && same; k++) same = cell[k] === last[k];
    if (!same) {
      cornerTuples(d, cell, cb);
      for (let c = 0; c < this.corners; c++) this.slots[c] = findSlot(st.table, st.mask, st.indices, d, cb, c * d);
      for (let k = 0; k < d; k++) last[k] = cell[k];
      this.lastCount = st.count;
      this.lastEpoch = st.epoch;
    }
    if (tuples !== cb) {
      const n = this.corners * d;
      for (let i = 0; i < n; i++) tuples[tOff + i] = cb[i];
    }
  }

  private checkPoints(name: string, points: ArrayLike<number>): number {
    checkArray(name, points, 0, true);
    const d = this.dims;
    if (points.length % d !== 0) {
      throw new RangeError(`${name} must hold n·${d} coordinates (got length ${points.length})`);
    }
    const n = points.length / d;
    for (let i = 0; i < n; i++) this.grid.checkPoint(name, points, i * d);
    return n;
  }

  /**
   * F(x).
   * @example
   * createFunction({ spacing: 1, dims: 3 }).value([0.5, -2, 7]); // 0 (nothing stored yet)
   */
  value(x: ArrayLike<number>): number {
    checkArray('x', x, this.dims);
    this.grid.checkPoint('x', x, 0);
    return this.valueAt(x, 0);
  }

  private valueAt(x: ArrayLike<number>, off: number): number {
    this.prepare(x, off, this.cornerBuf, 0, false);
    return valueOnly(this.dims, this.D, this.h, this.slots, this.store.coeffs, this.A, this.B);
  }

  /**
   * ∇F(x) in physical units (or fractional units with `{ units: 'fractional' }`, spec pitfall P1), written into
   * `out` (allocated if omitted).
   * @example
   * fn.gradient([0.25, 0.5]); // Float64Array [∂F/∂x0, ∂F/∂x1]
   */
  gradient(x: ArrayLike<number>, out?: Float64Array, options?: GradientOptions): Float64Array {
    checkArray('x', x, this.dims);
    this.grid.checkPoint('x', x, 0);
    const frac = unitsOf(options);
    const o = out === undefined ? new Float64Array(this.dims) : checkTyped('out', out, Float64Array, this.dims);
    this.gradientAt(x, 0, o, 0, frac);
    return o;
  }

  /**
   * F(x) and ∇F(x) together (gradient written into `gradOut`); returns F(x).
   * @example
   * const g = new Float64Array(2); const v = fn.valueAndGradient([0.25, 0.5], g);
   */
  valueAndGradient(x: ArrayLike<number>, gradOut: Float64Array, options?: GradientOptions): number {
    checkArray('x', x, this.dims);
    this.grid.checkPoint('x', x, 0);
    const frac = unitsOf(options);
    checkTyped('gradOut', gradOut, Float64Array, this.dims);
    return this.gradientAt(x, 0, gradOut, 0, frac);
  }

  /**
   * One partial derivative ∂F/∂x_k (physical units unless `{ units: 'fractional' }`), like `gradX(x, k)` of q3c1.
   * @example
   * fn.derivative([0.25, 0.5], 1);
   */
  derivative(x: ArrayLike<number>, k: number, options?: GradientOptions): number {
    checkInt('k', k, 0, this.dims - 1);
    return this.gradient(x, this.grad, options)[k];
  }

  private gradientAt(x: ArrayLike<number>, off: number, out: Float64Array, oOff: number, fractional: boolean): number {
    const d = this.dims;
    if (this.dense === null) {
      this.dense = new Float64Array(this.L ** (d - 1));
      this.gbuf = new Float64Array((this.L ** d - 1) / (this.L - 1));
    }
    this.prepare(x, off, this.cornerBuf, 0, true);
    const st = this.store;
    const v = valueAndFracGradient(d, this.D, this.h, this.g, this.slots, st.coeffs, this.dense, this.gbuf!, out, oOff);
    if (!fractional) for (let k = 0; k < d; k++) out[oOff + k] /= this.grid.spacing[k];
    return v;
  }

  /**
   * Writes the basis of the cell containing x into caller-provided arrays and returns F(x): the `2^d` corner vertex
   * tuples (`vertices[vOff + c·d + k]`, corner `c` has offset bit `d−1−k` in dimension k) and their `2^d·m`
   * weights ∂F/∂c_{v,τ} (`weights[wOff + c·m + τ]`). Allocation-free; keep the arrays to accumulate coefficient
   * gradients later with {@link FeFunction.addToCoefficients}.
   * @example
   * const { vertices, weights } = fn.createBasisBuffers();
   * const value = fn.basisAt([0.3, 0.7], vertices, weights);
   */
  basisAt(x: ArrayLike<number>, vertices: Int32Array, weights: Float64Array, vOff = 0, wOff = 0): number {
    checkArray('x', x, this.dims);
    this.grid.checkPoint('x', x, 0);
    checkInt('vOff', vOff, 0, MAX_INDEX);
    checkInt('wOff', wOff, 0, MAX_INDEX);
    checkTyped('vertices', vertices, Int32Array, vOff + this.corners * this.dims);
    checkTyped('weights', weights, Float64Array, wOff + this.weightsPerPoint);
    return this.basisAtUnchecked(x, 0, vertices, vOff, weights, wOff);
  }

  private basisAtUnchecked(
    x: ArrayLike<number>,
    off: number,
    vertices: Int32Array,
    vOff: number,
    weights: Float64Array,
    wOff: number,
  ): number {
    this.prepare(x, off, vertices, vOff, false);
    return basisAndValue(this.dims, this.D, this.h, this.slots, this.store.coeffs, weights, wOff, this.A, this.B);
  }

  /**
   * Allocates basis buffers for `count` points (default 1).
   * @example
   * const buf = fn.createBasisBuffers(32); // buf.weights.length === 32 * fn.weightsPerPoint
   */
  createBasisBuffers(count = 1): BasisBuffers {
    checkInt('count', count, 1, 2 ** 30);
    return {
      vertices: new Int32Array(count * this.corners * this.dims),
      weights: new Float64Array(count * this.weightsPerPoint),
    };
  }

  /**
   * Scatter-adds `scale·weights` of one point (as written by {@link FeFunction.basisAt} / `basisMany`, point index
   * `point`) onto the coefficients of its corner vertices. Corners whose weights are all zero are skipped (so points
   * on faces do not allocate vertices they do not depend on); frozen coefficients are left unchanged; other
   * vertices are allocated on first touch.
   * @example
   * fn.basisAt(x, buf.vertices, buf.weights);
   * fn.addToCoefficients(buf.vertices, buf.weights, -learningRate * dLoss_dF);
   */
  addToCoefficients(vertices: Int32Array, weights: Float64Array, scale = 1, point = 0): void {
    checkFinite('scale', scale);
    checkInt('point', point, 0, MAX_INDEX);
    const d = this.dims;
    const m = this.coefficientsPerVertex;
    const vOff = point * this.corners * d;
    const wOff = point * this.weightsPerPoint;
    checkTyped('vertices', vertices, Int32Array, vOff + this.corners * d);
    checkTyped('weights', weights, Float64Array, wOff + this.weightsPerPoint);
    const st = this.store;
    for (let c = 0; c < this.corners; c++) {
      const r = wOff + c * m;
      let nz = false;
      for (let t = 0; t < m; t++) {
        const w = weights[r + t];
        // w − w is 0 for finite w and NaN for NaN/±Infinity
        if (w - w !== 0) throw new RangeError(`weights[${r + t}] must be finite (got ${show(w)})`);
        if (w !== 0) nz = true;
      }
      if (!nz) {
        this.addSlots[c] = -1;
        continue;
      }
      for (let k = 0; k < d; k++) {
        const n = vertices[vOff + c * d + k];
        if (Math.abs(n) > MAX_INDEX) throw new RangeError(`vertices[${vOff + c * d + k}] out of range (got ${n})`);
      }
      this.addSlots[c] = st.ensureSlot(vertices, vOff + c * d);
    }
    scatterAdd(d, m, this.addSlots, weights, wOff, scale, st.coeffs, st.fixedCount > 0 ? st.fixed : null);
  }

  /**
   * Adds `scale·∂F/∂c` at x to the coefficients (basis evaluation plus scatter-add in one call, e.g. one SGD step
   * of a squared loss with `scale = −η·(F(x) − y)`). Returns F(x) before the update.
   * @example
   * const before = fn.addBasisAt([0.3, 0.7], 0.5);
   */
  addBasisAt(x: ArrayLike<number>, scale: number): number {
    checkArray('x', x, this.dims);
    this.grid.checkPoint('x', x, 0);
    checkFinite('scale', scale);
    if (this.scratch === null) this.scratch = this.createBasisBuffers(1);
    const v = this.basisAtUnchecked(x, 0, this.scratch.vertices, 0, this.scratch.weights, 0);
    this.addToCoefficients(this.scratch.vertices, this.scratch.weights, scale, 0);
    return v;
  }

  private scratch: BasisBuffers | null = null;

  /**
   * Number of shape-function factors per point in the factored basis, `d·2·D` (24 for Q3 C1 in 6-D).
   * @example
   * fn.factorsPerPoint; // 24 in 6-D
   */
  get factorsPerPoint(): number {
    return this.dims * this.L;
  }

  /**
   * The basis at x in factored (Kronecker) form, written into caller-provided arrays, and F(x): the lower-corner
   * cell index (`cell[cOff + k]`) and the one-dimensional shape functions (`factors[fOff + k·L + b·D + τ]`,
   * `L = 2·D`, b the corner offset, τ the dof type). The weight of corner c (offset bits b_k) and coefficient τ is
   * `Π_k factors[k·L + b_k·D + τ_k]`, i.e. exactly the entry `weights[c·m + τ]` of {@link FeFunction.basisAt}; the
   * factored form is 2·d·D numbers instead of 4^d (24 instead of 4096 in 6-D), which makes caching a whole
   * trajectory cheap. Expand with {@link FeFunction.expandFactors}, scatter with
   * {@link FeFunction.addFactoredToCoefficients}.
   * @example
   * const cell = new Int32Array(fn.dims);
   * const factors = new Float64Array(fn.factorsPerPoint);
   * const value = fn.basisFactorsAt(x, cell, factors);
   * fn.addFactoredToCoefficients(cell, factors, -eta * dLoss_dF);
   */
  basisFactorsAt(x: ArrayLike<number>, cell: Int32Array, factors: Float64Array, cOff = 0, fOff = 0): number {
    checkArray('x', x, this.dims);
    this.grid.checkPoint('x', x, 0);
    checkInt('cOff', cOff, 0, MAX_INDEX);
    checkInt('fOff', fOff, 0, MAX_INDEX);
    checkTyped('cell', cell, Int32Array, cOff + this.dims);
    checkTyped('factors', factors, Float64Array, fOff + this.factorsPerPoint);
    this.prepare(x, 0, this.cornerBuf, 0, false);
    for (let k = 0; k < this.dims; k++) cell[cOff + k] = this.cell[k];
    const nf = this.factorsPerPoint;
    for (let i = 0; i < nf; i++) factors[fOff + i] = this.h[i];
    return valueOnly(this.dims, this.D, this.h, this.slots, this.store.coeffs, this.A, this.B);
  }

  /**
   * Expands a factored basis (from {@link FeFunction.basisFactorsAt}) into the `2^d·m` weights of
   * {@link FeFunction.basisAt} (same layout), into `weights[wOff..]`.
   * @example
   * const w = new Float64Array(fn.weightsPerPoint); fn.expandFactors(factors, w);
   */
  expandFactors(factors: Float64Array, weights: Float64Array, fOff = 0, wOff = 0): Float64Array {
    checkInt('fOff', fOff, 0, MAX_INDEX);
    checkInt('wOff', wOff, 0, MAX_INDEX);
    checkTyped('factors', factors, Float64Array, fOff + this.factorsPerPoint);
    checkTyped('weights', weights, Float64Array, wOff + this.weightsPerPoint);
    const nf = this.factorsPerPoint;
    for (let i = 0; i < nf; i++) this.g[i] = factors[fOff + i];
    this.addSlots.fill(-1);
    basisAndValue(this.dims, this.D, this.g, this.addSlots, this.store.coeffs, weights, wOff, this.A, this.B);
    return weights;
  }

  /**
   * Scatter-adds `scale·∂F/∂c` given in factored form (cell and factors from {@link FeFunction.basisFactorsAt},
   * point index `point` into arrays holding several points) onto the coefficients, without materialising the 4^d
   * weights. Same semantics as {@link FeFunction.addToCoefficients}: all-zero corners skipped, frozen coefficients
   * kept, other vertices allocated on first touch.
   * @example
   * fn.addFactoredToCoefficients(cell, factors, -eta * dLoss_dF);
   */
  addFactoredToCoefficients(cell: Int32Array, factors: Float64Array, scale = 1, point = 0): void {
    checkFinite('scale', scale);
    checkInt('point', point, 0, MAX_INDEX);
    const d = this.dims;
    const D = this.D;
    const L = this.L;
    const cOff = point * d;
    const fOff = point * this.factorsPerPoint;
    checkTyped('cell', cell, Int32Array, cOff + d);
    checkTyped('factors', factors, Float64Array, fOff + this.factorsPerPoint);
    const h = this.g; // scratch copy of the factors
    for (let i = 0; i < d * L; i++) {
      const v = factors[fOff + i];
      if (!Number.isFinite(v)) throw new RangeError(`factors[${fOff + i}] must be finite (got ${show(v)})`);
      h[i] = v;
    }
    const base = this.lastCell; // reuse as scratch for the cell; invalidate the look-up cache
    this.lastCount = -1;
    for (let k = 0; k < d; k++) {
      const n = cell[cOff + k];
      if (Math.abs(n) >= MAX_INDEX) throw new RangeError(`cell[${cOff + k}] out of range (got ${n})`);
      base[k] = n;
    }
    cornerTuples(d, base, this.cornerBuf);
    const st = this.store;
    for (let c = 0; c < this.corners; c++) {
      // a corner's weights vanish iff in some dimension both of its factors vanish
      let zero = false;
      for (let k = 0; k < d && !zero; k++) {
        const o = k * L + ((c >> (d - 1 - k)) & 1) * D;
        zero = h[o] === 0 && (D === 1 || h[o + 1] === 0);
      }
      this.addSlots[c] = zero ? -1 : st.ensureSlot(this.cornerBuf, c * d);
    }
    scatterAddFactored(d, D, h, this.addSlots, scale, st.coeffs, st.fixedCount > 0 ? st.fixed : null, this.A, this.B);
  }

  /**
   * F at n points given as a flat array `points[i·d + k]`; results into `out` (allocated if omitted).
   * @example
   * fn.valueMany(new Float64Array([0, 0, 0.5, 0.5])); // two 2-D points
   */
  valueMany(points: ArrayLike<number>, out?: Float64Array): Float64Array {
    const n = this.checkPoints('points', points);
    const o = out === undefined ? new Float64Array(n) : checkTyped('out', out, Float64Array, n);
    for (let i = 0; i < n; i++) o[i] = this.valueAt(points, i * this.dims);
    return o;
  }

  /**
   * ∇F at n points (flat `points[i·d + k]`), into `out[i·d + k]` (allocated if omitted).
   * @example
   * fn.gradientMany(new Float64Array([0, 0, 0.5, 0.5]), undefined, { units: 'fractional' });
   */
  gradientMany(points: ArrayLike<number>, out?: Float64Array, options?: GradientOptions): Float64Array {
    const n = this.checkPoints('points', points);
    const frac = unitsOf(options);
    const d = this.dims;
    const o = out === undefined ? new Float64Array(n * d) : checkTyped('out', out, Float64Array, n * d);
    for (let i = 0; i < n; i++) this.gradientAt(points, i * d, o, i * d, frac);
    return o;
  }

  /**
   * Basis of n points (flat `points[i·d + k]`) into buffers made by `createBasisBuffers(n)`, point i at offsets
   * `i·2^d·d` / `i·2^d·m`; values F(points) into `values` if given. Returns `values` (or an allocated array).
   * @example
   * const buf = fn.createBasisBuffers(2);
   * fn.basisMany(new Float64Array([0, 0, 0.5, 0.5]), buf.vertices, buf.weights);
   */
  basisMany(points: ArrayLike<number>, vertices: Int32Array, weights: Float64Array, values?: Float64Array): Float64Array {
    const n = this.checkPoints('points', points);
    checkTyped('vertices', vertices, Int32Array, n * this.corners * this.dims);
    checkTyped('weights', weights, Float64Array, n * this.weightsPerPoint);
    const o = values === undefined ? new Float64Array(n) : checkTyped('values', values, Float64Array, n);
    const vs = this.corners * this.dims;
    for (let i = 0; i < n; i++) {
      o[i] = this.basisAtUnchecked(points, i * this.dims, vertices, i * vs, weights, i * this.weightsPerPoint);
    }
    return o;
  }

  /**
   * Sets the coefficients of one vertex from physical derivatives: `derivatives[τ]` is the mixed partial
   * ∂^τ F at the node (τ_k = 1 means one derivative in dimension k, same ordering as the coefficients), stored as
   * `derivatives[τ]·Π_k Δ_k^{τ_k}` (fractional units). For Q1 there is one entry, the value.
   * @example
   * fn.setPhysical([0, 0], [f, df_dx1, df_dx0, d2f_dx0dx1]);
   */
  setPhysical(vertex: ArrayLike<number>, derivatives: ArrayLike<number>): void {
    checkVertex('vertex', vertex, this.dims);
    const m = this.coefficientsPerVertex;
    checkFiniteArray('derivatives', derivatives, m);
    const c = new Float64Array(m);
    this.scaleDerivatives(derivatives, c);
    this.store.set(vertex, c);
  }

  private scaleDerivatives(src: ArrayLike<number>, dst: Float64Array): void {
    const d = this.dims;
    const m = this.coefficientsPerVertex;
    for (let t = 0; t < m; t++) {
      let s = 1;
      if (this.D === 2) for (let k = 0; k < d; k++) if ((t >> (d - 1 - k)) & 1) s *= this.grid.spacing[k];
      dst[t] = src[t] * s;
    }
  }

  /**
   * Hermite interpolation: for every vertex in the index box `[lower, upper]` calls `fn(x, out)` with the node
   * position and sets the vertex from the physical derivatives written to `out` (see {@link FeFunction.setPhysical}).
   * Any polynomial of degree ≤ 3 per coordinate (≤ 1 for Q1) is then reproduced exactly inside the box's cells.
   * @example
   * fn.setFromDerivatives([-1, -1], [1, 1], (x, out) => { out.fill(0); out[0] = 1; }); // F ≡ 1
   */
  setFromDerivatives(
    lower: ArrayLike<number>,
    upper: ArrayLike<number>,
    fn: (x: Float64Array, out: Float64Array) => void,
  ): void {
    const d = this.dims;
    checkVertex('lower', lower, d);
    checkVertex('upper', upper, d);
    if (typeof fn !== 'function') throw new TypeError(`fn must be a function (got ${show(fn)})`);
    let total = 1;
    for (let k = 0; k < d; k++) {
      if (upper[k] < lower[k]) throw new RangeError(`upper[${k}] must be >= lower[${k}] (got ${upper[k]} < ${lower[k]})`);
      total *= upper[k] - lower[k] + 1;
    }
    if (total > 2 ** 24) throw new RangeError(`the index box holds too many vertices (got ${total}, max 2^24)`);
    const m = this.coefficientsPerVertex;
    const idx = Int32Array.from(lower);
    const x = new Float64Array(d);
    const out = new Float64Array(m);
    const c = new Float64Array(m);
    for (let i = 0; i < total; i++) {
      this.grid.node(idx, x);
      out.fill(0);
      fn(x, out);
      checkFiniteArray('out', out, m);
      this.scaleDerivatives(out, c);
      this.store.set(idx, c);
      for (let k = d - 1; k >= 0; k--) {
        if (idx[k] < upper[k]) {
          idx[k]++;
          break;
        }
        idx[k] = lower[k];
      }
    }
  }

  /**
   * Bytes held by the coefficient store and the evaluation workspace.
   * @example
   * fn.memoryBytes();
   */
  memoryBytes(): number {
    let b = this.store.memoryBytes();
    for (const a of [this.cell, this.frac, this.h, this.g, this.A, this.B, this.slots, this.addSlots, this.cornerBuf, this.lastCell]) {
      b += a.byteLength;
    }
    if (this.dense !== null) b += this.dense.byteLength + this.gbuf!.byteLength;
    if (this.scratch !== null) b += this.scratch.vertices.byteLength + this.scratch.weights.byteLength;
    return b;
  }
}

/**
 * Creates a finite-element function from grid options and an element (default Q3 C1).
 * @example
 * const fn = createFunction({ spacing: 0.1, origin: 0, dims: 6 }); // unbounded 6-D Q3 C1 function, F ≡ 0
 * const q1 = createFunction({ spacing: [1, 2], element: 'q1', bounds: { lower: [0, 0], upper: [10, 10] } });
 */
export function createFunction(options: FunctionOptions): FeFunction {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`options must be an object (got ${show(options)})`);
  }
  return new FeFunction(new Grid(options), options.element ?? 'q3c1', options.initialCapacity);
}
