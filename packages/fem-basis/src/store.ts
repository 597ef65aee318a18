/**
 * Sparse, compact coefficient store keyed by integer vertex index tuples.
 * @module
 */
import { findSlot, probe } from './kernels/hash.ts';
import { checkFinite, checkFiniteArray, checkInt, checkVertex, show } from './validate.ts';

/**
 * Options of {@link CoefficientStore}.
 * @example
 * const opts: StoreOptions = { initialCapacity: 1024 };
 */
export interface StoreOptions {
  /** Smallest admissible vertex index per dimension (inserting outside gives a RangeError). */
  vertexLower?: ArrayLike<number> | null;
  /** Largest admissible vertex index per dimension. */
  vertexUpper?: ArrayLike<number> | null;
  /** Number of vertices to reserve room for (default 16). */
  initialCapacity?: number;
}

/**
 * Sparse store of per-vertex coefficient blocks. Vertices are identified by their integer index tuples, which are
 * kept packed in one `Int32Array` (`dims` entries per vertex) and found through an open-addressing hash table of
 * numeric slots (no string keys). Coefficients live in one growing `Float64Array` (`coefficientsPerVertex` entries
 * per vertex, in insertion order), frozen flags in a parallel `Uint8Array`. Vertices that were never touched read
 * as zero and are not allocated by reads.
 *
 * The raw arrays (`indices`, `coeffs`, `fixed`, `table`, `mask`, `count`) are exposed for the allocation-free
 * kernels; treat them as read-only and re-read them after any insertion (they are replaced when the store grows).
 * @example
 * const store = new CoefficientStore(2, 4);
 * store.set([0, -1], [1, 0, 0, 0]);
 * store.add([0, -1], [1, 1, 1, 1], 0.5);
 * store.get([0, -1]); // Float64Array [1.5, 0.5, 0.5, 0.5]
 * store.get([7, 7]); // zeros, nothing allocated
 * store.size; // 1
 */
export class CoefficientStore {
  /** Number of dimensions of the vertex tuples. */
  readonly dims: number;
  /** Coefficients per vertex. */
  readonly coefficientsPerVertex: number;
  /** Admissible vertex range (or null when unbounded). */
  readonly vertexLower: Int32Array | null;
  /** Admissible vertex range (or null when unbounded). */
  readonly vertexUpper: Int32Array | null;
  /** Packed vertex tuples, `dims` per slot (raw, read-only). */
  indices: Int32Array;
  /** Coefficients, `coefficientsPerVertex` per slot (raw, read-only). */
  coeffs: Float64Array;
  /** Frozen flags parallel to `coeffs` (raw, read-only). */
  fixed: Uint8Array;
  /** Hash table: slot + 1, 0 = empty (raw, read-only). */
  table: Int32Array;
  /** `table.length − 1`. */
  mask: number;
  /** Number of stored vertices. */
  count: number;
  /** Incremented by `clear()`; with `count` it tells evaluators whether cached slot look-ups are still valid. */
  epoch = 0;
  private fixedTotal = 0;

