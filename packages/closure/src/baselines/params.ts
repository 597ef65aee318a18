/**
 * Shared parameters, validation and output layout of the classical closure baselines for the lattice
 * Lotka–Volterra model (spec sections 1 and 3), as simulated by the `exact` (continuous-time) scheme of
 * `@srn/gillespie/lattice`.
 */
import type { Dopri5Stats } from '../ode.ts';

/**
 * Coordination number z of the 2-D square lattice with von Neumann neighbourhood.
 *
 * @example
 * ```ts
 * const perSitePredation = COORDINATION * 0.2 * 0.0625 * 0.0625; // z·λ·ρ_X·ρ_Y
 * ```
 */
export const COORDINATION = 4;

/**
 * Where a newborn prey goes. `free-site` (the model): the birth channel fires at rate kr1·n_X and places the
 * offspring on a uniformly random free site, so the rate is not thinned by crowding. `random-site` (a variant): the
 * offspring is aimed at a uniformly random site and the birth fails if it is occupied, i.e. rate kr1·n_X·ρ_0.
 *
 * @example
 * ```ts
 * const placement: BirthPlacement = 'free-site';
 * ```
 */
export type BirthPlacement = 'free-site' | 'random-site';

/**
 * Rates and sizes of the lattice Lotka–Volterra model (spec 1.2–1.3; `exact` scheme rates of `@srn/gillespie`'s
 * `lotkaVolterraLattice({ scheme: 'exact' })`). Every field is optional; defaults are the paper's.
 *
 * @example
 * ```ts
 * const params: LotkaVolterraRates = { kr1: 0.025, kr2: 0.06, predationRate: 0.2, hopRate: 1, L: 40, X0: 100, Y0: 100 };
 * ```
 */
export interface LotkaVolterraRates {
  /** Prey birth rate per prey, kr1 (default 0.025). */
  kr1?: number;
  /** Predator death rate per predator, kr2 (default 0.06). */
  kr2?: number;
  /**
   * Predation rate λ per adjacent X–Y pair (default 0.2). The `paper` scheme's per-hop-attempt probability p = 0.4
   * corresponds to λ = 2 · (hopRate/4) · p = 0.2: either partner picks the other's direction (rate 1/4 each) and
   * passes the test.
   */
  predationRate?: number;
  /** Hop attempts per particle per unit time, each of the 4 directions at hopRate/4 (default 1). */
  hopRate?: number;
  /** Lattice side; N = L² sites, periodic (default 40). */
  L?: number;
  /** Initial prey count, placed uniformly at random (default 100). */
  X0?: number;
  /** Initial predator count (default 100). */
  Y0?: number;
  /** Birth placement (default `free-site`, the model's). */
  birth?: BirthPlacement;
}

/**
 * Validated parameters with every default filled in, plus N = L² and z = 4.
 *
 * @example
 * ```ts
 * const p = resolveLotkaVolterraRates({ L: 20 });
 * p.N; // 400
 * ```
 */
export interface ResolvedLotkaVolterraRates {
  kr1: number;
  kr2: number;
  predationRate: number;
  hopRate: number;
  L: number;
  X0: number;
  Y0: number;
  birth: BirthPlacement;
  /** Number of sites L². */
  N: number;
  /** Coordination number (4). */
  z: number;
}

/**
 * Integration options shared by the baselines (DOPRI5, see `integrateDopri5`).
 *
 * @example
 * ```ts
 * const options: BaselineOptions = { rtol: 1e-10, atol: 1e-13 };
 * ```
 */
export interface BaselineOptions {
  /** Relative tolerance (default 1e-8). */
  rtol?: number;
  /** Absolute tolerance on densities (default 1e-12). */
  atol?: number;
  /** Step budget (default 1 000 000). */
  maxSteps?: number;
  /** Largest step (default: unlimited). */
  maxStep?: number;
  /** Receives the integrator's step counts. */
  stats?: Dopri5Stats;
}

/**
 * Column names of a {@link BaselinePrediction}, matching `@srn/gillespie`'s `LatticeObserver` for species X, Y.
 *
 * @example
 * ```ts
 * BASELINE_COLUMNS[0]; // 'X'
 * ```
 */
export const BASELINE_COLUMNS = ['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY'] as const;

/**
 * One of {@link BASELINE_COLUMNS}.
 *
 * @example
 * ```ts
 * const column: BaselineColumn = 'NNN_XY';
 * ```
 */
