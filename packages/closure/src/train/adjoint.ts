/**
 * The adjoint method of the trainer (spec 6.1, 6.4): the forward Euler solve of dθ/dt = F(x(θ)) from θ(0) with the
 * window caches (θ, FE basis factors, F and ∂F/∂x at the window's time points), and the centered adjoint system
 * integrated backwards from zero at the window end, giving the raw costates λ of every window row.
 *
 * @packageDocumentation
 */

import type { GradientOptions } from '@srn/fem-basis';
import { checkTheta, type LearnedDbd, rhsInto } from '../model.ts';
import { type ParameterRoles, rawCostates } from './form.ts';

/**
 * What one forward solve leaves for the moment estimates, the backward pass and the update (rows = window time
 * points τ..H, row-major).
 *
 * @example
 * ```ts
 * const win = createWindowCache(P, d, factorsPerPoint, window + 1);
 * ```
 */
export interface WindowCache {
  /** θ at the window rows (R × P) and a view per row. */
  readonly thetaWin: Float64Array;
  readonly thetaViews: Float64Array[];
  /** FE cells (R × d) and basis factors (R × factorsPerPoint) of x(θ) at every row. */
  readonly cells: Int32Array;
  readonly factors: Float64Array;
  /** F (R × P) and ∂F_j/∂x_k (R × P × d) at every row. */
  readonly Fwin: Float64Array;
  readonly dF: Float64Array;
  /** Raw costates λ (R × P) after the backward pass. */
  readonly lam: Float64Array;
}

/**
 * Allocates a {@link WindowCache} for R rows.
 *
 * @example
 * ```ts
 * createWindowCache(10, 6, 64, 11).lam.length; // 110
 * ```
 */
export function createWindowCache(P: number, d: number, factorsPerPoint: number, R: number): WindowCache {
  const thetaWin = new Float64Array(R * P);
  return {
    thetaWin,
    thetaViews: Array.from({ length: R }, (_, i) => thetaWin.subarray(i * P, (i + 1) * P)),
    cells: new Int32Array(R * d),
    factors: new Float64Array(R * factorsPerPoint),
    Fwin: new Float64Array(R * P),
    dF: new Float64Array(R * P * d),
    lam: new Float64Array(R * P),
  };
}

/**
 * Forward and backward passes over a window for one model (scratch allocated once).
 *
 * @example
 * ```ts
 * const adj = new AdjointSolver(model, roles, { units: 'fractional' }, 1, 1);
 * adj.forward(model.theta0, H, tau, win);
 * adj.backward(mu, dE, dEc, H, tau, win);
 * ```
 */
export class AdjointSolver {
  private readonly P: number;
  private readonly d: number;
  private readonly nf: number;
  private readonly theta: Float64Array;
  private readonly Fbuf: Float64Array;
  private readonly x: Float64Array;
  private readonly gradBuf: Float64Array;
  private readonly cost: Float64Array;
  private readonly psi: Float64Array;

  constructor(
    private readonly model: LearnedDbd,
    private readonly roles: ParameterRoles,
    private readonly psiUnits: GradientOptions,
    private readonly dt: number,
    private readonly substeps: number,
    rows: number,
  ) {
    const P = (this.P = model.theta0.length);
    const d = (this.d = model.domainIndex.length);
    this.nf = model.functions[0].factorsPerPoint;
    this.theta = new Float64Array(P);
    this.Fbuf = new Float64Array(P);
    this.x = new Float64Array(d);
    this.gradBuf = new Float64Array(d);
    this.cost = new Float64Array(rows * P);
    this.psi = new Float64Array(P);
  }

