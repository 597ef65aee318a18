/**
 * Mean-field rate equations of the lattice Lotka–Volterra model (`exact` scheme).
 *
 * Densities x = ρ_X = n_X/N, y = ρ_Y = n_Y/N, ρ_0 = 1 − x − y. Replacing every joint occupation probability by a
 * product of densities (no spatial correlations):
 * * predation: each of the N·z/2 bonds is an X–Y bond with probability 2xy and reacts at rate λ, so
 *   n_X decreases (and n_Y increases) at rate λ·(Nz/2)·2xy, i.e. z·λ·x·y per site;
 * * prey birth: the channel fires at rate kr1·n_X and puts the offspring on a random *free* site, so the rate is not
 *   thinned by crowding: + kr1·x (while ρ_0 > 0). With `birth: 'random-site'` (aim at any site, fail if occupied)
 *   it is kr1·x·ρ_0 instead;
 * * predator death: − kr2·y;
 * * hops move particles but do not change densities, so they drop out.
 *
 *   dx/dt = kr1·x·[ρ_0 (random-site only)] − z·λ·x·y,   dy/dt = z·λ·x·y − kr2·y.
 *
 * With free-site births this is the classical Lotka–Volterra system: fixed point x* = kr2/(zλ), y* = kr1/(zλ),
 * Jacobian eigenvalues ±i·sqrt(kr1·kr2) (a centre: neutral cycles of angular frequency sqrt(kr1·kr2) around it,
 * with the conserved quantity zλ(x + y) − kr2 ln x − kr1 ln y). With random-site births: x* = kr2/(zλ),
 * y* = kr1(1 − x*)/(zλ + kr1), trace −kr1·x*, a slowly damped focus.
 *
 * The birth propensity floor of the simulator (kr1·max(n_X, 1)) only matters once prey are extinct and is left
 * out of the deterministic equations.
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
 * Right-hand side of the mean-field equations on the state [ρ_X, ρ_Y] (allocation-free).
 *
 * @example
 * ```ts
 * const rhs = meanFieldRhs({});
 * const d = new Float64Array(2);
 * rhs(0, Float64Array.of(0.075, 0.03125), d); // d ≈ [0, 0] (the fixed point)
 * ```
 */
export function meanFieldRhs(params: LotkaVolterraRates = {}): OdeRhs {
  const p = resolveLotkaVolterraRates(params);
  return meanFieldRhsResolved(p);
}

function meanFieldRhsResolved(p: ResolvedLotkaVolterraRates): OdeRhs {
  const { kr1, kr2, z } = p;
  const zl = z * p.predationRate;
  const randomSite = p.birth === 'random-site';
  return (_t, s, d) => {
    const x = s[0]!;
    const y = s[1]!;
    const free = 1 - x - y;
    const birth = randomSite ? kr1 * x * free : free > 0 ? kr1 * x : 0;
    const predation = zl * x * y;
    d[0] = birth - predation;
    d[1] = predation - kr2 * y;
  };
}

/**
 * The mean-field fixed point with both species present and the Jacobian there.
 *
 * @example
 * ```ts
 * const fp = meanFieldFixedPoint({});
 * fp.X; // 120 (= N·kr2/(zλ))
 * fp.eigenvalues[0]; // { re: 0, im: sqrt(kr1·kr2) ≈ 0.0387 }
 * ```
 */
export interface MeanFieldFixedPoint {
  /** Prey density x*. */
  rhoX: number;
  /** Predator density y*. */
  rhoY: number;
  /** Prey count N·x*. */
  X: number;
  /** Predator count N·y*. */
  Y: number;
  /** Row-major 2 × 2 Jacobian [∂ẋ/∂x, ∂ẋ/∂y, ∂ẏ/∂x, ∂ẏ/∂y] at the fixed point. */
  jacobian: [number, number, number, number];
  /** Its eigenvalues, the one with non-negative imaginary part first. */
  eigenvalues: [{ re: number; im: number }, { re: number; im: number }];
}

/**
 * Analytic coexistence fixed point of the mean-field equations and its linearisation (see the module notes).
 *
 * @throws RangeError when no coexistence point exists in the simplex (λ = 0, or x* + y* ≥ 1)
 *
 * @example
 * ```ts
 * const { rhoX, rhoY } = meanFieldFixedPoint({ birth: 'random-site' }); // 0.075, ≈ 0.02803
 * ```
 */