export type BaselineColumn = (typeof BASELINE_COLUMNS)[number];

/**
 * Predicted mean observables on a time grid (counts as in spec 3.1: n_α; NN over D1 = {(0,1),(1,0)}; "NNN" over
 * D2 = {(0,2),(1,1),(2,0)}; same-species pairs counted once, X–Y pairs in both orders), plus the underlying
 * densities (`rho_X`, `rho_Y`, … and for the pair approximation `rho_XX`, `rho_XY`, `rho_X0`, `rho_YY`, `rho_Y0`,
 * `rho_00`, `rho_0`, where ρ_ab is the probability that a given site is a and a given neighbour of it is b).
 *
 * @example
 * ```ts
 * const p: BaselinePrediction = meanFieldLotkaVolterra({}, Float64Array.of(0, 1));
 * p.mean.X[0]; // 100
 * ```
 */
/** One zero-filled series of length `length` per baseline column. */
export function emptyColumns(length: number): Record<BaselineColumn, Float64Array> {
  const columns = {} as Record<BaselineColumn, Float64Array>;
  for (const name of BASELINE_COLUMNS) columns[name] = new Float64Array(length);
  return columns;
}

export interface BaselinePrediction {
  times: Float64Array;
  mean: Record<BaselineColumn, Float64Array>;
  densities: Record<string, Float64Array>;
}

/**
 * Validates `params` (TypeError/RangeError naming the field) and fills in the paper's defaults.
 *
 * @example
 * ```ts
 * resolveLotkaVolterraRates({}).predationRate; // 0.2
 * ```
 */
export function resolveLotkaVolterraRates(params: LotkaVolterraRates = {}): ResolvedLotkaVolterraRates {
  if (params === null || typeof params !== 'object') throw new TypeError(`params must be an object; got ${String(params)}`);
  const kr1 = nonNegative(params.kr1, 0.025, 'params.kr1');
  const kr2 = nonNegative(params.kr2, 0.06, 'params.kr2');
  const predationRate = nonNegative(params.predationRate, 0.2, 'params.predationRate');
  const hopRate = nonNegative(params.hopRate, 1, 'params.hopRate');
  const L = params.L ?? 40;
  if (!Number.isInteger(L) || L < 3) throw new RangeError(`params.L must be an integer >= 3; got ${String(L)}`);
  const N = L * L;
  const X0 = nonNegative(params.X0, 100, 'params.X0');
  const Y0 = nonNegative(params.Y0, 100, 'params.Y0');
  if (X0 + Y0 > N) throw new RangeError(`params.X0 + params.Y0 must not exceed N = L² = ${N}; got ${X0 + Y0}`);
  const birth = params.birth ?? 'free-site';
  if (birth !== 'free-site' && birth !== 'random-site') {
    throw new RangeError(`params.birth must be 'free-site' or 'random-site'; got ${String(birth)}`);
  }
  return { kr1, kr2, predationRate, hopRate, L, X0, Y0, birth, N, z: COORDINATION };
}

function nonNegative(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0; got ${String(value)}`);
  }
  return value;
}

/**
 * Checks the output grid of a baseline (the integrator re-checks finiteness and monotonicity). Internal helper.
 *
 * @example
 * ```ts
 * checkTimes(Float64Array.of(0, 1, 2));
 * ```
 */
export function checkTimes(times: unknown): Float64Array {
  if (!(times instanceof Float64Array)) throw new TypeError('times must be a Float64Array');
  if (times.length === 0) throw new RangeError('times must have at least one entry; got length 0');
  return times;
}

/**
 * Baseline integration options with defaults filled in (rtol 1e-8, atol 1e-12, maxSteps 10⁶). Internal helper.
 *
 * @example
 * ```ts
 * integrationOptions(undefined).rtol; // 1e-8
 * ```
 */
export function integrationOptions(options: BaselineOptions | undefined): {
  rtol: number;
  atol: number;
  maxSteps: number;
  maxStep?: number;
  stats?: Dopri5Stats;
} {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError('options must be an object or undefined');
  }
  const out: { rtol: number; atol: number; maxSteps: number; maxStep?: number; stats?: Dopri5Stats } = {
    rtol: options?.rtol ?? 1e-8,
    atol: options?.atol ?? 1e-12,
    maxSteps: options?.maxSteps ?? 1_000_000,
  };
  if (options?.maxStep !== undefined) out.maxStep = options.maxStep;
  if (options?.stats !== undefined) out.stats = options.stats;
  return out;
}
