/**
 * Training data: lattice trajectories of `@srn/gillespie/lattice`, validated against a machine's visible layer, with
 * species codes mapped to visible-layer states and a fingerprint that checkpoints are matched against.
 *
 * @packageDocumentation
 */

import type { Machine } from '@srn/boltzmann';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { crc32 } from './container.ts';
import { show } from './validate.ts';

/**
 * The data a DBD is trained on: trajectories with equal shape, species and time grid (t = 0, Δt, …, (T − 1)Δt),
 * optionally from several initial conditions (K conditions × M samples, the 2019 protocol): every condition has its
 * own θ(0) and all share one F.
 *
 * @example
 * ```ts
 * const data: TrainingData = { trajectories: runs.map((r) => r.trajectory!) };
 * // two initial conditions, three samples each
 * const multi: TrainingData = { trajectories: [...runsA, ...runsB], conditions: [0, 0, 0, 1, 1, 1] };
 * ```
 */
export interface TrainingData {
  readonly trajectories: readonly LatticeTrajectory[];
  /**
   * 0-based initial condition of every trajectory (default: all 0, one condition). Conditions are numbered
   * 0 … K − 1 and every one of them needs at least one trajectory.
   */
  readonly conditions?: ArrayLike<number>;
}

/**
 * Identity of a data set, stored in checkpoints.
 *
 * @example
 * ```ts
 * const f: DataFingerprint = { trajectories: 100, timePoints: 500, shape: [40, 40], species: ['X', 'Y'], crc: 0 };
 * ```
 */
export interface DataFingerprint {
  readonly trajectories: number;
  readonly timePoints: number;
  readonly shape: number[];
  readonly species: string[];
  /** CRC-32 of every trajectory's occupancy, chained in order. */
  readonly crc: number;
  /** The condition of every trajectory, present only when there are several conditions. */
  readonly conditions?: number[];
}

/**
 * Validated data (internal). The occupancies are kept packed, `bits` per site (the fewest of 1, 2, 4 and 8 that hold
 * the codes 0 … S of S species: 2 bits for the two species of Lotka-Volterra, a quarter of the bytes of the
 * trajectories), and read a snapshot at a time through {@link snapshotInto}.
 *
 * @example
 * ```ts
 * const p: PreparedData = prepareData(data, machine, 1);
 * ```
 */
export interface PreparedData {
  readonly count: number;
  readonly timePoints: number;
  readonly sites: number;
  /** Bits per site of `packed`. */
  readonly bits: 1 | 2 | 4 | 8;
  /**
   * Per trajectory: the species codes of its T × N sites (time-major), `8 / bits` codes per byte, the first in the
   * lowest bits (with 8 bits: the trajectory's own occupancy array).
   */
  readonly packed: readonly Uint8Array[];
  /** Per trajectory: data species code → visible-layer state. */
  readonly maps: readonly Uint8Array[];
  /** Number K of initial conditions (1 without `data.conditions`). */
  readonly conditionCount: number;
  /** Trajectory indices of every condition, ascending. */
  readonly members: readonly Int32Array[];
  readonly fingerprint: DataFingerprint;
}

/**
 * Shape and species of the first trajectory (to build a default machine), validated lightly.
 *
 * @example
 * ```ts
 * peekData(data); // { shape: [40, 40], species: ['X', 'Y'] }
 * ```
 */
export function peekData(data: unknown): { shape: number[]; species: string[] } {
  const d = data as TrainingData;
  if (d === null || typeof d !== 'object' || !Array.isArray(d.trajectories) || d.trajectories.length === 0) {
    throw new TypeError(`data must be { trajectories: LatticeTrajectory[] } with at least one trajectory; got ${show(data)}`);
  }
  const t0 = d.trajectories[0];
  if (t0 === null || typeof t0 !== 'object' || !Array.isArray(t0.shape) || !Array.isArray(t0.species)) {
    throw new TypeError(`data.trajectories[0] must be a LatticeTrajectory; got ${show(t0)}`);
  }
  return { shape: [...t0.shape], species: [...t0.species] };
}

