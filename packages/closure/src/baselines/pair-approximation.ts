/**
 * Pair approximation of the lattice Lotka–Volterra master equation (`exact` scheme), in the style of Matsuda et
 * al. (1992) and Satulovsky & Tomé (1994), with the exclusion-process hops of the simulator.
 *
 * Site states a ∈ {0, X, Y}; ρ_a is the probability that a site is in state a, ρ_ab the probability that a site is
 * a and a given one of its z = 4 neighbours is b (ρ_ab = ρ_ba, Σ_b ρ_ab = ρ_a, Σ_a ρ_a = 1), q_{b|a} = ρ_ab/ρ_a.
 * Continuous-time events (rates of `lotkaVolterraLattice({ scheme: 'exact' })`):
 * * hop: a particle moves to a given neighbour at rate h/z if that neighbour is empty;
 * * predation: every adjacent X–Y pair turns into Y–Y at rate λ;
 * * birth: every empty site becomes X at rate β, the same for all empty sites because the offspring goes to a
 *   uniformly random free site: β = kr1·ρ_X/ρ_0 (free-site placement; total kr1·n_X) or β = kr1·ρ_X
 *   (random-site variant);
 * * death: every Y becomes 0 at rate δ = kr2.
 *
 * Singlets (exact, no closure needed):
 *   dρ_X/dt = β·ρ_0 − z·λ·ρ_XY,  dρ_Y/dt = z·λ·ρ_XY − δ·ρ_Y,  dρ_0/dt = δ·ρ_Y − β·ρ_0.
 *
 * Pairs: for the ordered pair (i, j), a change of site i from c to c' happens at a rate W_{c→c'}(d) that depends on
 * the state d of j and on i's z − 1 other neighbours k; the states of those are closed with the pair closure
 * P(k = e | i = c, j = d) ≈ q_{e|c} (ρ_dce ≈ ρ_dc·ρ_ce/ρ_c):
 *   W_{0→X}(d) = β + (h/z)(z−1)·q_{X|0}        (birth, or an X at k hops in)
 *   W_{0→Y}(d) = (h/z)(z−1)·q_{Y|0}            (a Y at k hops in)
 *   W_{X→0}(d) = (h/z)(z−1)·q_{0|X}            (the X hops to an empty k)
 *   W_{Y→0}(d) = δ + (h/z)(z−1)·q_{0|Y}        (death, or the Y hops away)
 *   W_{X→Y}(d) = λ·([d = Y] + (z−1)·q_{Y|X})   (eaten by j itself or by a Y at some k)
 * and the same for site j with the roles swapped. The hop across the bond itself, (A, 0) ↔ (0, A) at rate h/z
 * each way, cancels for a symmetric ρ and is kept for completeness. Hence
 *   dρ_ab/dt = Σ_{a'≠a} [ρ_a'b·W_{a'→a}(b) − ρ_ab·W_{a→a'}(b)] + Σ_{b'≠b} [ρ_ab'·W_{b'→b}(a) − ρ_ab·W_{b→b'}(a)]
 *             + (h/z)·([b = 0]·ρ_0a·[a ≠ 0] − [a ≠ 0][b = 0]·ρ_a0 + [a = 0][b ≠ 0]·ρ_b0 − [a = 0][b ≠ 0]·ρ_0b).
 * Summing over b reproduces the singlet equations exactly (the triplet terms telescope), so Σ_b ρ_ab = ρ_a and
 * Σ_a ρ_a = 1 are conserved. On the square lattice (no triangles) this is the standard (Bethe-type) pair
 * approximation. With hops only, the product state ρ_ab = ρ_a·ρ_b is stationary.
 *
 * Distance-2 pairs for the "NNN" counts are closed along a two-step path i–k–j (Markov chain along the path):
 * ρ^(2)_ac ≈ Σ_b ρ_ab·ρ_bc/ρ_b, used for both the straight (0,2), (2,0) and the diagonal (1,1) displacements. For
 * the diagonal this is an extra approximation (it ignores the second path through the other corner).
 */
import { integrateDopri5, type OdeRhs } from '../ode.ts';
import {
  type BaselineOptions,
  type BaselinePrediction,
  checkTimes,
  integrationOptions,
  type LotkaVolterraRates,
  type ResolvedLotkaVolterraRates,
  resolveLotkaVolterraRates,
  emptyColumns,
} from './params.ts';