  constructor(dims: number, coefficientsPerVertex: number, options: StoreOptions = {}) {
    this.dims = checkInt('dims', dims, 1, 30);
    this.coefficientsPerVertex = checkInt('coefficientsPerVertex', coefficientsPerVertex, 1, 2 ** 20);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object (got ${show(options)})`);
    }
    const cap = checkInt('initialCapacity', options.initialCapacity ?? 16, 1, 2 ** 26);
    const lo = options.vertexLower ?? null;
    const hi = options.vertexUpper ?? null;
    if ((lo === null) !== (hi === null)) {
      throw new TypeError(`vertexLower and vertexUpper must be given together (got ${show(lo)} and ${show(hi)})`);
    }
    this.vertexLower = lo === null ? null : Int32Array.from(checkVertex('vertexLower', lo, dims));
    this.vertexUpper = hi === null ? null : Int32Array.from(checkVertex('vertexUpper', hi, dims));
    this.indices = new Int32Array(cap * dims);
    this.coeffs = new Float64Array(cap * coefficientsPerVertex);
    this.fixed = new Uint8Array(cap * coefficientsPerVertex);
    let t = 16;
    while (t < 2 * cap) t *= 2;
    this.table = new Int32Array(t);
    this.mask = t - 1;
    this.count = 0;
  }

  /**
   * Number of touched (allocated) vertices.
   * @example
   * new CoefficientStore(1, 2).size; // 0
   */
  get size(): number {
    return this.count;
  }

  /**
   * Number of frozen coefficients.
   * @example
   * store.fix([0, 0]); store.fixedCount; // coefficientsPerVertex
   */
  get fixedCount(): number {
    return this.fixedTotal;
  }

  /**
   * Bytes held by the typed arrays of the store (allocated capacity, not just the used part).
   * @example
   * new CoefficientStore(6, 64).memoryBytes(); // a few KiB before anything is stored
   */
  memoryBytes(): number {
    return this.indices.byteLength + this.coeffs.byteLength + this.fixed.byteLength + this.table.byteLength;
  }

  /**
   * Slot of a vertex (its position in insertion order), or −1 if it was never touched.
   * @example
   * store.slotOf([1, 2]); // -1
   */
  slotOf(vertex: ArrayLike<number>): number {
    checkVertex('vertex', vertex, this.dims);
    return findSlot(this.table, this.mask, this.indices, this.dims, vertex, 0);
  }

  /**
   * Whether the vertex has been allocated.
   * @example
   * store.has([0, 0]); // false
   */
  has(vertex: ArrayLike<number>): boolean {
    return this.slotOf(vertex) >= 0;
  }

  /**
   * Coefficients of a vertex (zeros if absent; nothing is allocated in the store).
   * @example
   * store.get([0, 0]); // Float64Array of coefficientsPerVertex zeros
   */
  get(vertex: ArrayLike<number>, out: Float64Array = new Float64Array(this.coefficientsPerVertex)): Float64Array {
    const m = this.coefficientsPerVertex;
    const s = this.slotOf(vertex);
    if (!(out instanceof Float64Array) || out.length < m) {
      throw new TypeError(`out must be a Float64Array of at least ${m} entries (got ${show(out)})`);
    }
    if (s < 0) out.fill(0, 0, m);
    else out.set(this.coeffs.subarray(s * m, s * m + m));
    return out;
  }

  /**
   * Overwrites the coefficients of a vertex (frozen flags do not prevent an explicit `set`). `-0` is stored as 0.
   * @example
   * store.set([2, -3], [1, 0.5, 0.5, 0.25]);
   */
  set(vertex: ArrayLike<number>, values: ArrayLike<number>): void {
    checkVertex('vertex', vertex, this.dims);
    const m = this.coefficientsPerVertex;
    checkFiniteArray('values', values, m);
    const o = this.ensureSlot(vertex, 0) * m;
    for (let t = 0; t < m; t++) this.coeffs[o + t] = values[t] + 0;
  }

  /**
   * Adds `scale·deltas` to the coefficients of a vertex (allocating it if needed), skipping frozen coefficients.
   * @example
   * store.add([0, 0], [1, 2, 3, 4], -0.1);
   */
  add(vertex: ArrayLike<number>, deltas: ArrayLike<number>, scale = 1): void {
    checkVertex('vertex', vertex, this.dims);
    const m = this.coefficientsPerVertex;
    checkFiniteArray('deltas', deltas, m);
    checkFinite('scale', scale);
    const o = this.ensureSlot(vertex, 0) * m;
    for (let t = 0; t < m; t++) if (this.fixed[o + t] === 0) this.coeffs[o + t] += scale * deltas[t];
  }

  /**
   * Freezes one coefficient (index in `[0, coefficientsPerVertex)`) or, by default, all coefficients of a vertex,
   * allocating the vertex if needed. Frozen coefficients are skipped by `add`, scatter-adds and fitting.
   * @example
   * store.fix([0, 0], 0); // freeze the value dof of vertex (0, 0)
   */
  fix(vertex: ArrayLike<number>, coefficient?: number): void {
    this.setFixed(vertex, coefficient, 1);
  }

  /**
   * Unfreezes one coefficient or all coefficients of a vertex.
   * @example
   * store.unfix([0, 0]);
   */
  unfix(vertex: ArrayLike<number>, coefficient?: number): void {
    this.setFixed(vertex, coefficient, 0);
  }

  /**
   * Whether a coefficient of a vertex is frozen (false for absent vertices).
   * @example
   * store.isFixed([0, 0], 0); // false
   */
  isFixed(vertex: ArrayLike<number>, coefficient: number): boolean {
    checkInt('coefficient', coefficient, 0, this.coefficientsPerVertex - 1);
    const s = this.slotOf(vertex);
    return s >= 0 && this.fixed[s * this.coefficientsPerVertex + coefficient] !== 0;
  }

  /**
   * Calls `fn(vertex, coefficients, slot)` for every stored vertex in insertion order. The arrays passed are views
   * into the store, valid only during the call.
   * @example
   * store.forEach((v, c) => console.log(Array.from(v), Array.from(c)));
   */
  forEach(fn: (vertex: Int32Array, coefficients: Float64Array, slot: number) => void): void {
    if (typeof fn !== 'function') throw new TypeError(`fn must be a function (got ${show(fn)})`);
    const d = this.dims;
    const m = this.coefficientsPerVertex;
    for (let s = 0; s < this.count; s++) {
      fn(this.indices.subarray(s * d, s * d + d), this.coeffs.subarray(s * m, s * m + m), s);
    }
  }

  /**
   * Removes every vertex (capacity is kept).
   * @example
   * store.clear(); store.size; // 0
   */
  clear(): void {
    this.table.fill(0);
    this.coeffs.fill(0);
    this.fixed.fill(0);
    this.count = 0;
    this.fixedTotal = 0;
    this.epoch++;
  }

  /**
   * Sets every coefficient of every stored vertex to `value` (frozen ones included).
   * @example
   * store.fill(0);
   */
  fill(value: number): void {
    checkFinite('value', value);
    this.coeffs.fill(value + 0, 0, this.count * this.coefficientsPerVertex);
  }

  /**
   * Slot of the tuple `key[off..off+dims)`, inserting a zero vertex if absent. Unvalidated except for the bounds
   * check of bounded stores (RangeError); used by the evaluation and fitting code.
   * @example
   * const slot = store.ensureSlot(new Int32Array([0, 0]), 0);
   */
  ensureSlot(key: ArrayLike<number>, off: number): number {
    const d = this.dims;
    let pos = probe(this.table, this.mask, this.indices, d, key, off);
    const e = this.table[pos];
    if (e !== 0) return e - 1;
    if (this.vertexLower !== null && this.vertexUpper !== null) {
      for (let k = 0; k < d; k++) {
        const n = key[off + k];
        if (n < this.vertexLower[k] || n > this.vertexUpper[k]) {
          throw new RangeError(
            `vertex index ${n} in dimension ${k} lies outside the bounded grid's vertex range [${this.vertexLower[k]}, ${this.vertexUpper[k]}]`,
          );
        }
      }
    }
    const s = this.count;
    if ((s + 1) * d > this.indices.length) this.growArrays();
    if (2 * (s + 1) > this.table.length) {
      this.rehash(this.table.length * 2);
      pos = probe(this.table, this.mask, this.indices, d, key, off);
    }
    for (let k = 0; k < d; k++) this.indices[s * d + k] = key[off + k];
    this.table[pos] = s + 1;
    this.count = s + 1;
    return s;
  }

  private setFixed(vertex: ArrayLike<number>, coefficient: number | undefined, flag: 0 | 1): void {
    checkVertex('vertex', vertex, this.dims);
    const m = this.coefficientsPerVertex;
    if (coefficient !== undefined) checkInt('coefficient', coefficient, 0, m - 1);
    let s = findSlot(this.table, this.mask, this.indices, this.dims, vertex, 0);
    if (s < 0) {
      if (flag === 0) return;
      s = this.ensureSlot(vertex, 0);
    }
    const lo = coefficient === undefined ? 0 : coefficient;
    const hi = coefficient === undefined ? m : coefficient + 1;
    for (let t = lo; t < hi; t++) {
      const i = s * m + t;
      this.fixedTotal += flag - this.fixed[i];
      this.fixed[i] = flag;
    }
  }

  private growArrays(): void {
    const cap = Math.max(16, 2 * (this.indices.length / this.dims));
    const ni = new Int32Array(cap * this.dims);
    ni.set(this.indices);
    const nc = new Float64Array(cap * this.coefficientsPerVertex);
    nc.set(this.coeffs);
    const nf = new Uint8Array(cap * this.coefficientsPerVertex);
    nf.set(this.fixed);
    this.indices = ni;
    this.coeffs = nc;
    this.fixed = nf;
  }

  private rehash(size: number): void {
    const t = new Int32Array(size);
    const mask = size - 1;
    const d = this.dims;
    for (let s = 0; s < this.count; s++) {
      const pos = probe(t, mask, this.indices, d, this.indices, s * d);
      t[pos] = s + 1;
    }
    this.table = t;
    this.mask = mask;
  }
}

