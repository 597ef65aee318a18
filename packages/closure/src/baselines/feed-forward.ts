/**
 * A learned feed-forward triplet closure after Kim, Ricke & Van Voorhis, "Machine learning dynamic correlation in
 * chemical kinetics", J. Chem. Phys. 155, 144107 (2021) (issue #16 item 1): a small multilayer perceptron maps the
 * 1- and 2-site statistics (ρ_a, P_ab) to the 3-site statistics T_cab that the pair-level equations need; plugged
 * into {@link generatePairApproximation} in place of the Kirkwood closure it gives a closed ODE.
 *
 * Parametrisation (ours; the structure keeps the pair equations conservative whatever the network outputs):
 * * inputs: ρ_1..ρ_S and P_ab for a ≤ b over codes 0..S, standardised by the training set's mean and SD;
 * * outputs: a log-correction g_cab to the Kirkwood closure for every centre a and c ≤ b (so g is symmetric in
 *   c ↔ b), clamped to ±`clamp`;
 * * T_cab = K_cab·e^{g_cab} with K_cab = P_ca·P_ab/ρ_a, then, per centre a, a symmetric Sinkhorn scaling
 *   M ← D·M·D (D = diag √(P_ca / Σ_b M_cb)) until Σ_b T_cab = P_ca: the consistency the pair equations need to
 *   conserve probability (the Kirkwood closure already satisfies it, so g = 0 is exactly the pair approximation).
 * * training target: g = ln((T + ε)/(K + ε)) of the measured statistics (ε keeps unseen triplets finite), mean
 *   squared error over samples and outputs, full batch, Adam from `@srn/boltzmann`, weights drawn with Glorot
 *   scaling from the injected Rng (same seed, same network).
 *
 * The network is hand-written over typed arrays (about 100 lines; a dependency would add more than the model):
 * tanh hidden layers, linear output, one flat parameter vector so the optimiser steps it in place.
 */
import { createAdam } from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie';
import type { TripletClosure } from './generated.ts';

/**
 * Training samples: M states, each with singlets (B), pairs (B²) and measured triplets (B³), row-major (the
 * layout of `trajectoryStatistics`; concatenate several ensembles' rows to train on all of them).
 *
 * @example
 * ```ts
 * const samples: ClosureSamples = { B: 3, rho, pairs, triplets };
 * ```
 */
export interface ClosureSamples {
  B: number;
  rho: Float64Array;
  pairs: Float64Array;
  triplets: Float64Array;
}

/**
 * Options of {@link trainFeedForwardClosure}.
 *
 * @example
 * ```ts
 * const options: FeedForwardClosureOptions = { rng: createRng(1), hidden: [32, 32], epochs: 3000 };
 * ```
 */
export interface FeedForwardClosureOptions {
  /** Draws the initial weights. */
  rng: Rng;
  /** Hidden layer widths (default [32, 32]). */
  hidden?: readonly number[];
  /** Full-batch Adam steps (default 3000). */
  epochs?: number;
  /** Adam learning rate (default 0.005). */
  learningRate?: number;
  /** ε of the target ln((T + ε)/(K + ε)) (default 1e-7). */
  epsilon?: number;
  /** Bound on |g| (default 4). */
  clamp?: number;
}

/**
 * A trained feed-forward closure.
 *
 * @example
 * ```ts
 * const ff = trainFeedForwardClosure(samples, { rng: createRng(1) });
 * const pa = generatePairApproximation(config, { tripletClosure: ff.closure });
 * ```
 */
export interface FeedForwardClosure {
  B: number;
  /** Layer widths from input to output. */
  layers: readonly number[];
  /** The flat parameters (per layer: weights row-major [out][in], then biases). */
  weights: Float64Array;
  /** Input standardisation. */
  inputMean: Float64Array;
  inputScale: Float64Array;
  /** Final training loss (mean squared error of g). */
  loss: number;
  /** The closure for `generatePairApproximation` (allocation-free). */
  closure: TripletClosure;
  /** The log-corrections g_cab (B³ layout, symmetric) the network outputs at (ρ, P), before the Sinkhorn scaling. */
  corrections(rho: Float64Array, pairs: Float64Array, out: Float64Array): void;
}

