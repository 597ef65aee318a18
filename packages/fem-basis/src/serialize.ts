/**
 * Exact (de)serialisation of finite-element functions to a documented JSON object and a compact binary layout.
 * @module
 */
import type { ElementKind } from './element.ts';
import { createFunction, FeFunction } from './function.ts';
import { MAX_DIMS } from './grid.ts';
import { checkFiniteArray, checkInt, checkVertex, show } from './validate.ts';

/**
 * Format tag of both serialisations.
 * @example
 * FORMAT; // 'srn-fem-basis'
 */
export const FORMAT = 'srn-fem-basis';

/**
 * Current format version.
 * @example
 * FORMAT_VERSION; // 1
 */
export const FORMAT_VERSION = 1;

/**
 * One vertex in the JSON format.
 * @example
 * const v: FemJsonVertex = { index: [0, -1], coefficients: [1, 0, 0, 0], fixed: [0] };
 */
export interface FemJsonVertex {
  /** Integer vertex index per dimension. */
  index: number[];
  /** The `coefficientsPerVertex` coefficients (fractional units for DER dofs). */
  coefficients: number[];
  /** Indices of frozen coefficients; omitted when none is frozen. */
  fixed?: number[];
}

/**
 * The JSON format (version 1). Numbers are written by `JSON.stringify`, whose shortest round-trip decimal form
 * restores every double exactly; vertices appear in insertion order, so a round trip also restores the storage
 * order bit for bit.
 * @example
 * const json: FemJson = {
 *   format: 'srn-fem-basis', version: 1, element: 'q3c1', dims: 1, spacing: [0.1], origin: [0], bounds: null,
 *   coefficientsPerVertex: 2, vertices: [{ index: [3], coefficients: [1.5, 0.1] }],
 * };
 */
export interface FemJson {
  /** Always `'srn-fem-basis'`. */
  format: typeof FORMAT;
  /** Format version, 1. */
  version: number;
  /** Element name. */
  element: ElementKind;
  /** Number of dimensions. */
  dims: number;
  /** Spacing per dimension. */
  spacing: number[];
  /** Origin per dimension. */
  origin: number[];
  /** Declared box, or null for an unbounded grid. */
  bounds: { lower: number[]; upper: number[] } | null;
  /** Coefficients per vertex (2^dims for q3c1, 1 for q1); redundant, checked on load. */
  coefficientsPerVertex: number;
  /** The touched vertices in insertion order. */
  vertices: FemJsonVertex[];
}

/**
 * Serialises a function to the JSON format (a plain object; pass it to `JSON.stringify`).
 * @example
 * const text = JSON.stringify(toJSON(fn));
 * const copy = fromJSON(text);
 */
export function toJSON(fn: FeFunction): FemJson {
  checkFunction(fn);
  const st = fn.store;
  const vertices: FemJsonVertex[] = [];
  st.forEach((v, c, s) => {
    const entry: FemJsonVertex = { index: Array.from(v), coefficients: Array.from(c) };
    const m = st.coefficientsPerVertex;
    const fixed: number[] = [];
    if (st.fixed !== null) for (let t = 0; t < m; t++) if (st.fixed[s * m + t] !== 0) fixed.push(t);
    if (fixed.length > 0) entry.fixed = fixed;
    vertices.push(entry);
  });
  const g = fn.grid;
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    element: fn.element.kind,
    dims: fn.dims,
    spacing: Array.from(g.spacing),
    origin: Array.from(g.origin),
    bounds: g.bounds === null ? null : { lower: Array.from(g.bounds.lower), upper: Array.from(g.bounds.upper) },
    coefficientsPerVertex: fn.coefficientsPerVertex,
    vertices,
  };
}

/**
 * Restores a function from the JSON format (object or JSON text); validates every field.
 * @example
 * const fn2 = fromJSON(JSON.stringify(toJSON(fn)));
 */
