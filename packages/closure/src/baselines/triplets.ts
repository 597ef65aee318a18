/**
 * Site, NN-pair and 3-site statistics of lattices in the form the pair-level equations use (issue #16 item 1): the
 * singlets ρ_a, the ordered NN pairs P_ab and the triplets T_cab of a site i in state a with two distinct
 * neighbours j (state c) and k (state b), averaged over all ordered pairs (j, k) of distinct neighbours of every site
 * (in 2-D both the straight and the bent triplets, as the pair approximation treats them alike). Codes are 0
 * (empty) and the species codes 1..S; B = S + 1. Layouts: ρ [a], P [a·B + b], T [(c·B + a)·B + b].
 *
 * Neighbours across a closed boundary do not exist, so a bond or a triplet that would use one is not counted.
 */
import type { LatticeGeometry, LatticeTrajectory } from '@srn/gillespie/lattice';

/**
 * Statistics of one or more lattices (or of one time of an ensemble).
 *
 * @example
 * ```ts
 * const s: LatticeStatistics = measureLatticeStatistics(geometry, ['A'], lattices);
 * s.triplets[(1 * 2 + 1) * 2 + 1]; // P(A A A) along bent or straight 3-site paths
 * ```
 */
export interface LatticeStatistics {
  /** States per site, S + 1. */
  B: number;
  /** ρ_a (length B). */
  rho: Float64Array;
  /** P_ab (B², symmetric). */
  pairs: Float64Array;
  /** T_cab (B³), symmetric under c ↔ b; Σ_b T_cab = P_ca. */
  triplets: Float64Array;
}

/**
 * Statistics at every time of an ensemble of trajectories: row t of each array holds the statistics over all runs'
 * lattices at `times[t]`.
 *
 * @example
 * ```ts
 * const s = trajectoryStatistics(geometry, runs.map((r) => r.trajectory!));
 * s.pairs.subarray(t * s.B * s.B, (t + 1) * s.B * s.B); // P at times[t]
 * ```
 */
export interface TrajectoryStatistics {
  B: number;
  times: Float64Array;
  /** T × B. */
  rho: Float64Array;
  /** T × B². */
  pairs: Float64Array;
  /** T × B³. */
  triplets: Float64Array;
}

/**
 * Allocation-free kernel: adds one lattice's raw counts to `acc` (length B + B² + B³ + 2): site states, ordered NN
 * bonds, ordered (j, i, k) triplets, then the numbers of bonds and of triplets in the two last entries. No checks:
 * the codes must be < B and the occupancy must fit the geometry.
 *
 * @example
 * ```ts
 * const acc = new Float64Array(2 + 4 + 8 + 2);
 * accumulateLatticeStatisticsUnchecked(geometry, 2, occupancy, acc);
 * ```
 */
export function accumulateLatticeStatisticsUnchecked(geometry: LatticeGeometry, B: number, occupancy: Uint8Array, acc: Float64Array): void {
  const { size, degree, neighbors } = geometry;
  const p0 = B;
  const t0 = B + B * B;
  const nb = t0 + B * B * B;
  const states = NEIGHBOUR_STATES;
  let bonds = 0;
  let triplets = 0;
  for (let i = 0; i < size; i++) {
    const a = occupancy[i]!;
    acc[a]! += 1;
    const base = i * degree;
    // the neighbours' states once per site (−1 across a closed boundary)
    for (let d = 0; d < degree; d++) {
      const j = neighbors[base + d]!;
      states[d] = j < 0 ? -1 : occupancy[j]!;
    }
    for (let d = 0; d < degree; d++) {
      const c = states[d]!;
      if (c < 0) continue;
      acc[p0 + a * B + c]! += 1;
      bonds++;
      const row = t0 + (c * B + a) * B;
      for (let e = 0; e < degree; e++) {
        const b = states[e]!;
        if (e === d || b < 0) continue;
        acc[row + b]! += 1;
        triplets++;
      }
    }
  }
  acc[nb]! += bonds;
  acc[nb + 1]! += triplets;
}

/** Scratch of {@link accumulateLatticeStatisticsUnchecked}: the states of one site's neighbours (degree ≤ 6). */
const NEIGHBOUR_STATES = new Int32Array(6);

function checkGeometry(geometry: LatticeGeometry): void {
  if (geometry === null || typeof geometry !== 'object' || !(geometry.neighbors instanceof Int32Array)) {
    throw new TypeError(`geometry must come from createLatticeGeometry; got ${String(geometry)}`);
  }
}

function normalise(acc: Float64Array, B: number, lattices: number, size: number, rho: Float64Array, pairs: Float64Array, triplets: Float64Array): void {
  const p0 = B;
  const t0 = B + B * B;
  const nb = t0 + B * B * B;
  for (let a = 0; a < B; a++) rho[a] = acc[a]! / (lattices * size);
  const bonds = acc[nb]!;
  const trip = acc[nb + 1]!;
  for (let x = 0; x < B * B; x++) pairs[x] = bonds > 0 ? acc[p0 + x]! / bonds : 0;
  for (let x = 0; x < B * B * B; x++) triplets[x] = trip > 0 ? acc[t0 + x]! / trip : 0;
}