/**
 * Layout of the pair-approximation state vector: [ρ_X, ρ_Y, ρ_0, ρ_XX, ρ_XY, ρ_X0, ρ_YY, ρ_Y0, ρ_00].
 *
 * @example
 * ```ts
 * PAIR_STATE_NAMES.indexOf('rho_XY'); // 4
 * ```
 */
export const PAIR_STATE_NAMES = [
  'rho_X',
  'rho_Y',
  'rho_0',
  'rho_XX',
  'rho_XY',
  'rho_X0',
  'rho_YY',
  'rho_Y0',
  'rho_00',
] as const;

/**
 * Nearest-neighbour pair densities (ordered-pair probabilities; ρ_XY = ρ_YX etc.). The singlets follow as row
 * sums, so they must satisfy ρ_XX + 2ρ_XY + 2ρ_X0 + ρ_YY + 2ρ_Y0 + ρ_00 = 1.
 *
 * @example
 * ```ts
 * // uncorrelated, ρ_X = 0.2, ρ_Y = 0.1, ρ_0 = 0.7
 * const pairs: PairDensities = { XX: 0.04, XY: 0.02, X0: 0.14, YY: 0.01, Y0: 0.07, '00': 0.49 };
 * ```
 */
export interface PairDensities {
  XX: number;
  XY: number;
  X0: number;
  YY: number;
  Y0: number;
  '00': number;
}

/**
 * Options of {@link pairApproximationLotkaVolterra}.
 *
 * @example
 * ```ts
 * const options: PairApproximationOptions = { initial: { XX: 0.1, XY: 0, X0: 0.1, YY: 0.05, Y0: 0.05, '00': 0.55 } };
 * ```
 */
export interface PairApproximationOptions extends BaselineOptions {
  /**
   * Initial pair densities; default uncorrelated, ρ_ab = ρ_a·ρ_b with ρ_X = X0/N, ρ_Y = Y0/N (random placement).
   * When given, the singlets are its row sums and `params.X0`/`params.Y0` are ignored.
   */
  initial?: PairDensities;
}

/**
 * Initial state vector (layout {@link PAIR_STATE_NAMES}) from singlet densities (uncorrelated) or given pairs.
 *
 * @example
 * ```ts
 * pairInitialState({ X0: 100, Y0: 100 })[3]; // ρ_XX = (1/16)²
 * ```
 */
export function pairInitialState(params: LotkaVolterraRates = {}, initial?: PairDensities): Float64Array {
  const p = resolveLotkaVolterraRates(params);
  return initialState(p, initial);
}

function initialState(p: ResolvedLotkaVolterraRates, initial: PairDensities | undefined): Float64Array {
  if (initial === undefined) {
    const x = p.X0 / p.N;
    const y = p.Y0 / p.N;
    const e = 1 - x - y;
    return Float64Array.of(x, y, e, x * x, x * y, x * e, y * y, y * e, e * e);
  }
  if (initial === null || typeof initial !== 'object') throw new TypeError('options.initial must be an object');
  const keys = ['XX', 'XY', 'X0', 'YY', 'Y0', '00'] as const;
  for (const k of keys) {
    const v = initial[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new RangeError(`options.initial.${k} must be a number in [0, 1]; got ${String(v)}`);
    }
  }
  const { XX, XY, X0, YY, Y0 } = initial;
  const E = initial['00'];
  const total = XX + 2 * XY + 2 * X0 + YY + 2 * Y0 + E;
  if (Math.abs(total - 1) > 1e-9) {
    throw new RangeError(`options.initial must sum to 1 over ordered pairs (XX + 2XY + 2X0 + YY + 2Y0 + 00); got ${total}`);
  }
  return Float64Array.of(XX + XY + X0, XY + YY + Y0, X0 + Y0 + E, XX, XY, X0, YY, Y0, E);
}

/**
 * Right-hand side of the pair approximation on the state layout {@link PAIR_STATE_NAMES} (allocation-free after
 * construction; see the module notes for the equations).
 *
 * @example
 * ```ts
 * const rhs = pairApproximationRhs({});
 * const d = new Float64Array(9);
 * rhs(0, pairInitialState({}), d);
 * d[0]; // dρ_X/dt at t = 0: kr1·ρ_X − 4λ·ρ_XY
 * ```
 */
