/**
 * The model form as the trainer sees it: the role of every parameter of a homogeneous machine (bias of a layer state,
 * or weight between a lower and an upper state with its multiplicities), and the centering (spec 5.3) that this form
 * implies: offsets μ sliding towards the data, centered moment differences, and raw costates from centered ones.
 *
 * @packageDocumentation
 */

import type { Machine } from '@srn/boltzmann';

/**
 * Roles of the parameters of a machine (index = parameter; −1 where a role does not apply).
 *
 * @example
 * ```ts
 * const roles = parameterRoles(machine, model.domainIndex);
 * roles.isWeight[roles.domDim.indexOf(0)]; // 0: the first FE input is a bias
 * ```
 */
export interface ParameterRoles {
  readonly P: number;
  /** Number of offsets per time point (`machine.centerCount`). */
  readonly C: number;
  /** 1 for weights, 0 for biases. */
  readonly isWeight: Uint8Array;
  /** Weights: the biases of the lower and upper state. */
  readonly lowBias: Int32Array;
  readonly upBias: Int32Array;
  /** Weights: the offsets of the lower and upper state. */
  readonly lowCenter: Int32Array;
  readonly upCenter: Int32Array;
  /** Weights: the multiplicities of the connection (spec 5.3). */
  readonly qLow: Float64Array;
  readonly qUp: Float64Array;
  /** Biases: the offset of the state and the size of its layer. */
  readonly biasCenter: Int32Array;
  readonly biasSize: Float64Array;
  /** FE input coordinate of every parameter (−1 if not an input). */
  readonly domDim: Int32Array;
}

/**
 * The roles of the parameters of `machine` with FE inputs `domainIndex`.
 *
 * @example
 * ```ts
 * parameterRoles(createMachine(paperMachineSpec(8)), Int32Array.of(0, 1)).biasSize[0]; // 64
 * ```
 */
export function parameterRoles(machine: Machine, domainIndex: Int32Array): ParameterRoles {
  const P = machine.parameters.count;
  const isWeight = new Uint8Array(P);
  const lowBias = new Int32Array(P).fill(-1);
  const upBias = new Int32Array(P).fill(-1);
  const lowCenter = new Int32Array(P).fill(-1);
  const upCenter = new Int32Array(P).fill(-1);
  const qLow = new Float64Array(P);
  const qUp = new Float64Array(P);
  const biasCenter = new Int32Array(P).fill(-1);
  const biasSize = new Float64Array(P);
  for (const L of machine.layers) {
    for (let a = 0; a < L.stateCount; a++) {
      biasCenter[L.biasStart + a] = L.centerOffset + a;
      biasSize[L.biasStart + a] = L.size;
    }
  }
  for (const Cn of machine.connections) {
    const Lo = machine.layers[Cn.lower];
    const Up = machine.layers[Cn.upper];
    for (let p = 0; p < Cn.pairCount; p++) {
      const k = Cn.weightStart + p;
      const a = Cn.pairs[2 * p];
      const b = Cn.pairs[2 * p + 1];
      isWeight[k] = 1;
      lowBias[k] = Lo.biasStart + a - 1;
      upBias[k] = Up.biasStart + b - 1;
      lowCenter[k] = Lo.centerOffset + a - 1;
      upCenter[k] = Up.centerOffset + b - 1;
      qLow[k] = Cn.lowerMultiplicity;
      qUp[k] = Cn.upperMultiplicity;
    }
  }
  const domDim = new Int32Array(P).fill(-1);
  domainIndex.forEach((k, i) => {
    domDim[k] = i;
  });
  return { P, C: machine.centerCount, isWeight, lowBias, upBias, lowCenter, upCenter, qLow, qUp, biasCenter, biasSize, domDim };
}

/**
 * Offsets of time point t slide towards the awake means of the biases (spec 5.3): μ ← (1 − λ) μ + λ ⟨s⟩/size.
 *
 * @example
 * ```ts
 * slideOffsets(roles, mu, t, awakeMean, 0.5);
 * ```
 */
export function slideOffsets(r: ParameterRoles, mu: Float64Array, t: number, awake: Float64Array, lambda: number): void {
  const C = r.C;
  for (let k = 0; k < r.P; k++) {
    const bc = r.biasCenter[k];
    if (bc >= 0) mu[t * C + bc] = (1 - lambda) * mu[t * C + bc] + lambda * (awake[k] / r.biasSize[k]);
  }
}

/**
 * Centered differences ΔE_c (row `o` of `dEc`) from the raw ΔE (row `o` of `dE`) with the offsets of time point t:
 * ΔE_c,W = ΔE_W − q_low μ_up ΔE_low − q_up μ_low ΔE_up for weights, ΔE for biases.
 *
 * @example
 * ```ts
 * centerDifferences(roles, mu, t, dE, dEc, row * P);
 * ```
 */
export function centerDifferences(r: ParameterRoles, mu: Float64Array, t: number, dE: Float64Array, dEc: Float64Array, o: number): void {
  const C = r.C;
  for (let k = 0; k < r.P; k++) {
    if (r.isWeight[k] === 0) {
      dEc[o + k] = dE[o + k];
    } else {
      const muLow = mu[t * C + r.lowCenter[k]];
      const muUp = mu[t * C + r.upCenter[k]];
      dEc[o + k] = dE[o + k] - r.qLow[k] * muUp * dE[o + r.lowBias[k]] - r.qUp[k] * muLow * dE[o + r.upBias[k]];
    }
  }
}

/**
 * Raw costates λ (row i of `lam`) from the centered ones (row i of `cost`) at time t:
 * λ_W = Λ_W + q_low μ_up φ_low + q_up μ_low φ_up, λ = Λ for biases.
 *
 * @example
 * ```ts
 * rawCostates(roles, mu, t, cost, lam, i);
 * ```
 */
export function rawCostates(r: ParameterRoles, mu: Float64Array, t: number, cost: Float64Array, lam: Float64Array, i: number): void {
  const { P, C } = r;
  const o = i * P;
  for (let k = 0; k < P; k++) {
    if (r.isWeight[k] === 0) {
      lam[o + k] = cost[o + k];
    } else {
      const muLow = mu[t * C + r.lowCenter[k]];
      const muUp = mu[t * C + r.upCenter[k]];
      lam[o + k] = cost[o + k] + r.qLow[k] * muUp * cost[o + r.lowBias[k]] + r.qUp[k] * muLow * cost[o + r.upBias[k]];
    }
  }
}