/**
 * Singlets, NN pairs and triplets averaged over `lattices` (see the module notes).
 *
 * @param geometry the lattice (`createLatticeGeometry`); it needs at least 2 directions per site for triplets
 * @param species species names (code k is `species[k − 1]`)
 * @param lattices occupancies of `geometry.size` codes 0..S
 * @throws TypeError/RangeError naming the bad argument
 *
 * @example
 * ```ts
 * const s = measureLatticeStatistics(createLatticeGeometry([6]), ['A'], [Uint8Array.of(1, 1, 0, 1, 0, 0)]);
 * s.rho[1]; // 0.5
 * ```
 */
export function measureLatticeStatistics(geometry: LatticeGeometry, species: readonly string[], lattices: readonly Uint8Array[]): LatticeStatistics {
  checkGeometry(geometry);
  if (!Array.isArray(species) || species.length === 0) throw new TypeError(`species must be a non-empty array of names; got ${String(species)}`);
  if (!Array.isArray(lattices) || lattices.length === 0) throw new RangeError('lattices must be a non-empty array of occupancies');
  const S = species.length;
  const B = S + 1;
  const acc = new Float64Array(B + B * B + B * B * B + 2);
  lattices.forEach((occ, m) => {
    checkOccupancy(occ, geometry.size, S, `lattices[${m}]`);
    accumulateLatticeStatisticsUnchecked(geometry, B, occ, acc);
  });
  const out: LatticeStatistics = { B, rho: new Float64Array(B), pairs: new Float64Array(B * B), triplets: new Float64Array(B * B * B) };
  normalise(acc, B, lattices.length, geometry.size, out.rho, out.pairs, out.triplets);
  return out;
}

function checkOccupancy(occ: Uint8Array, size: number, S: number, name: string): void {
  if (!(occ instanceof Uint8Array) || occ.length !== size) throw new TypeError(`${name} must be a Uint8Array of length ${size}`);
  for (let i = 0; i < size; i++) if (occ[i]! > S) throw new RangeError(`${name}[${i}] = ${occ[i]} is not a species code (0..${S})`);
}

/**
 * Statistics at every recorded time over an ensemble of trajectories (the snapshots of `simulateLattice`), all on
 * one time grid.
 *
 * @param geometry the lattice the runs were simulated on (its boundary decides which bonds exist)
 * @param trajectories one per run, with the same shape, species and times
 * @throws TypeError/RangeError naming the bad argument
 *
 * @example
 * ```ts
 * const runs = Array.from({ length: 10 }, (_, r) => simulateLattice(config, createRng(1, r)).trajectory!);
 * const stats = trajectoryStatistics(createLatticeGeometry(config.shape, 'periodic'), runs);
 * ```
 */
export function trajectoryStatistics(geometry: LatticeGeometry, trajectories: readonly LatticeTrajectory[]): TrajectoryStatistics {
  checkGeometry(geometry);
  if (!Array.isArray(trajectories) || trajectories.length === 0) throw new RangeError('trajectories must be a non-empty array');
  const first = trajectories[0]!;
  if (first === null || typeof first !== 'object' || !(first.occupancy instanceof Uint8Array)) {
    throw new TypeError('trajectories[0] must be a LatticeTrajectory (shape, species, times, occupancy)');
  }
  const S = first.species.length;
  const B = S + 1;
  const N = geometry.size;
  const T = first.times.length;
  trajectories.forEach((tr, r) => {
    if (tr === null || typeof tr !== 'object' || !(tr.occupancy instanceof Uint8Array) || tr.occupancy.length !== T * N) {
      throw new TypeError(`trajectories[${r}] must hold ${T} snapshots of ${N} sites`);
    }
    if (tr.species.join('\u0000') !== first.species.join('\u0000')) throw new RangeError(`trajectories[${r}].species differ from trajectories[0]`);
    for (let t = 0; t < T; t++) {
      if (tr.times[t] !== first.times[t]) throw new RangeError(`trajectories[${r}].times[${t}] = ${tr.times[t]} differs from trajectories[0]`);
    }
    for (let i = 0; i < T * N; i++) if (tr.occupancy[i]! > S) throw new RangeError(`trajectories[${r}].occupancy[${i}] is not a species code`);
  });
  const out: TrajectoryStatistics = {
    B,
    times: first.times.slice(),
    rho: new Float64Array(T * B),
    pairs: new Float64Array(T * B * B),
    triplets: new Float64Array(T * B * B * B),
  };
  const acc = new Float64Array(B + B * B + B * B * B + 2);
  for (let t = 0; t < T; t++) {
    acc.fill(0);
    for (const tr of trajectories) accumulateLatticeStatisticsUnchecked(geometry, B, tr.occupancy.subarray(t * N, (t + 1) * N), acc);
    normalise(
      acc,
      B,
      trajectories.length,
      N,
      out.rho.subarray(t * B, (t + 1) * B),
      out.pairs.subarray(t * B * B, (t + 1) * B * B),
      out.triplets.subarray(t * B * B * B, (t + 1) * B * B * B),
    );
  }
  return out;
}
