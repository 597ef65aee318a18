/**
 * Ordinary differential equation integrators on a prescribed output grid: explicit Euler and classical RK4 with a
 * fixed number of sub-steps per output interval, and the adaptive Dormand–Prince 5(4) pair (DOPRI5) with its
 * fourth-order continuous extension (dense output) or, optionally, steps clipped to land on every output time.
 *
 * All three share one contract: `rhs(t, y, dydt)` writes dy/dt into `dydt` (it must not keep `y` or `dydt`), the
 * result is a row-major `times.length × y0.length` matrix whose row k is the state at `times[k]` (row 0 is a copy of
 * `y0`). The public functions validate their arguments once and then run allocation-free loops over preallocated
 * work buffers.
 */

/**
 * Right-hand side of dy/dt = f(t, y): write f(t, y) into `dydt`. Do not keep references to the arrays.
 *
 * @example
 * ```ts
 * const decay: OdeRhs = (_t, y, dydt) => { dydt[0] = -y[0]!; };
 * ```
 */
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;

/**
 * Options of the fixed-step integrators {@link integrateEuler} and {@link integrateRk4}.
 *
 * @example
 * ```ts
 * const options: FixedStepOptions = { substeps: 10 }; // 10 equal steps inside every output interval
 * ```
 */
export interface FixedStepOptions {
  /** Equal steps taken inside each interval [times[k], times[k+1]] (integer ≥ 1; default 1). */
  substeps?: number;
}

/**
 * Counters filled in by {@link integrateDopri5} when passed as `options.stats`.
 *
 * @example
 * ```ts
 * const stats: Dopri5Stats = { accepted: 0, rejected: 0, evaluations: 0 };
 * ```
 */
export interface Dopri5Stats {
  /** Accepted steps. */
  accepted: number;
  /** Rejected steps (error estimate above tolerance or a non-finite trial stage). */
  rejected: number;
  /** Calls of the right-hand side. */
  evaluations: number;
}

/**
 * Options of {@link integrateDopri5}.
 *
 * @example
 * ```ts
 * const options: Dopri5Options = { rtol: 1e-8, atol: 1e-10, maxStep: 0.5 };
 * ```
 */
export interface Dopri5Options {
  /** Relative tolerance per component (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance per component (default 1e-9). */
  atol?: number;
  /** Maximum number of attempted steps over the whole grid (default 100 000). */
  maxSteps?: number;
  /** First trial step; default: Hairer–Wanner's automatic estimate. */
  initialStep?: number;
  /** Largest step (default: the whole span times[last] − times[0]). */
  maxStep?: number;
  /**
   * true (default): outputs come from the fourth-order dense output of DOPRI5 and steps ignore the output grid;
   * false: every step is clipped so that it ends exactly on the next output time.
   */
  dense?: boolean;
  /** If given, receives step and evaluation counts. */
  stats?: Dopri5Stats;
}

/**
 * Thrown when an integration cannot continue: a non-finite state or derivative, a step-size underflow or the step
 * budget running out. `time` is the time at which it happened.
 *
 * @example
 * ```ts
 * try { integrateRk4((_t, y, d) => { d[0] = y[0]! * y[0]!; }, Float64Array.of(1), Float64Array.of(0, 2)); }
 * catch (e) { if (e instanceof OdeIntegrationError) console.log(e.time); }
 * ```
 */
export class OdeIntegrationError extends Error {
  /** Time of the failure. */
  readonly time: number;
  constructor(message: string, time: number) {
    super(message);
    this.name = 'OdeIntegrationError';
    this.time = time;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// validation

function checkProblem(rhs: unknown, y0: unknown, times: unknown): void {
  if (typeof rhs !== 'function') throw new TypeError(`rhs must be a function (t, y, dydt) => void; got ${typeof rhs}`);
  if (!(y0 instanceof Float64Array)) throw new TypeError(`y0 must be a Float64Array; got ${describe(y0)}`);
  if (y0.length === 0) throw new RangeError('y0 must have at least one component; got length 0');
  for (let i = 0; i < y0.length; i++) {
    if (!Number.isFinite(y0[i]!)) throw new RangeError(`y0 must be finite; y0[${i}] = ${y0[i]}`);
  }
  if (!(times instanceof Float64Array)) throw new TypeError(`times must be a Float64Array; got ${describe(times)}`);
  if (times.length === 0) throw new RangeError('times must have at least one entry; got length 0');
  for (let k = 0; k < times.length; k++) {
    if (!Number.isFinite(times[k]!)) throw new RangeError(`times must be finite; times[${k}] = ${times[k]}`);
    if (k > 0 && !(times[k]! > times[k - 1]!)) {
      throw new RangeError(
        `times must be strictly increasing; times[${k - 1}] = ${times[k - 1]}, times[${k}] = ${times[k]}`,
      );
    }
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

function checkOptionsObject(options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`options must be an object or undefined; got ${describe(options)}`);
  }
}

function checkSubsteps(options: FixedStepOptions | undefined): number {
  checkOptionsObject(options);
  const s = options?.substeps ?? 1;
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`options.substeps must be an integer >= 1; got ${String(s)}`);
  return s;
}

function positiveOption(name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`options.${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}; got ${String(value)}`);
  }
  return value;
}