export function fromJSON(json: FemJson | string): FeFunction {
  let obj: unknown = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new TypeError(`json must be valid JSON text (${(e as Error).message})`);
    }
  }
  if (obj === null || typeof obj !== 'object') throw new TypeError(`json must be an object (got ${show(obj)})`);
  const j = obj as FemJson;
  if (j.format !== FORMAT) throw new RangeError(`json.format must be '${FORMAT}' (got ${show(j.format)})`);
  if (j.version !== FORMAT_VERSION) throw new RangeError(`json.version must be ${FORMAT_VERSION} (got ${show(j.version)})`);
  const dims = checkInt('json.dims', j.dims, 1, MAX_DIMS);
  const fn = createFunction({
    element: j.element,
    spacing: checkFiniteArray('json.spacing', j.spacing, dims),
    origin: checkFiniteArray('json.origin', j.origin, dims),
    bounds: j.bounds,
  });
  if (j.coefficientsPerVertex !== fn.coefficientsPerVertex) {
    throw new RangeError(
      `json.coefficientsPerVertex must be ${fn.coefficientsPerVertex} for ${j.element} in ${dims}-D (got ${show(j.coefficientsPerVertex)})`,
    );
  }
  if (!Array.isArray(j.vertices)) throw new TypeError(`json.vertices must be an array (got ${show(j.vertices)})`);
  const m = fn.coefficientsPerVertex;
  const st = fn.store;
  j.vertices.forEach((v, i) => {
    if (v === null || typeof v !== 'object') throw new TypeError(`json.vertices[${i}] must be an object (got ${show(v)})`);
    const index = checkVertex(`json.vertices[${i}].index`, v.index, dims);
    if (st.slotOf(index) >= 0) throw new RangeError(`json.vertices[${i}].index repeats vertex [${Array.from(index)}]`);
    st.set(index, checkFiniteArray(`json.vertices[${i}].coefficients`, v.coefficients, m));
    if (v.fixed !== undefined) {
      if (!Array.isArray(v.fixed)) throw new TypeError(`json.vertices[${i}].fixed must be an array (got ${show(v.fixed)})`);
      for (const t of v.fixed) st.fix(index, checkInt(`json.vertices[${i}].fixed[]`, t, 0, m - 1));
    }
  });
  return fn;
}

const MAGIC = 0x4d454653; // 'SFEM' read as little-endian uint32

/** Whether typed arrays are little-endian here, so that their bytes are the format's bytes as they stand. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Zero bytes shared by the padding and frozen-flag chunks of {@link toBinaryChunks} (never written to). */
const ZEROS = new Uint8Array(1 << 16);

/** `n` zero bytes as chunks of {@link ZEROS}, appended to `out`. */
function zeroChunks(n: number, out: Uint8Array[]): void {
  for (let o = 0; o < n; o += ZEROS.length) out.push(ZEROS.subarray(0, Math.min(ZEROS.length, n - o)));
}

