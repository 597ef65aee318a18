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
    for (let t = 0; t < m; t++) if (st.fixed[s * m + t] !== 0) fixed.push(t);
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
  checkFunction(fn);
  const d = fn.dims;
  const m = fn.coefficientsPerVertex;
  const st = fn.store;
  const n = st.count;
  const g = fn.grid;
  const bounded = g.bounds !== null;
  const head = 16 + 8 * d * (bounded ? 4 : 2);
  const idxEnd = head + 4 * n * d;
  const cStart = Math.ceil(idxEnd / 8) * 8;
  const total = cStart + 8 * n * m + n * m;
  const buf = new ArrayBuffer(total);
  const dv = new DataView(buf);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint8(8, fn.element.kind === 'q3c1' ? 1 : 0);
  dv.setUint8(9, d);
  dv.setUint8(10, bounded ? 1 : 0);
  dv.setUint32(12, n, true);
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
  for (let i = 0; i < n * d; i++, o += 4) dv.setInt32(o, st.indices[i], true);
  o = cStart;
  for (let i = 0; i < n * m; i++, o += 8) dv.setFloat64(o, st.coeffs[i], true);
  new Uint8Array(buf, o, n * m).set(st.fixed.subarray(0, n * m));
  return new Uint8Array(buf);
}

/**
 * Restores a function from the binary format written by {@link toBinary}.
 * @example
 * const copy = fromBinary(toBinary(fn));
 */
export function fromBinary(bytes: Uint8Array): FeFunction {
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
  const fn = createFunction({ element: code === 1 ? 'q3c1' : 'q1', spacing, origin, bounds });
  const st = fn.store;
  const idx = new Int32Array(d);
  const c = new Float64Array(m);
  const fixedStart = cStart + 8 * n * m;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) idx[k] = dv.getInt32(o + 4 * (i * d + k), true);
    for (let t = 0; t < m; t++) c[t] = dv.getFloat64(cStart + 8 * (i * m + t), true);
    if (st.slotOf(idx) >= 0) throw new RangeError(`bytes repeats vertex [${Array.from(idx)}]`);
    st.set(idx, c);
    for (let t = 0; t < m; t++) {
      const f = bytes[fixedStart + i * m + t];
      if (f > 1) throw new RangeError(`bytes has an invalid frozen flag ${f}`);
      if (f === 1) st.fix(idx, t);
    }
  }
  return fn;
}

function checkFunction(fn: FeFunction): void {
  if (!(fn instanceof FeFunction)) {
    throw new TypeError(`fn must be a FeFunction (got ${show(fn)})`);
  }
}
