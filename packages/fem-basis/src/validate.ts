/**
 * Argument validation shared by the public API. Every error names the argument and the offending value.
 * @module
 */

/**
 * Short printable form of a value for error messages.
 * @example
 * show(-0); // '-0'
 */
export function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  return typeof v;
}

/**
 * Throws unless `v` is a finite number.
 * @example
 * checkFinite('scale', 0.5); // 0.5; checkFinite('scale', NaN) throws RangeError
 */
export function checkFinite(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number (got ${show(v)})`);
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be finite (got ${show(v)})`);
  return v;
}

/**
 * Throws unless `v` is a finite number > 0.
 * @example
 * checkPositive('spacing', 0.1);
 */
export function checkPositive(name: string, v: unknown): number {
  checkFinite(name, v);
  if ((v as number) <= 0) throw new RangeError(`${name} must be > 0 (got ${show(v)})`);
  return v as number;
}

/**
 * Throws unless `v` is a finite number >= 0.
 * @example
 * checkNonNegative('options.regularization', 0);
 */
export function checkNonNegative(name: string, v: unknown): number {
  checkFinite(name, v);
  if ((v as number) < 0) throw new RangeError(`${name} must be >= 0 (got ${show(v)})`);
  return v as number;
}

/**
 * Throws unless `v` is an integer in `[lo, hi]`.
 * @example
 * checkInt('dims', 3, 1, 10);
 */
export function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be an integer (got ${show(v)})`);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`${name} must be an integer in [${lo}, ${hi}] (got ${show(v)})`);
  }
  return v;
}

/**
 * True for arrays and numeric typed arrays (not DataView).
 * @example
 * isArrayLike(new Float64Array(2)); // true
 */
export function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * Throws unless `v` is an array or typed array of length `len` (exact, or at least `len` when `atLeast`).
 * @example
 * checkArray('x', [1, 2], 2);
 */
export function checkArray(name: string, v: unknown, len: number, atLeast = false): ArrayLike<number> {
  if (!isArrayLike(v)) throw new TypeError(`${name} must be an array or typed array (got ${show(v)})`);
  if (atLeast ? v.length < len : v.length !== len) {
    throw new RangeError(`${name} must have ${atLeast ? 'at least ' : ''}${len} entries (got length ${v.length})`);
  }
  return v;
}

/**
 * Throws unless `v` is an array of `len` finite numbers.
 * @example
 * checkFiniteArray('origin', [0, 1], 2);
 */
export function checkFiniteArray(name: string, v: unknown, len: number): ArrayLike<number> {
  const a = checkArray(name, v, len);
  for (let i = 0; i < len; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RangeError(`${name}[${i}] must be a finite number (got ${show(x)})`);
    }
  }
  return a;
}

/**
 * Throws unless `v` is an instance of the typed-array constructor `ctor` with at least `len` entries.
 * @example
 * checkTyped('out', new Float64Array(3), Float64Array, 3);
 */
export function checkTyped<T extends Float64Array | Int32Array>(
  name: string,
  v: unknown,
  ctor: { new (n: number): T; name: string },
  len: number,
): T {
  if (!(v instanceof ctor)) throw new TypeError(`${name} must be a ${ctor.name} (got ${show(v)})`);
  if (v.length < len) throw new RangeError(`${name} must have at least ${len} entries (got length ${v.length})`);
  return v;
}

/**
 * Largest |vertex index| supported (so that index + 1 still fits an int32).
 * @example
 * MAX_INDEX; // 2147483646
 */
export const MAX_INDEX = 2 ** 31 - 2;

/**
 * Throws unless `v` is a tuple of `dims` integers within ±{@link MAX_INDEX}.
 * @example
 * checkVertex('vertex', [0, -3], 2);
 */
export function checkVertex(name: string, v: unknown, dims: number): ArrayLike<number> {
  const a = checkArray(name, v, dims);
  for (let k = 0; k < dims; k++) {
    const n = a[k];
    if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > MAX_INDEX) {
      throw new RangeError(`${name}[${k}] must be an integer vertex index in ±${MAX_INDEX} (got ${show(n)})`);
    }
  }
  return a;
}