/** The bytes of the header, spacing, origin and bounds (see {@link toBinary}). */
function binaryHead(fn: FeFunction): Uint8Array {
  const d = fn.dims;
  const g = fn.grid;
  const head = new Uint8Array(16 + 8 * d * (g.bounds !== null ? 4 : 2));
  const dv = new DataView(head.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint8(8, fn.element.kind === 'q3c1' ? 1 : 0);
  dv.setUint8(9, d);
  dv.setUint8(10, g.bounds !== null ? 1 : 0);
  dv.setUint32(12, fn.store.count, true);
  let o = 16;
  const put = (a: Float64Array) => {
    for (let k = 0; k < d; k++, o += 8) dv.setFloat64(o, a[k], true);
  };
  put(g.spacing);
  put(g.origin);
  if (g.bounds !== null) {
    put(g.bounds.lower);
    put(g.bounds.upper);
  }
  return head;
}

/**
 * Serialises a function to the binary format (version 1, little-endian):
 *
 * | offset | type | content |
 * |---|---|---|
 * | 0 | 4 bytes | magic `SFEM` |
 * | 4 | uint32 | version (1) |
 * | 8 | uint8 ×4 | element (0 = q1, 1 = q3c1), dims, flags (bit 0: bounded), 0 |
 * | 12 | uint32 | vertex count n |
 * | 16 | float64 ×d | spacing, then origin (×d), then lower and upper (×d each) if bounded |
 * | … | int32 ×n·d | vertex index tuples in insertion order |
 * | … | zero bytes | padding to a multiple of 8 |
 * | … | float64 ×n·m | coefficients |
 * | … | uint8 ×n·m | frozen flags (0/1) |
 * @example
 * const bytes = toBinary(fn); const copy = fromBinary(bytes);
 */
export function toBinary(fn: FeFunction): Uint8Array {
  const chunks = toBinaryChunks(fn);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * The bytes of {@link toBinary} as consecutive chunks, without a copy of the coefficients: on a little-endian host
 * (every platform Node runs on) the vertex indices, the coefficients and, when something is frozen, the flags are
 * views of the function's own store, and padding and absent flags are views of one shared block of zeros. For writing
 * a large function (or many: a training checkpoint) piece by piece with no second copy of it in memory. The chunks
 * are read-only, and valid only until the function changes (an insertion may replace the store's arrays).
 * @example
 * const chunks = toBinaryChunks(fn); // their concatenation equals toBinary(fn)
 * const length = chunks.reduce((n, c) => n + c.length, 0);
 */
export function toBinaryChunks(fn: FeFunction): Uint8Array[] {
  checkFunction(fn);
  const d = fn.dims;
  const m = fn.coefficientsPerVertex;
  const st = fn.store;
  const n = st.count;
  const head = binaryHead(fn);
  const idxEnd = head.length + 4 * n * d;
  const pad = Math.ceil(idxEnd / 8) * 8 - idxEnd;
  const out: Uint8Array[] = [head];
  if (LITTLE_ENDIAN) {
    out.push(new Uint8Array(st.indices.buffer, st.indices.byteOffset, 4 * n * d));
    zeroChunks(pad, out);
    out.push(new Uint8Array(st.coeffs.buffer, st.coeffs.byteOffset, 8 * n * m));
  } else {
    const body = new Uint8Array(4 * n * d + pad + 8 * n * m);
    const dv = new DataView(body.buffer);
    for (let i = 0; i < n * d; i++) dv.setInt32(4 * i, st.indices[i], true);
    const c0 = 4 * n * d + pad;
    for (let i = 0; i < n * m; i++) dv.setFloat64(c0 + 8 * i, st.coeffs[i], true);
    out.push(body);
  }
  if (st.fixed !== null) out.push(st.fixed.subarray(0, n * m));
  else zeroChunks(n * m, out);
  return out;
}

/**
 * Options of {@link fromBinary}.
 * @example
 * const opts: FromBinaryOptions = { share: true };
 */
export interface FromBinaryOptions {
  /**
   * Let the function's store use the coefficients and vertex indices in `bytes` where they lie, without copying them
   * (default false): the function then keeps `bytes`' whole buffer alive and works on it (changing the function
   * changes `bytes`, until the store grows into arrays of its own). Taken only where it is exact: on a little-endian
   * host, with the coefficients 8-byte aligned in their buffer, every coefficient finite and not `-0`, nothing frozen;
   * otherwise the data are copied as without the option.
   */
  share?: boolean;
}

/**
 * Restores a function from the binary format written by {@link toBinary}. The store gets exactly the capacity of the
 * vertices read (no room to grow); with `options.share` it may use `bytes` in place (see {@link FromBinaryOptions}).
 * @example
 * const copy = fromBinary(toBinary(fn));
 * const inPlace = fromBinary(bytesReadFromAFile, { share: true }); // no copy of the coefficients
 */
export function fromBinary(bytes: Uint8Array, options: FromBinaryOptions = {}): FeFunction {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array (got ${show(bytes)})`);
  if (bytes.length < 16) throw new RangeError(`bytes is too short for the header (got length ${bytes.length})`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new RangeError('bytes does not start with the magic SFEM');
  const version = dv.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new RangeError(`bytes has format version ${version}, expected ${FORMAT_VERSION}`);
  const code = dv.getUint8(8);
  if (code > 1) throw new RangeError(`bytes has unknown element code ${code}`);
  const d = checkInt('dims (bytes[9])', dv.getUint8(9), 1, MAX_DIMS);
  const flags = dv.getUint8(10);
  if (flags > 1) throw new RangeError(`bytes has unknown flags ${flags}`);
  const bounded = flags === 1;
  const n = dv.getUint32(12, true);
  const m = code === 1 ? 2 ** d : 1;
  const head = 16 + 8 * d * (bounded ? 4 : 2);
  const cStart = Math.ceil((head + 4 * n * d) / 8) * 8;
  const total = cStart + 9 * n * m;
  if (bytes.length !== total) throw new RangeError(`bytes must have length ${total} for ${n} vertices (got ${bytes.length})`);
  let o = 16;
  const take = () => {
    const a: number[] = [];
    for (let k = 0; k < d; k++, o += 8) a.push(dv.getFloat64(o, true));
    return a;
  };
  const spacing = take();
  const origin = take();
  const bounds = bounded ? { lower: take(), upper: take() } : null;
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object (got ${show(options)})`);
  const share = options.share === true && LITTLE_ENDIAN && (bytes.byteOffset + cStart) % 8 === 0 && sharable(bytes, cStart, n * m);
  const element = code === 1 ? 'q3c1' : 'q1';
  const fn = createFunction({ element, spacing, origin, bounds, initialCapacity: share ? 1 : Math.max(1, n) });
  const st = fn.store;
  if (share) {
    // head is a multiple of 8, so the indices are 4-byte aligned when the coefficients are 8-byte aligned.
    const at = bytes.byteOffset;
    try {
      st.adopt(new Int32Array(bytes.buffer, at + head, n * d), new Float64Array(bytes.buffer, at + cStart, n * m));
    } catch (e) {
      throw new RangeError(`bytes ${(e as Error).message.replace(/^indices /, '')}`);
    }
    return fn;
  }
  // Vertices in order (each new: a repeat would get an earlier slot), then the coefficients in one piece.
  const idx = new Int32Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) idx[k] = dv.getInt32(o + 4 * (i * d + k), true);
    if (st.ensureSlot(idx, 0) !== i) throw new RangeError(`bytes repeats vertex [${Array.from(idx)}]`);
  }
  const c = st.coeffs;
  if (LITTLE_ENDIAN) new Uint8Array(c.buffer, c.byteOffset, 8 * n * m).set(bytes.subarray(cStart, cStart + 8 * n * m));
  else for (let i = 0; i < n * m; i++) c[i] = dv.getFloat64(cStart + 8 * i, true);
  for (let i = 0; i < n * m; i++) {
    const x = c[i];
    if (!Number.isFinite(x)) {
      throw new RangeError(`bytes holds a non-finite coefficient ${x} (vertex ${Math.floor(i / m)}, coefficient ${i % m})`);
    }
    c[i] = x + 0; // -0 is stored as 0, as by set()
  }
  const fixedStart = cStart + 8 * n * m;
  for (let i = 0; i < n * m; i++) {
    const f = bytes[fixedStart + i];
    if (f === 0) continue;
    if (f > 1) throw new RangeError(`bytes has an invalid frozen flag ${f}`);
    const s = Math.floor(i / m);
    st.fix(st.indices.subarray(s * d, s * d + d), i % m);
  }
  return fn;
}

/** Whether the `count` coefficients at `start` are all finite and not -0, and the frozen flags after them all 0. */
function sharable(bytes: Uint8Array, start: number, count: number): boolean {
  const c = new Float64Array(bytes.buffer, bytes.byteOffset + start, count);
  for (let i = 0; i < count; i++) {
    const x = c[i];
    if (!Number.isFinite(x) || (x === 0 && 1 / x < 0)) return false;
  }
  const flags = start + 8 * count;
  for (let i = 0; i < count; i++) if (bytes[flags + i] !== 0) return false;
  return true;
}

function checkFunction(fn: FeFunction): void {
  if (!(fn instanceof FeFunction)) {
    throw new TypeError(`fn must be a FeFunction (got ${show(fn)})`);
  }
}
