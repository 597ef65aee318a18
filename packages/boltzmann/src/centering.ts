/**
 * Centering (Melchior, Fischer & Wiskott, JMLR 17, 2016; spec section 5): offsets μ per (layer, state), their
 * sliding (exponential-moving-average) update, the raw ⇄ centered parameter maps ã = a + Σ q W μ' and the map of
 * centered gradients back to raw parameters, Δa = Δã − Σ q ΔW μ', ΔW = ΔW̃.
 *
 * For per-unit parameters the same maps hold unit by unit: ã_{i,α} = a_{i,α} + Σ_{edges e of i} Σ_β W_{e,αβ} μ_β.
 *
 * @packageDocumentation
 */

import { assertMachine, type Machine } from './machine.ts';
import { checkCenters, checkNumber, checkParameters, show } from './validate.ts';

/**
 * A centers vector (length `machine.centerCount`; layer l, state k at `layer.centerOffset + k − 1`). `init` is one
 * number for every entry, one number per layer, or omitted (1/(K+1), the mean of a unit at zero field).
 *
 * @example
 * ```ts
 * const mu = createCenters(paperMachine(), [0.0625, 0.33, 0.33]); // spec 5.3 initial values
 * ```
 */
export function createCenters(machine: Machine, init?: number | readonly number[]): Float64Array {
  assertMachine(machine, 'machine');
  const out = new Float64Array(machine.centerCount);
  for (const L of machine.layers) {
    let v: number;
    if (init === undefined) v = 1 / (L.stateCount + 1);
    else if (typeof init === 'number') v = init;
    else if (Array.isArray(init) && init.length === machine.layers.length) v = init[L.index];
    else throw new TypeError(`init must be a number or an array of ${machine.layers.length} numbers; got ${show(init)}`);
    if (!Number.isFinite(v)) throw new RangeError(`init for layer ${L.index} must be finite; got ${v}`);
    out.fill(v, L.centerOffset, L.centerOffset + L.stateCount);
  }
  return out;
}

/**
 * Per-unit means of every (layer, state) from (mean) statistics: Σ_i s_{i,α} / N_l.
 *
 * @example
 * ```ts
 * const muData = centersFromStatistics(m, awakeMean);
 * ```
 */
export function centersFromStatistics(machine: Machine, meanStats: Float64Array): Float64Array {
  assertMachine(machine, 'machine');
  checkParameters(machine, meanStats, 'meanStats');
  const out = new Float64Array(machine.centerCount);
  for (const L of machine.layers) {
    for (let a = 0; a < L.stateCount; a++) {
      let s = 0;
      if (L.biasStride === 0) s = meanStats[L.biasStart + a];
      else for (let i = 0; i < L.size; i++) s += meanStats[L.biasStart + i * L.biasStride + a];
      out[L.centerOffset + a] = s / L.size;
    }
  }
  return out;
}

/**
 * Slides the centers in place towards the per-unit means of `meanStats`: μ ← (1 − λ) μ + λ μ_new (spec 5.3, λ = 0.5).
 *
 * @example
 * ```ts
 * slideCenters(m, centers, awakeMean, 0.5);
 * ```
 */
export function slideCenters(machine: Machine, centers: Float64Array, meanStats: Float64Array, lambda: number): void {
  assertMachine(machine, 'machine');
  checkCenters(machine, centers, 'centers');
  checkNumber(lambda, 'lambda', 0, 1);
  const fresh = centersFromStatistics(machine, meanStats);
  for (let i = 0; i < centers.length; i++) centers[i] = (1 - lambda) * centers[i] + lambda * fresh[i];
}

/** out = params + sign · (Σ q W μ' added to every bias); weights copied. */
function shiftBiases(machine: Machine, params: Float64Array, centers: Float64Array, sign: number, out: Float64Array): void {
  out.set(params);
  for (const C of machine.connections) {
    const L = machine.layers[C.lower];
    const U = machine.layers[C.upper];
    for (let p = 0; p < C.pairCount; p++) {
      const a = C.pairs[2 * p];
      const b = C.pairs[2 * p + 1];
      const ma = centers[L.centerOffset + a - 1];
      const mb = centers[U.centerOffset + b - 1];
      if (C.edgeStride === 0) {
        const w = params[C.weightStart + p];
        out[L.biasStart + a - 1] += sign * C.lowerMultiplicity * w * mb;
        out[U.biasStart + b - 1] += sign * C.upperMultiplicity * w * ma;
      } else {
        for (let e = 0; e < C.edgeCount; e++) {
          const w = params[C.weightStart + e * C.edgeStride + p];
          out[L.biasStart + C.edgeLower[e] * L.biasStride + a - 1] += sign * w * mb;
          out[U.biasStart + C.edgeUpper[e] * U.biasStride + b - 1] += sign * w * ma;
        }
      }
    }
  }
}

function prepare(machine: Machine, v: Float64Array, name: string, centers: Float64Array, out: unknown): Float64Array {
  assertMachine(machine, 'machine');
  checkParameters(machine, v, name);
  checkCenters(machine, centers, 'centers');
  if (out === undefined) return new Float64Array(v.length);
  if (!(out instanceof Float64Array) || out.length !== v.length || out === v) {
    throw new TypeError(`out must be a separate Float64Array of length ${v.length}; got ${show(out)}`);
  }
  return out;
}

/**
 * Raw → centered parameters: W̃ = W, ã = a + Σ_{neighbour layers} q Σ_β W_{αβ} μ_β (spec 5.1).
 *
 * @example
 * ```ts
 * const thetaC = toCenteredParameters(m, theta, centers);
 * ```
 */
export function toCenteredParameters(
  machine: Machine,
  raw: Float64Array,
  centers: Float64Array,
  out?: Float64Array,
): Float64Array {
  const o = prepare(machine, raw, 'raw', centers, out);
  shiftBiases(machine, raw, centers, 1, o);
  return o;
}

/**
 * Centered → raw parameters: W = W̃, a = ã − Σ q W̃ μ (spec 5.1).
 *
 * @example
 * ```ts
 * const theta = toRawParameters(m, thetaC, centers);
 * ```
 */
export function toRawParameters(
  machine: Machine,
  centered: Float64Array,
  centers: Float64Array,
  out?: Float64Array,
): Float64Array {
  const o = prepare(machine, centered, 'centered', centers, out);
  shiftBiases(machine, centered, centers, -1, o);
  return o;
}

/**
 * Maps a centered gradient (ΔW̃, Δã) to the raw parameter update (spec 5.2): ΔW = ΔW̃,
 * Δa = Δã − Σ q ΔW μ'. A descent step θ ← θ − η·(this) equals the centered step θ̃ ← θ̃ − η Δθ̃ at fixed offsets.
 *
 * @example
 * ```ts
 * const gRaw = centeredGradientToRaw(m, deltaCentered, centers);
 * for (let i = 0; i < theta.length; i++) theta[i] -= eta * gRaw[i];
 * ```
 */
export function centeredGradientToRaw(
  machine: Machine,
  gradient: Float64Array,
  centers: Float64Array,
  out?: Float64Array,
): Float64Array {
  const o = prepare(machine, gradient, 'gradient', centers, out);
  shiftBiases(machine, gradient, centers, -1, o);
  return o;
}
