/**
 * The static maximum-entropy (Bethe) diagnostic (issue #16 item 1, spec dbd-experiments.md section 3, rung 4): at one
 * time, the fully visible lattice Boltzmann model P(s) ∝ exp(Σ_i h_{s_i} + Σ_<ij> J_{s_i s_j}) (h per species, J
 * per unordered NN species pair; empty sites contribute nothing) whose single-site and NN pair moments equal the
 * simulated ones, read off for every other observable (NNN pairs, runs). Among all distributions with those
 * moments it is the one of maximum entropy, so the gap between its NNN prediction and the data is the part of a
 * closure's error that no model of this class at the right moments can remove.
 *
 * Fit: the sufficient statistics are the counts n_A and the NN pair counts NN_AB (A ≤ B); the log-likelihood's
 * gradient is their data mean minus their model mean, its negative Hessian their covariance under the model. Start
 * from the pseudo-likelihood fit ({@link fitBoltzmannLattice}) or, if its moments are further off, from independent
 * sites at the data's densities; then damped Newton steps
 * θ ← θ + α·(C + λ·diag C)⁻¹(m_data − m_model) with m_model and C estimated from independent Gibbs samples
 * (`createBoltzmannSampler` of `@srn/gillespie/lattice`, `sweeps` sweeps from a random start each); α ≤ 1 caps a
 * parameter's change at 0.5 and is halved (up to 5 times) until the mismatch Σ_i (m_data − m_model)_i²/v_i falls (v_i
 * the data's per-lattice variance, at least max(1, m_data,i)),
 * else the fit stops where it is. Strongly clustered data (large J) put the model near a phase coexistence, where
 * Gibbs samples from a random start mix slowly: `largestZ` then stays large and says so. The returned moments come
 * from a fresh set of samples, independent of those that steered the fit.
 */
import type { Rng } from '@srn/gillespie';
import {
  type BoltzmannParameters,
  compileObservables,
  createBoltzmannSampler,
  defaultObservables,
  type LatticeGeometry,
  type LatticeObservable,
  measureObservablesUnchecked,
} from '@srn/gillespie/lattice';
import { fitBoltzmannLattice } from './theta0.ts';

/** Largest Newton step per parameter, and halvings tried before a step is given up. */
const MAX_STEP = 0.5;
const HALVINGS = 5;

/**
 * Options of {@link fitMaxEntLattice}.
 *
 * @example
 * ```ts
 * const options: MaxEntOptions = { rng: createRng(3), samples: 32, sweeps: 60, iterations: 6 };
 * ```
 */
export interface MaxEntOptions {
  /** Gibbs sampling streams (sample m of iteration k uses `rng.stream(k·samples + m)`). */
  rng: Rng;
  /** Independent Gibbs samples (whole lattices) per Newton step and for the final moments (default 32). */
  samples?: number;
  /** Gibbs sweeps per sample from a random start (default 60). */
  sweeps?: number;
  /** Newton steps after the pseudo-likelihood start (default 6). */
  iterations?: number;
  /** Levenberg damping λ (default 0.1). */
  damping?: number;
  /** What to read off (default the lattice's default observables: counts, NN and NNN pair counts). */
  observables?: readonly LatticeObservable[];
}

/**
 * A maximum-entropy fit at one time.
 *
 * @example
 * ```ts
 * const fit: MaxEntFit = fitMaxEntLattice(geometry, ['X', 'Y'], lattices, { rng: createRng(1) });
 * fit.predicted.NNN_XY; // the model's NNN X–Y pair count per lattice
 * ```
 */
export interface MaxEntFit {
  params: BoltzmannParameters;
  /** The pseudo-likelihood start. */
  start: BoltzmannParameters;
  /** Newton steps accepted (each one lowered the moment mismatch). */
  steps: number;
  /**
   * The largest |z| of the fitted moments, (model − data)/√(SE_model² + SE_data²), on the fresh samples: a fit is
   * at the maximum-entropy model within sampling tolerance when this is a few units (infinite when the data's moment
   * has no spread, e.g. fixed initial counts, and the model differs).
   */
  largestZ: number;
  /** Names of the fitted moments (counts, then NN pair counts). */
  moments: readonly string[];
  /** Their data means and standard errors (over the given lattices). */
  data: Float64Array;
  dataSe: Float64Array;
  /** Their means and standard errors under the fitted model (fresh samples). */
  model: Float64Array;
  modelSe: Float64Array;
  /** Every observable read off the fitted model (mean per lattice over the fresh samples), and its standard error. */
  predicted: Record<string, number>;
  predictedSe: Record<string, number>;
}

