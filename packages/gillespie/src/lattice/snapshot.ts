/**
 * Lattice snapshots and trajectories, and their compact platform-neutral encodings (binary and JSON). The paper's
 * text format and file I/O live in the Node entry `@srn/gillespie/lattice-node`.
 */
import { checkShape } from './geometry.ts';

/**
 * One lattice configuration: row-major occupancy codes (0 empty, k = `species[k - 1]`).
 *
 * @example
 * ```ts
 * const snap: LatticeSnapshot = { shape: [2, 2], species: ['X', 'Y'], occupancy: Uint8Array.of(1, 0, 0, 2) };
 * ```
 */
export interface LatticeSnapshot {
  shape: number[];
  species: string[];
  occupancy: Uint8Array;
}

/**
 * A sequence of snapshots on a time grid: `occupancy` packs `times.length` configurations of `prod(shape)` sites
 * back to back (snapshot t is `occupancy.subarray(t * N, (t + 1) * N)`).
 *
 * @example
 * ```ts
 * const traj: LatticeTrajectory = { shape: [2], species: ['X'], times: Float64Array.of(0, 1), occupancy: Uint8Array.of(1, 0, 0, 1) };
 * snapshotAt(traj, 1).occupancy; // Uint8Array [0, 1]
 * ```
 */
export interface LatticeTrajectory {
  shape: number[];
  species: string[];
  times: Float64Array;
  occupancy: Uint8Array;
}

/**
 * Validates a snapshot (shape, species names, occupancy length and codes); returns it unchanged.
 *
 * @example
 * ```ts
 * checkSnapshot({ shape: [2], species: ['X'], occupancy: Uint8Array.of(0, 2) }); // throws RangeError: code 2
 * ```
 */
export function checkSnapshot(snapshot: LatticeSnapshot, name = 'snapshot'): LatticeSnapshot {
  if (snapshot === null || typeof snapshot !== 'object') throw new TypeError(`${name} must be an object; got ${String(snapshot)}`);
  const shape = checkShape(snapshot.shape, `${name}.shape`);
  if (!Array.isArray(snapshot.species) || snapshot.species.some((s) => typeof s !== 'string')) {
    throw new TypeError(`${name}.species must be an array of strings`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (!(snapshot.occupancy instanceof Uint8Array) || snapshot.occupancy.length !== size) {
    throw new TypeError(`${name}.occupancy must be a Uint8Array of length ${size}; got ${String(snapshot.occupancy?.length)}`);
  }
  const maxCode = snapshot.species.length;
  for (let i = 0; i < size; i++) {
    if (snapshot.occupancy[i] > maxCode) {
      throw new RangeError(`${name}.occupancy[${i}] = ${snapshot.occupancy[i]} exceeds the species count ${maxCode}`);
    }
  }
  return snapshot;
}

/**
 * Snapshot `index` of a trajectory (a view: the occupancy shares memory with the trajectory).
 *
 * @example
 * ```ts
 * const first = snapshotAt(trajectory, 0);
 * ```
 */
export function snapshotAt(trajectory: LatticeTrajectory, index: number): LatticeSnapshot {
  const size = trajectory.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(index) || index < 0 || index >= trajectory.times.length) {
    throw new RangeError(`index must be an integer in [0, ${trajectory.times.length}); got ${index}`);
  }
  return {
    shape: trajectory.shape.slice(),
    species: trajectory.species.slice(),
    occupancy: trajectory.occupancy.subarray(index * size, (index + 1) * size),
  };
}

const MAGIC = [0x53, 0x52, 0x4e, 0x4c]; // "SRNL"
const VERSION = 1;

function bitsFor(speciesCount: number): number {
  if (speciesCount <= 1) return 1;
  if (speciesCount <= 3) return 2;
  if (speciesCount <= 15) return 4;
  return 8;
}

/**
 * Encodes a trajectory (or a single snapshot, as a one-point trajectory at time 0) in the compact binary form:
 * `"SRNL"`, version, axis count, species count, bits per site, the shape (u32 each), species names (u8 length +
 * UTF-8), the point count (u32), the times (f64), then the occupancy codes bit-packed (1, 2, 4 or 8 bits per site,
 * low bits first). A 40 × 40 two-species trajectory of 500 points takes 200 kB.
 *
 * @example
 * ```ts
 * const bytes = encodeLattice(trajectory);
 * const back = decodeLattice(bytes); // equal to trajectory
 * ```
 */
export function encodeLattice(data: LatticeTrajectory | LatticeSnapshot): Uint8Array {
  const trajectory: LatticeTrajectory =
    'times' in data ? data : { ...checkSnapshot(data, 'data'), times: Float64Array.of(0) };
  const shape = checkShape(trajectory.shape, 'data.shape');
  const size = shape.reduce((a, b) => a * b, 1);
  const points = trajectory.times.length;
  if (!(trajectory.occupancy instanceof Uint8Array) || trajectory.occupancy.length !== size * points) {
    throw new TypeError(`data.occupancy must be a Uint8Array of length ${size * points}`);
  }
  const encoder = new TextEncoder();
  const names = trajectory.species.map((s) => encoder.encode(s));
  if (names.some((n) => n.length > 255) || names.length > 255) throw new RangeError('data.species: too many or too long names');
  const bits = bitsFor(names.length);
  const perByte = 8 / bits;
  const headerLength = 8 + 4 * shape.length + names.reduce((a, n) => a + 1 + n.length, 0) + 4;
  const timesOffset = Math.ceil(headerLength / 8) * 8;
  const dataOffset = timesOffset + 8 * points;
  const total = size * points;
  const out = new Uint8Array(dataOffset + Math.ceil(total / perByte));
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  out[5] = shape.length;
  out[6] = names.length;
  out[7] = bits;
  let o = 8;
  for (const extent of shape) {
    view.setUint32(o, extent, true);
    o += 4;
  }
  for (const n of names) {
    out[o++] = n.length;
    out.set(n, o);
    o += n.length;
  }
  view.setUint32(o, points, true);
  for (let t = 0; t < points; t++) view.setFloat64(timesOffset + 8 * t, trajectory.times[t], true);
  const codes = trajectory.occupancy;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < total; i++) {
    const code = codes[i];
    if (code > names.length) throw new RangeError(`data.occupancy[${i}] = ${code} exceeds the species count`);
    out[dataOffset + Math.floor(i / perByte)] |= (code & mask) << ((i % perByte) * bits);
  }
  return out;
}