/**
 * Validates the data against the machine's visible layer and the time step.
 *
 * @example
 * ```ts
 * const prepared = prepareData(data, createMachine(paperMachineSpec(40)), 1);
 * ```
 */
export function prepareData(data: unknown, machine: Machine, dt: number): PreparedData {
  const { shape, species } = peekData(data);
  const trajectories = (data as TrainingData).trajectories;
  const V = machine.layers[0];
  if (shape.length !== V.shape.length || shape.some((n, k) => n !== V.shape[k])) {
    throw new RangeError(`data.trajectories[0].shape ${show(shape)} must equal the visible layer shape ${show([...V.shape])}`);
  }
  const N = V.size;
  const T = (trajectories[0].times as Float64Array)?.length;
  if (!(trajectories[0].times instanceof Float64Array) || T < 2) {
    throw new RangeError(`data.trajectories[0].times must be a Float64Array of at least 2 time points; got ${show(trajectories[0].times)}`);
  }
  const S = species.length;
  const bits = S < 2 ? 1 : S < 4 ? 2 : S < 16 ? 4 : 8;
  const packed: Uint8Array[] = [];
  const maps: Uint8Array[] = [];
  let crc = 0;
  trajectories.forEach((tr, i) => {
    const name = `data.trajectories[${i}]`;
    if (tr === null || typeof tr !== 'object') throw new TypeError(`${name} must be a LatticeTrajectory; got ${show(tr)}`);
    if (!Array.isArray(tr.shape) || tr.shape.length !== shape.length || tr.shape.some((n, k) => n !== shape[k])) {
      throw new RangeError(`${name}.shape must equal ${show(shape)}; got ${show(tr.shape)}`);
    }
    if (!Array.isArray(tr.species) || tr.species.length !== species.length || tr.species.some((s, k) => s !== species[k])) {
      throw new RangeError(`${name}.species must equal ${show(species)}; got ${show(tr.species)}`);
    }
    if (!(tr.times instanceof Float64Array) || tr.times.length !== T) {
      throw new RangeError(`${name}.times must be a Float64Array of ${T} time points; got ${show(tr.times)}`);
    }
    for (let t = 0; t < T; t++) {
      if (!(Math.abs(tr.times[t] - tr.times[0] - t * dt) <= 1e-9 * Math.max(1, Math.abs(t * dt)))) {
        throw new RangeError(`${name}.times must be equally spaced with step dt = ${dt}; got times[${t}] = ${tr.times[t]}`);
      }
    }
    if (!(tr.occupancy instanceof Uint8Array) || tr.occupancy.length !== T * N) {
      throw new TypeError(`${name}.occupancy must be a Uint8Array of T·N = ${T * N} codes; got ${show(tr.occupancy)}`);
    }
    const occ = tr.occupancy;
    for (let k = 0; k < occ.length; k++) {
      if (occ[k] > S) throw new RangeError(`${name}.occupancy[${k}] = ${occ[k]} exceeds the species count ${S}`);
    }
    const map = new Uint8Array(S + 1);
    species.forEach((s, k) => {
      const st = V.states.indexOf(s);
      if (st < 0) throw new RangeError(`${name}.species[${k}] = ${show(s)} is not a state of the visible layer (${V.states.join(', ')})`);
      map[k + 1] = st + 1;
    });
    packed.push(bits === 8 ? occ : packCodes(occ, bits));
    maps.push(map);
    crc = crc32(occ, 0, occ.length, crc);
  });
  const { labels, members } = conditionMembers(data as TrainingData);
  const K = members.length;
  return {
    count: trajectories.length,
    timePoints: T,
    sites: N,
    bits,
    packed,
    maps,
    conditionCount: K,
    members,
    fingerprint: { trajectories: trajectories.length, timePoints: T, shape, species, crc, ...(K > 1 ? { conditions: labels! } : {}) },
  };
}