export function pairApproximationRhs(params: LotkaVolterraRates = {}): OdeRhs {
  return pairRhsResolved(resolveLotkaVolterraRates(params));
}

// site-state indices in the 3 × 3 work matrices
const E0 = 0;
const SX = 1;
const SY = 2;

function pairRhsResolved(p: ResolvedLotkaVolterraRates): OdeRhs {
  const { kr1, kr2, z, hopRate } = p;
  const lambda = p.predationRate;
  const randomSite = p.birth === 'random-site';
  const hz = hopRate / z;
  const hOther = hz * (z - 1);
  // work: pair matrix P (3×3), singlets r (3), rate tables W (3×3 per partner state d → 27), dP (3×3)
  const P = new Float64Array(9);
  const r = new Float64Array(3);
  const W = new Float64Array(27);
  const out = new Float64Array(27); // Σ_{c'} W_{c→c'}(d), indexed [d*3 + c] (first 9 entries used)
  const dP = new Float64Array(9);
  const q = (b: number, a: number): number => (r[a]! > 0 ? P[a * 3 + b]! / r[a]! : 0);
  return (_t, s, d) => {
    const rx = s[0]!;
    const ry = s[1]!;
    const r0 = s[2]!;
    r[E0] = r0;
    r[SX] = rx;
    r[SY] = ry;
    const pXX = s[3]!;
    const pXY = s[4]!;
    const pX0 = s[5]!;
    const pYY = s[6]!;
    const pY0 = s[7]!;
    const p00 = s[8]!;
    P[0] = p00;
    P[1] = pX0;
    P[2] = pY0;
    P[3] = pX0;
    P[4] = pXX;
    P[5] = pXY;
    P[6] = pY0;
    P[7] = pXY;
    P[8] = pYY;
    // per-empty-site birth rate
    const beta = randomSite ? kr1 * rx : r0 > 0 ? (kr1 * rx) / r0 : 0;
    // singlets
    d[0] = beta * r0 - z * lambda * pXY;
    d[1] = z * lambda * pXY - kr2 * ry;
    d[2] = kr2 * ry - beta * r0;
    // transition rates W[(dState*3 + c)*3 + c'] of a site in state c whose pair partner is in state dState
    const qX0 = q(SX, E0);
    const qY0 = q(SY, E0);
    const q0X = q(E0, SX);
    const q0Y = q(E0, SY);
    const qYX = q(SY, SX);
    W.fill(0);
    for (let ds = 0; ds < 3; ds++) {
      const base = ds * 9;
      W[base + E0 * 3 + SX] = beta + hOther * qX0;
      W[base + E0 * 3 + SY] = hOther * qY0;
      W[base + SX * 3 + E0] = hOther * q0X;
      W[base + SY * 3 + E0] = kr2 + hOther * q0Y;
      W[base + SX * 3 + SY] = lambda * ((ds === SY ? 1 : 0) + (z - 1) * qYX);
      for (let c = 0; c < 3; c++) out[ds * 3 + c] = W[base + c * 3]! + W[base + c * 3 + 1]! + W[base + c * 3 + 2]!;
    }
    // pair master equation
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const pab = P[a * 3 + b]!;
        // site i (state a) with partner b
        let acc = -pab * out[b * 3 + a]!;
        for (let a2 = 0; a2 < 3; a2++) if (a2 !== a) acc += P[a2 * 3 + b]! * W[b * 9 + a2 * 3 + a]!;
        // site j (state b) with partner a
        acc -= pab * out[a * 3 + b]!;
        for (let b2 = 0; b2 < 3; b2++) if (b2 !== b) acc += P[a * 3 + b2]! * W[a * 9 + b2 * 3 + b]!;
        // hop across the bond: (a, 0) → (0, a) and (0, b) → (b, 0) at rate h/z
        if (a !== E0 && b === E0) acc += hz * (P[E0 * 3 + a]! - pab);
        else if (a === E0 && b !== E0) acc += hz * (P[b * 3 + E0]! - pab);
        dP[a * 3 + b] = acc;
      }
    }
    d[3] = dP[4]!; // XX
    d[4] = dP[5]!; // XY
    d[5] = dP[3]!; // X0
    d[6] = dP[8]!; // YY
    d[7] = dP[6]!; // Y0
    d[8] = dP[0]!; // 00
  };
}