function checkFiniteState(y: Float64Array, t: number, what: string): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new OdeIntegrationError(`non-finite ${what} at t = ${t}: component ${i} is ${y[i]}`, t);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// fixed-step integrators

/**
 * Explicit (forward) Euler: y ← y + h·f(t, y) with `substeps` equal steps per output interval. First order.
 *
 * @param rhs right-hand side, see {@link OdeRhs}
 * @param y0 initial state at `times[0]`
 * @param times strictly increasing output times
 * @returns row-major `times.length × y0.length` states; row 0 is `y0`
 * @throws TypeError/RangeError for bad arguments; {@link OdeIntegrationError} if the state becomes non-finite
 *
 * @example
 * ```ts
 * const out = integrateEuler((_t, y, d) => { d[0] = -y[0]!; }, Float64Array.of(1), Float64Array.of(0, 1), { substeps: 1000 });
 * out[1]; // ≈ e^{-1} (error O(1e-3))
 * ```
 */
export function integrateEuler(
  rhs: OdeRhs,
  y0: Float64Array,
  times: Float64Array,
  options?: FixedStepOptions,
): Float64Array {
  checkProblem(rhs, y0, times);
  const substeps = checkSubsteps(options);
  const n = y0.length;
  const out = new Float64Array(times.length * n);
  out.set(y0, 0);
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n);
  for (let k = 1; k < times.length; k++) {
    const ta = times[k - 1]!;
    const h = (times[k]! - ta) / substeps;
    for (let s = 0; s < substeps; s++) {
      const t = ta + s * h;
      rhs(t, y, k1);
      for (let i = 0; i < n; i++) y[i] = y[i]! + h * k1[i]!;
    }
    checkFiniteState(y, times[k]!, 'state');
    out.set(y, k * n);
  }
  return out;
}

/**
 * Classical fourth-order Runge–Kutta with `substeps` equal steps per output interval.
 *
 * @param rhs right-hand side, see {@link OdeRhs}
 * @param y0 initial state at `times[0]`
 * @param times strictly increasing output times
 * @returns row-major `times.length × y0.length` states; row 0 is `y0`
 * @throws TypeError/RangeError for bad arguments; {@link OdeIntegrationError} if the state becomes non-finite
 *
 * @example
 * ```ts
 * // harmonic oscillator x'' = -x
 * const out = integrateRk4((_t, y, d) => { d[0] = y[1]!; d[1] = -y[0]!; }, Float64Array.of(1, 0),
 *   Float64Array.of(0, Math.PI), { substeps: 100 });
 * out[2]; // ≈ -1
 * ```
 */
export function integrateRk4(
  rhs: OdeRhs,
  y0: Float64Array,
  times: Float64Array,
  options?: FixedStepOptions,
): Float64Array {
  checkProblem(rhs, y0, times);
  const substeps = checkSubsteps(options);
  const n = y0.length;
  const out = new Float64Array(times.length * n);
  out.set(y0, 0);
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  for (let k = 1; k < times.length; k++) {
    const ta = times[k - 1]!;
    const h = (times[k]! - ta) / substeps;
    for (let s = 0; s < substeps; s++) {
      rk4Step(rhs, ta + s * h, h, y, k1, k2, k3, k4, tmp);
    }
    checkFiniteState(y, times[k]!, 'state');
    out.set(y, k * n);
  }
  return out;
}