/** Codes (each < 2^bits) packed `8 / bits` to a byte, the first in the lowest bits. */
function packCodes(codes: Uint8Array, bits: 1 | 2 | 4): Uint8Array {
  const per = 8 / bits;
  const out = new Uint8Array(Math.ceil(codes.length / per));
  for (let i = 0; i < codes.length; i++) out[Math.floor(i / per)] |= codes[i] << ((i % per) * bits);
  return out;
}

/**
 * Writes the N site codes of trajectory `tr` at time point `t` into `out[offset …]`, each through `map` when given
 * (`map[code]`: e.g. the trajectory's visible-layer states, `data.maps[tr]`), else as they are. Unchecked and
 * allocation-free (the training loop clamps every batch snapshot through it).
 *
 * @example
 * ```ts
 * const lattice = new Uint8Array(data.sites);
 * snapshotInto(data, 0, 0, lattice, 0, data.maps[0]); // the visible states of trajectory 0 at t = 0
 * ```
 */
export function snapshotInto(data: PreparedData, tr: number, t: number, out: Uint8Array, offset: number, map?: Uint8Array): void {
  const N = data.sites;
  const src = data.packed[tr];
  const bits = data.bits;
  const first = t * N;
  if (bits === 8) {
    if (map === undefined) out.set(src.subarray(first, first + N), offset);
    else for (let u = 0; u < N; u++) out[offset + u] = map[src[first + u]];
    return;
  }
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  let u = 0;
  // Whole bytes when the snapshot starts on one (every time point of a lattice whose size is a multiple of 8 / bits).
  if (first % per === 0 && map !== undefined) {
    const whole = N - (N % per);
    let j = first / per;
    if (bits === 2) {
      for (; u < whole; u += 4, j++) {
        const b = src[j];
        out[offset + u] = map[b & 3];
        out[offset + u + 1] = map[(b >> 2) & 3];
        out[offset + u + 2] = map[(b >> 4) & 3];
        out[offset + u + 3] = map[b >> 6];
      }
    } else {
      for (; u < whole; u += per, j++) {
        const b = src[j];
        for (let k = 0; k < per; k++) out[offset + u + k] = map[(b >> (k * bits)) & mask];
      }
    }
  }
  for (; u < N; u++) {
    const i = first + u;
    const code = (src[Math.floor(i / per)] >> ((i % per) * bits)) & mask;
    out[offset + u] = map === undefined ? code : map[code];
  }
}

/**
 * The initial conditions of the data: `members[k]` lists the trajectories of condition k (ascending); `labels` is
 * `data.conditions` as plain numbers (null when absent: one condition holding every trajectory). Validated.
 *
 * @example
 * ```ts
 * conditionMembers({ trajectories: [a, b, c], conditions: [1, 0, 1] }).members; // [Int32Array [1], Int32Array [0, 2]]
 * ```
 */
export function conditionMembers(data: TrainingData): { labels: number[] | null; members: Int32Array[] } {
  const count = data.trajectories.length;
  const labels = conditionLabels(data.conditions, count);
  const K = labels === null ? 1 : labels.reduce((a, b) => Math.max(a, b), 0) + 1;
  const lists: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < count; i++) lists[labels === null ? 0 : labels[i]].push(i);
  const members = lists.map((l) => Int32Array.from(l));
  members.forEach((m, k) => {
    if (m.length === 0) throw new RangeError(`data.conditions has no trajectory of condition ${k} (conditions must be numbered 0 … K − 1)`);
  });
  return { labels, members };
}

/** Validated `data.conditions` as plain numbers (null when absent). */
function conditionLabels(conditions: unknown, count: number): number[] | null {
  if (conditions === undefined) return null;
  const c = conditions as ArrayLike<number>;
  if (c === null || typeof c !== 'object' || typeof c.length !== 'number' || c.length !== count) {
    throw new TypeError(`data.conditions must be an array of ${count} condition indices (one per trajectory); got ${show(conditions)}`);
  }
  const labels = Array.from(c);
  labels.forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 0 || v >= count) {
      throw new RangeError(`data.conditions[${i}] must be an integer in [0, ${count - 1}]; got ${show(v)}`);
    }
  });
  return labels;
}