/**
 * Decodes the binary form written by {@link encodeLattice}.
 *
 * @example
 * ```ts
 * const { shape, species, times, occupancy } = decodeLattice(bytes);
 * ```
 */
export function decodeLattice(bytes: Uint8Array): LatticeTrajectory {
  if (!(bytes instanceof Uint8Array) || bytes.length < 12) throw new TypeError('bytes must be a Uint8Array from encodeLattice');
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new RangeError('bytes: not an SRNL lattice encoding (bad magic)');
  }
  if (bytes[4] !== VERSION) throw new RangeError(`bytes: unsupported version ${bytes[4]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const axes = bytes[5];
  const speciesCount = bytes[6];
  const bits = bytes[7];
  let o = 8;
  const shape: number[] = [];
  for (let k = 0; k < axes; k++) {
    shape.push(view.getUint32(o, true));
    o += 4;
  }
  checkShape(shape, 'bytes: shape');
  const decoder = new TextDecoder();
  const species: string[] = [];
  for (let k = 0; k < speciesCount; k++) {
    const length = bytes[o++];
    species.push(decoder.decode(bytes.subarray(o, o + length)));
    o += length;
  }
  const points = view.getUint32(o, true);
  o += 4;
  const timesOffset = Math.ceil(o / 8) * 8;
  const size = shape.reduce((a, b) => a * b, 1);
  const perByte = 8 / bits;
  const dataOffset = timesOffset + 8 * points;
  const total = size * points;
  if (bytes.length < dataOffset + Math.ceil(total / perByte)) throw new RangeError('bytes: truncated lattice encoding');
  const times = new Float64Array(points);
  for (let t = 0; t < points; t++) times[t] = view.getFloat64(timesOffset + 8 * t, true);
  const occupancy = new Uint8Array(total);
  const mask = (1 << bits) - 1;
  for (let i = 0; i < total; i++) {
    occupancy[i] = (bytes[dataOffset + Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
  }
  return { shape, species, times, occupancy };
}

/**
 * The JSON form of a snapshot: `{ shape, species, sites: { X: [site, ...], ... } }` with 0-based row-major site
 * indices per species (sparse, readable, exact).
 *
 * @example
 * ```ts
 * snapshotToJson({ shape: [2, 2], species: ['X'], occupancy: Uint8Array.of(1, 0, 0, 1) });
 * // { shape: [2, 2], species: ['X'], sites: { X: [0, 3] } }
 * ```
 */
export function snapshotToJson(snapshot: LatticeSnapshot): { shape: number[]; species: string[]; sites: Record<string, number[]> } {
  checkSnapshot(snapshot);
  const sites: Record<string, number[]> = {};
  for (const s of snapshot.species) sites[s] = [];
  snapshot.occupancy.forEach((code, i) => {
    if (code !== 0) sites[snapshot.species[code - 1]].push(i);
  });
  return { shape: snapshot.shape.slice(), species: snapshot.species.slice(), sites };
}

/**
 * Inverse of {@link snapshotToJson}; accepts the parsed object (validated).
 *
 * @example
 * ```ts
 * snapshotFromJson({ shape: [2, 2], species: ['X'], sites: { X: [0, 3] } }).occupancy; // [1, 0, 0, 1]
 * ```
 */
export function snapshotFromJson(json: { shape: number[]; species: string[]; sites: Record<string, number[]> }): LatticeSnapshot {
  if (json === null || typeof json !== 'object') throw new TypeError(`json must be an object; got ${String(json)}`);
  const shape = checkShape(json.shape, 'json.shape');
  if (!Array.isArray(json.species)) throw new TypeError('json.species must be an array of names');
  const size = shape.reduce((a, b) => a * b, 1);
  const occupancy = new Uint8Array(size);
  for (const [name, list] of Object.entries(json.sites ?? {})) {
    const code = json.species.indexOf(name) + 1;
    if (code === 0) throw new RangeError(`json.sites has unknown species ${JSON.stringify(name)}`);
    if (!Array.isArray(list)) throw new TypeError(`json.sites.${name} must be an array of site indices`);
    for (const site of list) {
      if (!Number.isInteger(site) || site < 0 || site >= size) throw new RangeError(`json.sites.${name}: bad site ${site}`);
      if (occupancy[site] !== 0) throw new RangeError(`json.sites: site ${site} is occupied twice`);
      occupancy[site] = code;
    }
  }
  return { shape, species: json.species.slice(), occupancy };
}