/** One RK4 step in place (kernel: no validation, no allocation). */
function rk4Step(
  rhs: OdeRhs,
  t: number,
  h: number,
  y: Float64Array,
  k1: Float64Array,
  k2: Float64Array,
  k3: Float64Array,
  k4: Float64Array,
  tmp: Float64Array,
): void {
  const n = y.length;
  const h2 = 0.5 * h;
  rhs(t, y, k1);
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h2 * k1[i]!;
  rhs(t + h2, tmp, k2);
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h2 * k2[i]!;
  rhs(t + h2, tmp, k3);
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * k3[i]!;
  rhs(t + h, tmp, k4);
  const h6 = h / 6;
  for (let i = 0; i < n; i++) y[i] = y[i]! + h6 * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
}

// ---------------------------------------------------------------------------------------------------------------
// Dormand–Prince 5(4)

// Butcher tableau (Dormand & Prince 1980; Hairer, Nørsett & Wanner, Solving ODEs I, Table II.5.2).
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
const A71 = 35 / 384;
const A73 = 500 / 1113;
const A74 = 125 / 192;
const A75 = -2187 / 6784;
const A76 = 11 / 84;
// error coefficients: 5th-order minus embedded 4th-order weights
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
// dense output (Hairer's dopri5.f, CONTD5)
const D1 = -12715105075 / 11282082432;
const D3 = 87487479700 / 32700410799;
const D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632;
const D6 = -1453857185 / 822651844;
const D7 = 69997945 / 29380423;

const SAFETY = 0.9;
const FAC_MIN = 0.2; // step may shrink to at most 1/5 ...
const FAC_MAX = 10; // ... and grow to at most 10×
const BETA = 0.04; // PI (Lund) stabilisation as in dopri5.f

/**
 * Adaptive Dormand–Prince 5(4) (DOPRI5) with local extrapolation, PI step-size control and the error norm
 * sqrt(mean_i (err_i / (atol + rtol·max(|y_i|, |y_new,i|)))²) ≤ 1 per accepted step. Output values come from the
 * method's fourth-order dense output (default) or, with `dense: false`, from steps clipped to end on each output time.
 * The final step always ends exactly on `times[last]`.
 *
 * @param rhs right-hand side, see {@link OdeRhs}
 * @param y0 initial state at `times[0]`
 * @param times strictly increasing output times
 * @param options tolerances and step controls, see {@link Dopri5Options}
 * @returns row-major `times.length × y0.length` states; row 0 is `y0`
 * @throws TypeError/RangeError for bad arguments; {@link OdeIntegrationError} for a non-finite derivative, a step
 *   size underflow or more than `maxSteps` attempted steps
 *
 * @example
 * ```ts
 * const times = Float64Array.from({ length: 11 }, (_, k) => k);
 * const out = integrateDopri5((_t, y, d) => { d[0] = -0.5 * y[0]!; }, Float64Array.of(2), times, { rtol: 1e-8 });
 * out[10]; // ≈ 2·e^{-5}
 * ```
 */