  /** Euler from θ(0) to θ(H), caching θ, x-basis, F and ∂F/∂x at the window points τ..H. Throws on divergence. */
  forward(theta0: Float64Array, H: number, tau: number, c: WindowCache): void {
    const { P, d, nf, model } = this;
    const fns = model.functions;
    const di = model.domainIndex;
    const theta = this.theta;
    const x = this.x;
    const n = this.substeps;
    const h = this.dt / n;
    theta.set(theta0);
    for (let t = 0; t <= H; t++) {
      checkTheta(model, theta, t * this.dt);
      const inWindow = t >= tau;
      if (inWindow) {
        const i = t - tau;
        c.thetaWin.set(theta, i * P);
        for (let k = 0; k < d; k++) x[k] = theta[di[k]];
        fns[0].basisFactorsAt(x, c.cells, c.factors, i * d, i * nf);
        for (let j = 0; j < P; j++) {
          const f = fns[j];
          const g = this.gradBuf;
          const v = f.store.count === 0 ? g.fill(0)[0] : f.valueAndGradient(x, g, this.psiUnits);
          c.Fwin[i * P + j] = v;
          for (let k = 0; k < d; k++) c.dF[(i * P + j) * d + k] = g[k];
        }
      }
      if (t === H) break;
      for (let sub = 0; sub < n; sub++) {
        if (sub === 0 && inWindow) {
          const o = (t - tau) * P;
          for (let k = 0; k < P; k++) this.Fbuf[k] = c.Fwin[o + k];
        } else {
          checkTheta(model, theta, (t + sub / n) * this.dt);
          rhsInto(model, theta, this.Fbuf, x);
        }
        for (let k = 0; k < P; k++) theta[k] += h * this.Fbuf[k];
      }
    }
  }

  /**
   * Centered adjoint system (spec 6.4), explicit Euler backwards from zero at the window end, with the raw (`dE`)
   * and centered (`dEc`) moment differences of the window rows and the offsets `mu` of the condition; fills `c.lam`.
   */
  backward(mu: Float64Array, dE: Float64Array, dEc: Float64Array, H: number, tau: number, c: WindowCache): void {
    const { P, d } = this;
    const r = this.roles;
    const C = r.C;
    const dt = this.dt;
    const nRows = H - tau;
    const cost = this.cost;
    const psi = this.psi;
    cost.fill(0, nRows * P, (nRows + 1) * P);
    for (let i = nRows; i >= 1; i--) {
      const t = tau + i;
      rawCostates(r, mu, t, cost, c.lam, i);
      // ψ_θ = Σ_j λ_j ∂F_j/∂θ for domain coordinates θ (0 otherwise, spec P15).
      for (let k = 0; k < P; k++) {
        const dim = r.domDim[k];
        if (dim < 0) {
          psi[k] = 0;
          continue;
        }
        let sacc = 0;
        for (let j = 0; j < P; j++) sacc += c.lam[i * P + j] * c.dF[(i * P + j) * d + dim];
        psi[k] = sacc;
      }
      const o = i * P;
      const p = (i - 1) * P;
      for (let k = 0; k < P; k++) {
        if (r.isWeight[k] === 0) {
          cost[p + k] = cost[o + k] - dt * (dE[o + k] - psi[k]);
        } else {
          const lo = r.lowBias[k];
          const up = r.upBias[k];
          const muLow = mu[t * C + r.lowCenter[k]];
          const muUp = mu[t * C + r.upCenter[k]];
          const dMuLow = (muLow - mu[(t - 1) * C + r.lowCenter[k]]) / dt;
          const dMuUp = (muUp - mu[(t - 1) * C + r.upCenter[k]]) / dt;
          const rhs =
            dEc[o + k] -
            psi[k] +
            r.qLow[k] * muUp * psi[lo] +
            r.qUp[k] * muLow * psi[up] -
            r.qLow[k] * cost[o + lo] * dMuUp -
            r.qUp[k] * cost[o + up] * dMuLow;
          cost[p + k] = cost[o + k] - dt * rhs;
        }
      }
    }
    rawCostates(r, mu, tau, cost, c.lam, 0);
  }
}