const SINKHORN_ITERATIONS = 50;

function gaussian(rng: Rng): number {
  const u = 1 - rng.nextFloat64();
  const v = rng.nextFloat64();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function featureCount(B: number): number {
  return B - 1 + (B * (B + 1)) / 2;
}

function outputIndex(B: number): { count: number; index: Int32Array } {
  // (c, a, b) → output, c ≤ b per centre a
  const index = new Int32Array(B * B * B);
  let n = 0;
  for (let a = 0; a < B; a++) {
    for (let c = 0; c < B; c++) {
      for (let b = c; b < B; b++) {
        index[(c * B + a) * B + b] = n;
        index[(b * B + a) * B + c] = n;
        n++;
      }
    }
  }
  return { count: n, index };
}

function features(B: number, rho: Float64Array, ro: number, pairs: Float64Array, po: number, out: Float64Array): void {
  let f = 0;
  for (let a = 1; a < B; a++) out[f++] = rho[ro + a]!;
  for (let a = 0; a < B; a++) for (let b = a; b < B; b++) out[f++] = pairs[po + a * B + b]!;
}

/**
 * Trains the closure on measured statistics (see the module notes).
 *
 * @param samples M states with their measured triplets (e.g. every time of the training ensemble)
 * @param options the Rng for the initial weights, network size and training budget
 * @returns the trained network and its closure
 * @throws TypeError/RangeError naming the bad argument
 *
 * @example
 * ```ts
 * const stats = trajectoryStatistics(geometry, trainingRuns.map((r) => r.trajectory!));
 * const ff = trainFeedForwardClosure(stats, { rng: createRng(7) });
 * ```
 */
export function trainFeedForwardClosure(samples: ClosureSamples, options: FeedForwardClosureOptions): FeedForwardClosure {
  if (samples === null || typeof samples !== 'object') throw new TypeError(`samples must be an object; got ${String(samples)}`);
  const B = samples.B;
  if (!Number.isSafeInteger(B) || B < 2) throw new RangeError(`samples.B must be an integer >= 2; got ${String(B)}`);
  for (const [name, width] of [['rho', B], ['pairs', B * B], ['triplets', B * B * B]] as const) {
    const x = samples[name];
    if (!(x instanceof Float64Array) || x.length === 0 || x.length % width !== 0) {
      throw new TypeError(`samples.${name} must be a non-empty Float64Array of M × ${width} entries`);
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i]!) || x[i]! < 0) throw new RangeError(`samples.${name}[${i}] must be finite and >= 0; got ${x[i]}`);
    }
  }
  const M = samples.rho.length / B;
  if (samples.pairs.length !== M * B * B || samples.triplets.length !== M * B * B * B) {
    throw new RangeError(`samples.rho, pairs and triplets must describe the same number of states (rho gives ${M})`);
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${String(options)}`);
  const rng = options.rng;
  if (rng === null || typeof rng !== 'object' || typeof rng.nextFloat64 !== 'function') throw new TypeError(`options.rng must be an Rng; got ${String(rng)}`);
  const hidden = options.hidden ?? [32, 32];
  if (!Array.isArray(hidden) || hidden.some((h) => !Number.isSafeInteger(h) || h < 1)) {
    throw new RangeError(`options.hidden must be an array of positive integers; got ${JSON.stringify(hidden)}`);
  }
  const epochs = options.epochs ?? 3000;
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new RangeError(`options.epochs must be a non-negative integer; got ${String(epochs)}`);
  const learningRate = options.learningRate ?? 0.005;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`options.learningRate must be a positive number; got ${String(learningRate)}`);
  const epsilon = options.epsilon ?? 1e-7;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`options.epsilon must be a positive number; got ${String(epsilon)}`);
  const clamp = options.clamp ?? 4;
  if (!(clamp > 0) || !Number.isFinite(clamp)) throw new RangeError(`options.clamp must be a positive number; got ${String(clamp)}`);

  const F = featureCount(B);
  const { count: O, index: outIndex } = outputIndex(B);
  const layers = [F, ...hidden, O];
  const L = layers.length - 1;
  const offsets: number[] = [];
  let P = 0;
  for (let l = 0; l < L; l++) {
    offsets.push(P);
    P += layers[l + 1]! * layers[l]! + layers[l + 1]!;
  }
  const weights = new Float64Array(P);
  for (let l = 0; l < L; l++) {
    const nIn = layers[l]!;
    const nOut = layers[l + 1]!;
    const scale = Math.sqrt(2 / (nIn + nOut));
    for (let w = 0; w < nIn * nOut; w++) weights[offsets[l]! + w] = scale * gaussian(rng);
  }

  // inputs and targets
  const X = new Float64Array(M * F);
  const Y = new Float64Array(M * O);
  const K = new Float64Array(B * B * B);
  const row = new Float64Array(F);
  for (let m = 0; m < M; m++) {
    features(B, samples.rho, m * B, samples.pairs, m * B * B, row);
    X.set(row, m * F);
    kirkwoodAt(B, samples.rho, m * B, samples.pairs, m * B * B, K);
    const T = samples.triplets;
    for (let a = 0; a < B; a++) {
      for (let c = 0; c < B; c++) {
        for (let b = c; b < B; b++) {
          const t = 0.5 * (T[m * B * B * B + (c * B + a) * B + b]! + T[m * B * B * B + (b * B + a) * B + c]!);
          const g = Math.log((t + epsilon) / (K[(c * B + a) * B + b]! + epsilon));
          Y[m * O + outIndex[(c * B + a) * B + b]!] = Math.max(-clamp, Math.min(clamp, g));
        }
      }
    }
  }
  const inputMean = new Float64Array(F);
  const inputScale = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += X[m * F + f]!;
    const mean = s / M;
    let v = 0;
    for (let m = 0; m < M; m++) v += (X[m * F + f]! - mean) ** 2;
    const sd = Math.sqrt(v / M);
    inputMean[f] = mean;
    inputScale[f] = sd > 1e-12 ? 1 / sd : 1;
  }
  for (let m = 0; m < M; m++) for (let f = 0; f < F; f++) X[m * F + f] = (X[m * F + f]! - inputMean[f]!) * inputScale[f]!;

  // full-batch forward/backward buffers
  const acts = layers.map((n) => new Float64Array(n * M));
  const deltas = layers.map((n) => new Float64Array(n * M));
  acts[0]!.set(X);
  const grad = new Float64Array(P);
  const forwardBatch = (): number => {
    forward(weights, layers, offsets, acts, M, Number.POSITIVE_INFINITY);
    const out = acts[L]!;
    const d = deltas[L]!;
    let loss = 0;
    for (let x = 0; x < M * O; x++) {
      const e = out[x]! - Y[x]!;
      loss += e * e;
      d[x] = (2 * e) / (M * O);
    }
    return loss / (M * O);
  };
  const backwardBatch = (): void => {
    grad.fill(0);
    for (let l = L - 1; l >= 0; l--) {
      const nIn = layers[l]!;
      const nOut = layers[l + 1]!;
      const W = offsets[l]!;
      const bias = W + nIn * nOut;
      const input = acts[l]!;
      const d = deltas[l + 1]!;
      const dIn = deltas[l]!;
      if (l > 0) dIn.fill(0);
      for (let m = 0; m < M; m++) {
        for (let o = 0; o < nOut; o++) {
          const g = d[m * nOut + o]!;
          if (g === 0) continue;
          grad[bias + o] += g;
          for (let i = 0; i < nIn; i++) {
            grad[W + o * nIn + i] += g * input[m * nIn + i]!;
            if (l > 0) dIn[m * nIn + i] += g * weights[W + o * nIn + i]!;
          }
        }
      }
      if (l > 0) {
        // through tanh: d/ds tanh = 1 − a²
        for (let x = 0; x < nIn * M; x++) dIn[x] = dIn[x]! * (1 - input[x]! * input[x]!);
      }
    }
  };
  const adam = createAdam({ learningRate });
  let loss = epochs === 0 ? forwardBatch() : Number.NaN;
  for (let e = 0; e < epochs; e++) {
    forwardBatch();
    backwardBatch();
    adam.step(weights, grad);
  }
  if (epochs > 0) loss = forwardBatch();

  // single-state evaluation (allocation-free after construction)
  const a1 = layers.map((n) => new Float64Array(n));
  const g = new Float64Array(B * B * B);
  const corrections = (rho: Float64Array, pairs: Float64Array, out: Float64Array): void => {
    features(B, rho, 0, pairs, 0, row);
    const input0 = a1[0]!;
    for (let f = 0; f < F; f++) input0[f] = (row[f]! - inputMean[f]!) * inputScale[f]!;
    forward(weights, layers, offsets, a1, 1, clamp);
    const y = a1[L]!;
    for (let x = 0; x < B * B * B; x++) out[x] = y[outIndex[x]!]!;
  };
  const closure: TripletClosure = (rho, pairs, out) => {
    corrections(rho, pairs, g);
    kirkwoodAt(B, rho, 0, pairs, 0, out);
    // clamp at 0: off the simplex Kirkwood can go negative, and the scaling needs non-negative entries
    for (let x = 0; x < B * B * B; x++) out[x] = Math.max(0, out[x]! * Math.exp(g[x]!));
    sinkhornTriplets(B, pairs, out);
  };
  return { B, layers, weights, inputMean, inputScale, loss, closure, corrections };
}

/**
 * Forward pass of M samples (allocation-free): `acts[0]` holds the inputs (M × layers[0]); hidden layers are tanh,
 * the output linear, clamped to ±clamp.
 */
function forward(weights: Float64Array, layers: readonly number[], offsets: readonly number[], acts: Float64Array[], M: number, clamp: number): void {
  const L = layers.length - 1;
  for (let l = 0; l < L; l++) {
    const nIn = layers[l]!;
    const nOut = layers[l + 1]!;
    const W = offsets[l]!;
    const bias = W + nIn * nOut;
    const input = acts[l]!;
    const output = acts[l + 1]!;
    const last = l === L - 1;
    for (let m = 0; m < M; m++) {
      for (let o = 0; o < nOut; o++) {
        let s = weights[bias + o]!;
        for (let i = 0; i < nIn; i++) s += weights[W + o * nIn + i]! * input[m * nIn + i]!;
        output[m * nOut + o] = last ? Math.max(-clamp, Math.min(clamp, s)) : Math.tanh(s);
      }
    }
  }
}

function kirkwoodAt(B: number, rho: Float64Array, ro: number, pairs: Float64Array, po: number, out: Float64Array): void {
  for (let a = 0; a < B; a++) {
    const ra = rho[ro + a]!;
    for (let c = 0; c < B; c++) {
      const q = ra > 0 ? pairs[po + c * B + a]! / ra : 0;
      for (let b = 0; b < B; b++) out[(c * B + a) * B + b] = q * pairs[po + a * B + b]!;
    }
  }
}

/**
 * Scales the triplets of every centre a symmetrically (M ← D·M·D) until Σ_b T_cab = P_ca (in place, allocation-free).
 *
 * @param B states per site
 * @param pairs P (B²)
 * @param T triplets (B³), symmetric in c ↔ b, non-negative
 *
 * @example
 * ```ts
 * sinkhornTriplets(2, pairs, triplets); // now Σ_b T[c][a][b] = pairs[c·2 + a]
 * ```
 */
export function sinkhornTriplets(B: number, pairs: Float64Array, T: Float64Array): void {
  for (let a = 0; a < B; a++) {
    for (let it = 0; it < SINKHORN_ITERATIONS; it++) {
      let worst = 0;
      for (let c = 0; c < B; c++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += T[(c * B + a) * B + b]!;
        const target = pairs[c * B + a]!;
        worst = Math.max(worst, Math.abs(s - target));
        // the scale of row c; applied to row and column c (keeps M symmetric). A state the ODE solver tries off the
        // simplex (a slightly negative pair probability) gets an empty row rather than NaN.
        const d = s > 0 && target > 0 ? Math.sqrt(target / s) : 0;
        for (let b = 0; b < B; b++) {
          if (b === c) T[(c * B + a) * B + c] = T[(c * B + a) * B + c]! * d * d;
          else {
            T[(c * B + a) * B + b] = T[(c * B + a) * B + b]! * d;
            T[(b * B + a) * B + c] = T[(b * B + a) * B + c]! * d;
          }
        }
      }
      if (worst < 1e-15) break;
    }
  }
}