export function integrateDopri5(
  rhs: OdeRhs,
  y0: Float64Array,
  times: Float64Array,
  options?: Dopri5Options,
): Float64Array {
  checkProblem(rhs, y0, times);
  checkOptionsObject(options);
  const rtol = positiveOption('rtol', options?.rtol, 1e-6, true);
  const atol = positiveOption('atol', options?.atol, 1e-9, true);
  if (rtol === 0 && atol === 0) throw new RangeError('options.rtol and options.atol must not both be 0');
  const maxSteps = options?.maxSteps ?? 100_000;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(`options.maxSteps must be an integer >= 1; got ${String(maxSteps)}`);
  }
  const span = times[times.length - 1]! - times[0]!;
  const maxStep = positiveOption('maxStep', options?.maxStep, span > 0 ? span : 1);
  const initialStep = options?.initialStep === undefined ? 0 : positiveOption('initialStep', options.initialStep, 0);
  const dense = options?.dense ?? true;
  if (typeof dense !== 'boolean') throw new TypeError(`options.dense must be a boolean; got ${typeof dense}`);
  const stats = options?.stats;
  if (stats !== undefined && (stats === null || typeof stats !== 'object')) {
    throw new TypeError(`options.stats must be an object; got ${describe(stats)}`);
  }

  const n = y0.length;
  const out = new Float64Array(times.length * n);
  out.set(y0, 0);
  if (times.length === 1) return out;

  const w = new Dopri5Work(n);
  w.y.set(y0);
  let t = times[0]!;
  const tEnd = times[times.length - 1]!;
  let evaluations = 0;
  rhs(t, w.y, w.k1);
  evaluations++;
  checkFiniteState(w.k1, t, 'derivative');

  let h = initialStep > 0 ? initialStep : initialStepEstimate(rhs, t, w, rtol, atol);
  if (initialStep <= 0) evaluations++;
  h = Math.min(h, maxStep, tEnd - t);
  let facOld = 1e-4;
  let accepted = 0;
  let rejected = 0;
  let attempts = 0;
  let next = 1; // next output index
  let lastRejected = false;

  while (next < times.length) {
    if (attempts >= maxSteps) {
      throw new OdeIntegrationError(`more than options.maxSteps = ${maxSteps} steps needed; stopped at t = ${t}`, t);
    }
    attempts++;
    // step target: the end, or (clipping mode) the next output time
    const target = dense ? tEnd : times[next]!;
    let clipped = false;
    const hFree = h;
    if (t + h >= target || t + 1.01 * h >= target) {
      h = target - t;
      clipped = true;
    }
    if (!(h > 0) || t + h === t) {
      throw new OdeIntegrationError(`step size underflow (h = ${h}) at t = ${t}`, t);
    }
    const err = dopri5Trial(rhs, t, h, w, rtol, atol);
    evaluations += 6;
    if (err <= 1) {
      // accept
      accepted++;
      const tNew = clipped ? target : t + h;
      if (dense) {
        prepareDense(h, w);
        while (next < times.length && times[next]! <= tNew) {
          const tk = times[next]!;
          if (tk === tNew) out.set(w.yNew, next * n);
          else denseInto(w, (tk - t) / h, out, next * n);
          next++;
        }
      } else if (clipped) {
        out.set(w.yNew, next * n);
        next++;
      }
      // FSAL: k7 is f(tNew, yNew)
      w.y.set(w.yNew);
      w.k1.set(w.k7);
      t = tNew;
      checkFiniteState(w.y, t, 'state');
      // new step size (PI control)
      const fac11 = err ** (0.2 - BETA * 0.75);
      let fac = fac11 / facOld ** BETA;
      fac = Math.max(1 / FAC_MAX, Math.min(1 / FAC_MIN, fac / SAFETY));
      let hNew = h / fac;
      if (lastRejected) hNew = Math.min(hNew, h);
      facOld = Math.max(err, 1e-4);
      lastRejected = false;
      // a step clipped to an output time may be much shorter than the controller's choice: don't let it shrink h
      h = Math.min(maxStep, clipped ? Math.max(hNew, hFree) : hNew);
    } else {
      rejected++;
      lastRejected = true;
      if (Number.isFinite(err)) {
        h = h / Math.min(1 / FAC_MIN, err ** (0.2 - BETA * 0.75) / SAFETY);
      } else {
        h = h * FAC_MIN; // a trial stage was non-finite: back off hard
      }
    }
  }
  if (stats) {
    stats.accepted = accepted;
    stats.rejected = rejected;
    stats.evaluations = evaluations;
  }
  return out;
}

/** Work buffers of DOPRI5 (allocated once per call). */
class Dopri5Work {
  readonly y: Float64Array;
  readonly yNew: Float64Array;
  readonly tmp: Float64Array;
  readonly k1: Float64Array;
  readonly k2: Float64Array;
  readonly k3: Float64Array;
  readonly k4: Float64Array;
  readonly k5: Float64Array;
  readonly k6: Float64Array;
  readonly k7: Float64Array;
  readonly r1: Float64Array;
  readonly r2: Float64Array;
  readonly r3: Float64Array;
  readonly r4: Float64Array;
  readonly r5: Float64Array;
  constructor(n: number) {
    this.y = new Float64Array(n);
    this.yNew = new Float64Array(n);
    this.tmp = new Float64Array(n);
    this.k1 = new Float64Array(n);
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.k4 = new Float64Array(n);
    this.k5 = new Float64Array(n);
    this.k6 = new Float64Array(n);
    this.k7 = new Float64Array(n);
    this.r1 = new Float64Array(n);
    this.r2 = new Float64Array(n);
    this.r3 = new Float64Array(n);
    this.r4 = new Float64Array(n);
    this.r5 = new Float64Array(n);
  }
}