function meanAndSe(values: Float64Array, rows: number, width: number, mean: Float64Array, se: Float64Array): void {
  for (let k = 0; k < width; k++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += values[r * width + k]!;
    const m = s / rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (values[r * width + k]! - m) ** 2;
    mean[k] = m;
    se[k] = rows > 1 ? Math.sqrt(v / (rows - 1) / rows) : Number.NaN;
  }
}

/** Solves A x = b in place (Gaussian elimination with partial pivoting; A is n × n row-major). */
function solve(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    if (!(Math.abs(A[p * n + c]!) > 1e-300)) return false;
    if (p !== c) {
      for (let k = 0; k < n; k++) [A[c * n + k], A[p * n + k]] = [A[p * n + k]!, A[c * n + k]!];
      [b[c], b[p]] = [b[p]!, b[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[r * n + k] -= f * A[c * n + k]!;
      b[r] -= f * b[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = b[c]!;
    for (let k = c + 1; k < n; k++) s -= A[c * n + k]! * b[k]!;
    b[c] = s / A[c * n + c]!;
  }
  return true;
}

/**
 * Fits the maximum-entropy model to lattices of one time and reads off the other observables (see the module notes).
 *
 * @param geometry the lattice (`createLatticeGeometry`)
 * @param species species names (code k is `species[k − 1]`)
 * @param lattices the simulated lattices at this time (one per run)
 * @param options sampling streams and budget
 * @throws TypeError/RangeError naming the bad argument
 *
 * @example
 * ```ts
 * const geometry = createLatticeGeometry([40, 40]);
 * const fit = fitMaxEntLattice(geometry, ['X', 'Y'], lattices, { rng: createRng(1) });
 * fit.model[0] - fit.data[0]; // within a few standard errors
 * ```
 */
export function fitMaxEntLattice(
  geometry: LatticeGeometry,
  species: readonly string[],
  lattices: readonly Uint8Array[],
  options: MaxEntOptions,
): MaxEntFit {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${String(options)}`);
  const rng = options.rng;
  if (rng === null || typeof rng !== 'object' || typeof rng.stream !== 'function') throw new TypeError(`options.rng must be an Rng; got ${String(rng)}`);
  const count = (value: unknown, name: string, fallback: number, min: number): number => {
    const v = value ?? fallback;
    if (!Number.isSafeInteger(v) || (v as number) < min) throw new RangeError(`options.${name} must be an integer >= ${min}; got ${String(value)}`);
    return v as number;
  };
  const samples = count(options.samples, 'samples', 32, 2);
  const sweeps = count(options.sweeps, 'sweeps', 60, 1);
  const iterations = count(options.iterations, 'iterations', 6, 0);
  const damping = options.damping ?? 0.1;
  if (typeof damping !== 'number' || !(damping >= 0) || !Number.isFinite(damping)) {
    throw new RangeError(`options.damping must be a finite number >= 0; got ${String(options.damping)}`);
  }
  // validates geometry, species and lattices
  const start = fitBoltzmannLattice(geometry, species, lattices).params;
  const S = species.length;
  const statObs: LatticeObservable[] = species.map((s) => ({ type: 'count', species: s, name: s }));
  const keys: string[] = species.slice();
  for (let a = 0; a < S; a++) {
    for (let b = a; b < S; b++) {
      statObs.push({ type: 'pair', species: [species[a]!, species[b]!], displacements: 'nn', name: `NN_${species[a]}${species[b]}` });
      keys.push(`${species[a]}-${species[b]}`);
    }
  }
  const statistics = compileObservables(geometry, species, statObs);
  const readOff = compileObservables(geometry, species, options.observables ?? defaultObservables(species, geometry.shape.length));
  const n = statObs.length;
  const lattice = lattices.length;
  const rows = new Float64Array(Math.max(lattice, samples) * n);
  for (let m = 0; m < lattice; m++) measureObservablesUnchecked(statistics, lattices[m]!, rows, m * n);
  const data = new Float64Array(n);
  const dataSe = new Float64Array(n);
  meanAndSe(rows, lattice, n, data, dataSe);

  const theta = Float64Array.from(keys, (k, i) => (i < S ? start.h[k] : start.J[k]) ?? 0);
  const paramsOf = (): BoltzmannParameters => {
    const p: BoltzmannParameters = { h: {}, J: {}, K: {} };
    keys.forEach((k, i) => {
      if (i < S) p.h[k] = theta[i]!;
      else p.J[k] = theta[i]!;
    });
    return p;
  };
  const occupancy = new Uint8Array(geometry.size);
  const model = new Float64Array(n);
  const modelSe = new Float64Array(n);
  const C = new Float64Array(n * n);
  const step = new Float64Array(n);
  const trial = new Float64Array(n);
  let stream = 0;
  const sampleModel = (onSample: (occ: Uint8Array, m: number) => void): void => {
    const sampler = createBoltzmannSampler(geometry, species, paramsOf());
    for (let m = 0; m < samples; m++) {
      sampler.sample(sweeps, rng.stream(stream++), occupancy);
      onSample(occupancy, m);
    }
  };
  // fixed scales of the mismatch: the data's per-lattice variance of each moment, at least max(1, mean) (a Poisson
  // count's; fixed initial counts have none). Not the model's variance: a condensed, bimodal model has a huge one and
  // would look close.
  const scale = Float64Array.from(data, (d, i) => Math.max(dataSe[i]! ** 2 * lattice, Math.max(1, d)));
  // the model's moments and covariance at θ; the mismatch Σ_i (m_data − m_model)²/scale_i
  const evaluate = (): number => {
    sampleModel((occ, m) => measureObservablesUnchecked(statistics, occ, rows, m * n));
    meanAndSe(rows, samples, n, model, modelSe);
    C.fill(0);
    for (let m = 0; m < samples; m++) {
      for (let i = 0; i < n; i++) {
        const di = rows[m * n + i]! - model[i]!;
        for (let j = 0; j < n; j++) C[i * n + j] += (di * (rows[m * n + j]! - model[j]!)) / (samples - 1);
      }
    }
    let mismatch = 0;
    for (let i = 0; i < n; i++) {
      // a moment that never varies (e.g. a species absent from the data) gets a unit curvature
      if (!(C[i * n + i]! > 0)) C[i * n + i] = 1;
      mismatch += (data[i]! - model[i]!) ** 2 / scale[i]!;
    }
    return mismatch;
  };
  // damped Newton with backtracking: a step (at most `MAX_STEP` per parameter) is kept only if the mismatch falls;
  // else it is halved, up to `HALVINGS` times, and the fit stops when no trial improves (near a phase coexistence the
  // Gibbs estimates are poor and a full Newton step can condense the model)
  let mismatch = iterations > 0 ? evaluate() : Number.NaN;
  if (iterations > 0) {
    // the independent-site model at the data's densities (J = 0) as a second start: the pseudo-likelihood fit of
    // strongly clustered non-equilibrium data can sit in a condensed phase the Newton steps cannot leave
    trial.set(theta);
    let occupied = 0;
    for (let a = 0; a < S; a++) occupied += data[a]!;
    const empty = Math.max(geometry.size - occupied, 0.5);
    for (let i = 0; i < n; i++) theta[i] = i < S ? Math.log(Math.max(data[i]!, 0.5) / empty) : 0;
    const independent = evaluate();
    if (independent < mismatch) mismatch = independent;
    else {
      theta.set(trial);
      mismatch = evaluate();
    }
  }
  let accepted = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) {
      C[i * n + i] = C[i * n + i]! * (1 + damping);
      step[i] = data[i]! - model[i]!;
    }
    if (!solve(C, step, n)) break;
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(step[i]!));
    let alpha = largest > MAX_STEP ? MAX_STEP / largest : 1;
    trial.set(theta);
    let improved = false;
    for (let h = 0; h <= HALVINGS && !improved; h++, alpha /= 2) {
      for (let i = 0; i < n; i++) theta[i] = trial[i]! + alpha * step[i]!;
      const next = evaluate();
      if (next < mismatch) {
        mismatch = next;
        improved = true;
      }
    }
    if (!improved) {
      theta.set(trial);
      break;
    }
    accepted++;
  }
  // fresh samples for the reported moments and the read-off
  const width = readOff.names.length;
  const predictedRows = new Float64Array(samples * width);
  sampleModel((occ, m) => {
    measureObservablesUnchecked(statistics, occ, rows, m * n);
    measureObservablesUnchecked(readOff, occ, predictedRows, m * width);
  });
  meanAndSe(rows, samples, n, model, modelSe);
  const pm = new Float64Array(width);
  const ps = new Float64Array(width);
  meanAndSe(predictedRows, samples, width, pm, ps);
  const predicted: Record<string, number> = {};
  const predictedSe: Record<string, number> = {};
  readOff.names.forEach((name, k) => {
    predicted[name] = pm[k]!;
    predictedSe[name] = ps[k]!;
  });
  let finalMismatch = 0;
  for (let i = 0; i < n; i++) {
    const se = Math.hypot(modelSe[i]!, dataSe[i]!);
    finalMismatch = Math.max(finalMismatch, se > 0 ? Math.abs(model[i]! - data[i]!) / se : model[i] === data[i] ? 0 : Number.POSITIVE_INFINITY);
  }
  return {
    params: paramsOf(),
    start,
    steps: accepted,
    largestZ: finalMismatch,
    moments: statistics.names.slice(),
    data,
    dataSe,
    model,
    modelSe,
    predicted,
    predictedSe,
  };
}

/**
 * The maximum-entropy diagnostic along an ensemble: {@link fitMaxEntLattice} at each selected time on the lattices of
 * every run at that time, the read-off observables as columns (a prediction to score like the others).
 *
 * @param geometry the lattice
 * @param species species names
 * @param trajectories one packed occupancy (T × N codes) per run, all on the grid `times`
 * @param times the time grid of the trajectories
 * @param options as {@link fitMaxEntLattice}, plus `every` (fit every k-th time, default 1); time index t uses
 *   `rng.stream(t)`
 * @returns the fitted times, the read-off columns and the fits
 *
 * @example
 * ```ts
 * const d = maxEntDiagnostic(geometry, ['X', 'Y'], runs.map((r) => r.trajectory!.occupancy), times, { rng: createRng(1), every: 10 });
 * d.columns.NNN_XY; // at d.times
 * ```
 */
export function maxEntDiagnostic(
  geometry: LatticeGeometry,
  species: readonly string[],
  trajectories: readonly Uint8Array[],
  times: Float64Array,
  options: MaxEntOptions & { every?: number },
): { times: Float64Array; names: string[]; columns: Record<string, Float64Array>; fits: MaxEntFit[] } {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${String(options)}`);
  if (!(times instanceof Float64Array) || times.length === 0) throw new TypeError('times must be a non-empty Float64Array');
  const every = options.every ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`options.every must be a positive integer; got ${String(options.every)}`);
  if (!Array.isArray(trajectories) || trajectories.length === 0) throw new RangeError('trajectories must be a non-empty array');
  if (geometry === null || typeof geometry !== 'object' || !(geometry.neighbors instanceof Int32Array)) {
    throw new TypeError(`geometry must come from createLatticeGeometry; got ${String(geometry)}`);
  }
  const N = geometry.size;
  trajectories.forEach((occ, r) => {
    if (!(occ instanceof Uint8Array) || occ.length !== times.length * N) {
      throw new TypeError(`trajectories[${r}] must be a Uint8Array of ${times.length} × ${N} codes`);
    }
  });
  const picked: number[] = [];
  for (let t = 0; t < times.length; t += every) picked.push(t);
  const fits = picked.map((t) =>
    fitMaxEntLattice(
      geometry,
      species,
      trajectories.map((occ) => occ.subarray(t * N, (t + 1) * N)),
      { ...options, rng: options.rng.stream(t) },
    ),
  );
  const names = Object.keys(fits[0]!.predicted);
  const columns: Record<string, Float64Array> = {};
  for (const name of names) columns[name] = Float64Array.from(fits, (f) => f.predicted[name]!);
  return { times: Float64Array.from(picked, (t) => times[t]!), names, columns, fits };
}
