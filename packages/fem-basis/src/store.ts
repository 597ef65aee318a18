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
 * per vertex, in insertion order); its capacity grows by half when full (not by doubling), and {@link trim} cuts it
 * to the stored vertices. Frozen flags (one byte per coefficient, parallel to the coefficients) exist only once a
 * coefficient has been frozen: `fixed` is null before that, so a store that never freezes anything (a training
 * loop) spends 8 bytes per coefficient, not 9. Vertices that were never touched read as zero and are not allocated by
 * reads.
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
  /**
   * Frozen flags parallel to `coeffs` (raw, read-only): null until a coefficient is frozen for the first time (nothing
   * is frozen then), afterwards as long as `coeffs` (it is not released by `unfix`, only by `clear`).
   */
  fixed: Uint8Array | null;
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
    this.fixed = null;
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
    return this.indices.byteLength + this.coeffs.byteLength + (this.fixed?.byteLength ?? 0) + this.table.byteLength;
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
    const f = this.fixed;
    for (let t = 0; t < m; t++) if (f === null || f[o + t] === 0) this.coeffs[o + t] += scale * deltas[t];
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
    return s >= 0 && this.fixed !== null && this.fixed[s * this.coefficientsPerVertex + coefficient] !== 0;
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
    this.fixed = null;
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
    if (this.fixed === null) {
      if (flag === 0) return;
      this.fixed = new Uint8Array(this.coeffs.length);
    }
    const fixed = this.fixed;
    const lo = coefficient === undefined ? 0 : coefficient;
    const hi = coefficient === undefined ? m : coefficient + 1;
    for (let t = lo; t < hi; t++) {
      const i = s * m + t;
      this.fixedTotal += flag - fixed[i];
      fixed[i] = flag;
    }
  }

  /**
   * Capacity in vertices (the allocated length of the arrays; `size` of them are in use).
   * @example
   * new CoefficientStore(2, 4, { initialCapacity: 100 }).capacity; // 100
   */
  get capacity(): number {
    return this.indices.length / this.dims;
  }

  /**
   * Makes room for at least `vertices` vertices in all, so that inserting up to that many allocates nothing more
   * (e.g. before loading a known number of vertices). Never shrinks.
   * @example
   * store.reserve(10000);
   */
  reserve(vertices: number): void {
    const n = checkInt('vertices', vertices, 0, 2 ** 26);
    if (n > this.capacity) this.resize(n);
    let t = this.table.length;
    while (t < 2 * n) t *= 2;
    if (t > this.table.length) this.rehash(t);
  }

  /**
   * Cuts the capacity to the stored vertices (at least 1), releasing the spare room that growth left: for a store
   * that is complete (a trained or deserialised function). Later insertions grow it again.
   * @example
   * store.trim(); store.capacity === Math.max(1, store.size); // true
   */
  trim(): void {
    const n = Math.max(1, this.count);
    if (n < this.capacity) this.resize(n);
  }

  /**
   * Makes `indices` (n·dims vertex indices, in insertion order) and `coeffs` (n·coefficientsPerVertex coefficients)
   * the arrays of this empty store, without copying them: the store then works on (and changes) the caller's memory,
   * for example views of a file just read, until it has to grow. Nothing is frozen. Throws a RangeError, leaving the
   * store empty, for a repeated vertex or one outside a bounded store's range; the coefficients are taken as they are
   * (not checked for finiteness, `-0` not rewritten).
   * @example
   * const store = new CoefficientStore(1, 2);
   * store.adopt(Int32Array.of(0, 1), Float64Array.of(1, 0.5, 2, 0.25));
   * store.get([1]); // Float64Array [2, 0.25]
   */
  adopt(indices: Int32Array, coeffs: Float64Array): void {
    const d = this.dims;
    const m = this.coefficientsPerVertex;
    if (this.count !== 0) throw new RangeError(`adopt needs an empty store (it holds ${this.count} vertices)`);
    if (!(indices instanceof Int32Array) || indices.length % d !== 0) {
      throw new TypeError(`indices must be an Int32Array of n·${d} vertex indices (got ${show(indices)})`);
    }
    const n = indices.length / d;
    if (!(coeffs instanceof Float64Array) || coeffs.length !== n * m) {
      throw new TypeError(`coeffs must be a Float64Array of ${n}·${m} coefficients (got ${show(coeffs)})`);
    }
    let t = 16;
    while (t < 2 * n) t *= 2;
    const table = new Int32Array(t);
    for (let s = 0; s < n; s++) {
      if (this.vertexLower !== null && this.vertexUpper !== null) {
        for (let k = 0; k < d; k++) {
          const v = indices[s * d + k];
          if (v < this.vertexLower[k] || v > this.vertexUpper[k]) {
            throw new RangeError(
              `vertex index ${v} in dimension ${k} lies outside the bounded grid's vertex range [${this.vertexLower[k]}, ${this.vertexUpper[k]}]`,
            );
          }
        }
      }
      const pos = probe(table, t - 1, indices, d, indices, s * d);
      if (table[pos] !== 0) throw new RangeError(`indices repeats vertex [${Array.from(indices.subarray(s * d, s * d + d))}]`);
      table[pos] = s + 1;
    }
    this.indices = indices;
    this.coeffs = coeffs;
    this.fixed = null;
    this.fixedTotal = 0;
    this.table = table;
    this.mask = t - 1;
    this.count = n;
    this.epoch++;
  }

  /** Capacity grows by half (at least 16 vertices) when full. */
  private growArrays(): void {
    const cap = this.capacity;
    this.resize(Math.max(16, cap + Math.ceil(cap / 2)));
  }

  private resize(cap: number): void {
    const d = this.dims;
    const m = this.coefficientsPerVertex;
    const used = this.count;
    const ni = new Int32Array(cap * d);
    ni.set(this.indices.subarray(0, used * d));
    const nc = new Float64Array(cap * m);
    nc.set(this.coeffs.subarray(0, used * m));
    if (this.fixed !== null) {
      const nf = new Uint8Array(cap * m);
      nf.set(this.fixed.subarray(0, used * m));
      this.fixed = nf;
    }
    this.indices = ni;
    this.coeffs = nc;
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