/** Hairer–Wanner's starting step (HINIT); uses k1 = f(t, y) already in `w.k1`, one extra evaluation. */
function initialStepEstimate(rhs: OdeRhs, t: number, w: Dopri5Work, rtol: number, atol: number): number {
  const n = w.y.length;
  let dnf = 0;
  let dny = 0;
  for (let i = 0; i < n; i++) {
    const sk = atol + rtol * Math.abs(w.y[i]!);
    dnf += (w.k1[i]! / sk) ** 2;
    dny += (w.y[i]! / sk) ** 2;
  }
  let h = dnf <= 1e-10 || dny <= 1e-10 ? 1e-6 : Math.sqrt(dny / dnf) * 0.01;
  for (let i = 0; i < n; i++) w.tmp[i] = w.y[i]! + h * w.k1[i]!;
  rhs(t + h, w.tmp, w.k2);
  let der2 = 0;
  for (let i = 0; i < n; i++) {
    const sk = atol + rtol * Math.abs(w.y[i]!);
    der2 += ((w.k2[i]! - w.k1[i]!) / sk) ** 2;
  }
  der2 = Math.sqrt(der2) / h;
  const der12 = Math.max(Math.abs(der2), Math.sqrt(dnf));
  const h1 = der12 <= 1e-15 ? Math.max(1e-6, Math.abs(h) * 1e-3) : (0.01 / der12) ** 0.2;
  h = Math.min(100 * Math.abs(h), h1);
  return Number.isFinite(h) && h > 0 ? h : 1e-6;
}

/**
 * One DOPRI5 trial step from (t, w.y) with k1 = f(t, y) in `w.k1`; writes y(t+h) into `w.yNew`, f(t+h, yNew) into
 * `w.k7`, and returns the scaled RMS error (Infinity when any stage is non-finite). Kernel: no allocation.
 */
function dopri5Trial(rhs: OdeRhs, t: number, h: number, w: Dopri5Work, rtol: number, atol: number): number {
  const n = w.y.length;
  const { y, yNew, tmp, k1, k2, k3, k4, k5, k6, k7 } = w;
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * A21 * k1[i]!;
  rhs(t + C2 * h, tmp, k2);
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * (A31 * k1[i]! + A32 * k2[i]!);
  rhs(t + C3 * h, tmp, k3);
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * (A41 * k1[i]! + A42 * k2[i]! + A43 * k3[i]!);
  rhs(t + C4 * h, tmp, k4);
  for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * (A51 * k1[i]! + A52 * k2[i]! + A53 * k3[i]! + A54 * k4[i]!);
  rhs(t + C5 * h, tmp, k5);
  for (let i = 0; i < n; i++) {
    tmp[i] = y[i]! + h * (A61 * k1[i]! + A62 * k2[i]! + A63 * k3[i]! + A64 * k4[i]! + A65 * k5[i]!);
  }
  rhs(t + h, tmp, k6);
  for (let i = 0; i < n; i++) {
    yNew[i] = y[i]! + h * (A71 * k1[i]! + A73 * k3[i]! + A74 * k4[i]! + A75 * k5[i]! + A76 * k6[i]!);
  }
  rhs(t + h, yNew, k7);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = h * (E1 * k1[i]! + E3 * k3[i]! + E4 * k4[i]! + E5 * k5[i]! + E6 * k6[i]! + E7 * k7[i]!);
    const sk = atol + rtol * Math.max(Math.abs(y[i]!), Math.abs(yNew[i]!));
    sum += (e / sk) ** 2;
  }
  const err = Math.sqrt(sum / n);
  return Number.isFinite(err) ? err : Number.POSITIVE_INFINITY;
}

/** Coefficients of the continuous extension over the step just accepted (before y is advanced). */
function prepareDense(h: number, w: Dopri5Work): void {
  const n = w.y.length;
  const { y, yNew, k1, k3, k4, k5, k6, k7, r1, r2, r3, r4, r5 } = w;
  for (let i = 0; i < n; i++) {
    const ydiff = yNew[i]! - y[i]!;
    const bspl = h * k1[i]! - ydiff;
    r1[i] = y[i]!;
    r2[i] = ydiff;
    r3[i] = bspl;
    r4[i] = ydiff - h * k7[i]! - bspl;
    r5[i] = h * (D1 * k1[i]! + D3 * k3[i]! + D4 * k4[i]! + D5 * k5[i]! + D6 * k6[i]! + D7 * k7[i]!);
  }
}

/** Evaluate the continuous extension at θ = (t − t_old)/h into `out[offset..offset+n)`. */
function denseInto(w: Dopri5Work, theta: number, out: Float64Array, offset: number): void {
  const n = w.y.length;
  const theta1 = 1 - theta;
  const { r1, r2, r3, r4, r5 } = w;
  for (let i = 0; i < n; i++) {
    out[offset + i] = r1[i]! + theta * (r2[i]! + theta1 * (r3[i]! + theta * (r4[i]! + theta1 * r5[i]!)));
  }
}