export function meanFieldFixedPoint(params: LotkaVolterraRates = {}): MeanFieldFixedPoint {
  const p = resolveLotkaVolterraRates(params);
  const zl = p.z * p.predationRate;
  if (!(zl > 0) || !(p.kr2 > 0) || !(p.kr1 > 0)) {
    throw new RangeError('a coexistence fixed point needs params.predationRate, params.kr1 and params.kr2 > 0');
  }
  const x = p.kr2 / zl;
  let y: number;
  let jacobian: [number, number, number, number];
  if (p.birth === 'free-site') {
    y = p.kr1 / zl;
    jacobian = [0, -zl * x, zl * y, 0];
  } else {
    y = (p.kr1 * (1 - x)) / (zl + p.kr1);
    jacobian = [-p.kr1 * x, -x * (p.kr1 + zl), zl * y, 0];
  }
  if (!(x + y < 1) || !(y > 0)) {
    throw new RangeError(`no coexistence fixed point inside the lattice: x* = ${x}, y* = ${y}`);
  }
  const [a, b, c, d] = jacobian;
  const tr = a + d;
  const det = a * d - b * c;
  const disc = (tr * tr) / 4 - det;
  const eigenvalues: MeanFieldFixedPoint['eigenvalues'] =
    disc < 0
      ? [
          { re: tr / 2, im: Math.sqrt(-disc) },
          { re: tr / 2, im: -Math.sqrt(-disc) },
        ]
      : [
          { re: tr / 2 + Math.sqrt(disc), im: 0 },
          { re: tr / 2 - Math.sqrt(disc), im: 0 },
        ];
  return { rhoX: x, rhoY: y, X: p.N * x, Y: p.N * y, jacobian, eigenvalues };
}

/**
 * Mean-field prediction of the lattice LV observables on `times` (the initial densities X0/N, Y0/N apply at
 * `times[0]`), integrated with DOPRI5. Pair counts are products of densities: NN_αα = 2N·ρ_α², NN_XY = 4N·ρ_Xρ_Y,
 * NNN_αα = 3N·ρ_α², NNN_XY = 6N·ρ_Xρ_Y (2 NN and 3 "NNN" displacements per site; X–Y counted in both orders).
 *
 * @param params model rates (paper defaults), see {@link LotkaVolterraRates}
 * @param times strictly increasing output times
 * @param options integrator tolerances
 * @throws TypeError/RangeError for bad arguments
 *
 * @example
 * ```ts
 * const times = Float64Array.from({ length: 500 }, (_, t) => t);
 * const mf = meanFieldLotkaVolterra({}, times);
 * mf.mean.X[160]; // mean-field prey count at t = 160
 * ```
 */
export function meanFieldLotkaVolterra(
  params: LotkaVolterraRates,
  times: Float64Array,
  options?: BaselineOptions,
): BaselinePrediction {
  const p = resolveLotkaVolterraRates(params);
  checkTimes(times);
  const opts = integrationOptions(options);
  const y0 = Float64Array.of(p.X0 / p.N, p.Y0 / p.N);
  const sol = integrateDopri5(meanFieldRhsResolved(p), y0, times, opts);
  const T = times.length;
  const N = p.N;
  const cols = emptyColumns(T);
  const rhoX = new Float64Array(T);
  const rhoY = new Float64Array(T);
  for (let k = 0; k < T; k++) {
    const x = sol[2 * k]!;
    const y = sol[2 * k + 1]!;
    rhoX[k] = x;
    rhoY[k] = y;
    cols.X[k] = N * x;
    cols.Y[k] = N * y;
    cols.NN_XX[k] = 2 * N * x * x;
    cols.NN_XY[k] = 4 * N * x * y;
    cols.NN_YY[k] = 2 * N * y * y;
    cols.NNN_XX[k] = 3 * N * x * x;
    cols.NNN_XY[k] = 6 * N * x * y;
    cols.NNN_YY[k] = 3 * N * y * y;
  }
  return { times: times.slice(), mean: cols, densities: { rho_X: rhoX, rho_Y: rhoY } };
}