/**
 * Pair-approximation prediction of the lattice LV observables on `times` (the initial state applies at
 * `times[0]`), integrated with DOPRI5. NN_αα = 2N·ρ_αα, NN_XY = 4N·ρ_XY; "NNN" counts from the path closure
 * ρ^(2)_ac = Σ_b ρ_ab·ρ_bc/ρ_b: NNN_αα = 3N·ρ^(2)_αα, NNN_XY = 6N·ρ^(2)_XY. `densities` holds the state
 * ({@link PAIR_STATE_NAMES}) and the distance-2 densities `rho2_XX`, `rho2_XY`, `rho2_YY`.
 *
 * @param params model rates (paper defaults), see {@link LotkaVolterraRates}
 * @param times strictly increasing output times
 * @param options integrator tolerances and an optional correlated initial state
 * @throws TypeError/RangeError for bad arguments
 *
 * @example
 * ```ts
 * const times = Float64Array.from({ length: 500 }, (_, t) => t);
 * const pa = pairApproximationLotkaVolterra({}, times);
 * pa.mean.NN_XX[170]; // predicted prey–prey neighbour pairs at t = 170
 * ```
 */
export function pairApproximationLotkaVolterra(
  params: LotkaVolterraRates,
  times: Float64Array,
  options?: PairApproximationOptions,
): BaselinePrediction {
  const p = resolveLotkaVolterraRates(params);
  checkTimes(times);
  const opts = integrationOptions(options);
  const y0 = initialState(p, options?.initial);
  const sol = integrateDopri5(pairRhsResolved(p), y0, times, opts);
  const T = times.length;
  const N = p.N;
  const S = PAIR_STATE_NAMES.length;
  const densities: Record<string, Float64Array> = {};
  for (const name of PAIR_STATE_NAMES) densities[name] = new Float64Array(T);
  const rho2XX = new Float64Array(T);
  const rho2XY = new Float64Array(T);
  const rho2YY = new Float64Array(T);
  const cols = emptyColumns(T);
  const inv = (v: number): number => (v > 0 ? 1 / v : 0);
  for (let k = 0; k < T; k++) {
    const o = k * S;
    for (let c = 0; c < S; c++) densities[PAIR_STATE_NAMES[c]!]![k] = sol[o + c]!;
  }
  for (let k = 0; k < T; k++) {
    const o = k * S;
    const rx = sol[o]!;
    const ry = sol[o + 1]!;
    const r0 = sol[o + 2]!;
    const pXX = sol[o + 3]!;
    const pXY = sol[o + 4]!;
    const pX0 = sol[o + 5]!;
    const pYY = sol[o + 6]!;
    const pY0 = sol[o + 7]!;
    const i0 = inv(r0);
    const iX = inv(rx);
    const iY = inv(ry);
    // ρ^(2)_ac = Σ_b ρ_ab ρ_bc / ρ_b over the middle state b ∈ {0, X, Y}
    const xx = pX0 * pX0 * i0 + pXX * pXX * iX + pXY * pXY * iY;
    const xy = pX0 * pY0 * i0 + pXX * pXY * iX + pXY * pYY * iY;
    const yy = pY0 * pY0 * i0 + pXY * pXY * iX + pYY * pYY * iY;
    rho2XX[k] = xx;
    rho2XY[k] = xy;
    rho2YY[k] = yy;
    cols.X[k] = N * rx;
    cols.Y[k] = N * ry;
    cols.NN_XX[k] = 2 * N * pXX;
    cols.NN_XY[k] = 4 * N * pXY;
    cols.NN_YY[k] = 2 * N * pYY;
    cols.NNN_XX[k] = 3 * N * xx;
    cols.NNN_XY[k] = 6 * N * xy;
    cols.NNN_YY[k] = 3 * N * yy;
  }
  densities['rho2_XX'] = rho2XX;
  densities['rho2_XY'] = rho2XY;
  densities['rho2_YY'] = rho2YY;
  return { times: times.slice(), mean: cols, densities };
}
