/**
 * Classical closure baselines generated from any lattice reaction model (issue #15 item 4): the mean-field rate
 * equations and the pair approximation, on the scheme the model runs on, for 1-D, 2-D and 3-D lattices.
 *
 * Site states are 0 (empty) and the species codes 1..S; z = 2d is the coordination number. Every reaction is
 * turned into one of two kinds of transition:
 * * **site transitions** c → c′ of one site at a rate that does not involve a neighbour: decay, conversion,
 *   immigration (0 → B at k per free site) and births placed anywhere (every free site becomes the offspring at
 *   β = k·max(ρ_A, floor/N)/ρ_0, so that the total is k·max(n_A, floor) while a site is free);
 * * **bond transitions** (a, b) → (a′, b′) of an ordered pair of neighbouring sites (i, j), at rate R per bond:
 *   hops (A, 0) → (0, A), neighbour births (A, 0) → (A, O), splittings (A, 0) → (B, C) and contact reactions
 *   (A, B) → (C, D). Each physical event is listed in both orientations of the bond, so the ordered bond (a, b)
 *   fires at the total rate of every event it can undergo.
 *
 * Rates per scheme:
 * * `exact` (continuous-time SSA of `@srn/gillespie/lattice`): hop h_A/z per direction; neighbour birth and
 *   splitting k/z per direction (blocked when the chosen site is occupied); contact A + B at k per adjacent pair
 *   (A + A: k per pair, either particle taking the first product with probability 1/2).
 * * `paper` (the operator-split scheme, one sweep per Δt): every particle of a mobile species tries one hop per
 *   sweep, i.e. 1/(zΔt) per direction; a hop of the mover onto an occupant walks the kernel's list of contact
 *   reactions registered for (mover, occupant) in model order (each reaction is registered for both orders; A + A
 *   once, as in the original), the e-th firing with π_e = p_e Π_{e′<e}(1 − p_e′); so the bond (a, b) reacts at
 *   [mobile_a·π(a→b) + mobile_b·π(b→a)]/(zΔt) (LV: 2·0.4/4 = 0.2 per X–Y pair, the value of today's hand-written
 *   baselines). Unimolecular reactions run on a global Gillespie clock, so their rates are those of the exact
 *   scheme, except neighbour births and splittings: the kernel picks a parent with a free neighbour (up to 20
 *   tries) and puts the offspring on a uniformly random free neighbour, so a parent succeeds at k·s with
 *   s = 1 − (1 − q)^{20z} (q the probability that a neighbour of the parent is free; all z neighbours closed as
 *   independent), i.e. per (A, 0) bond at k·s/(z·q). The sweep is a discrete map; the rates are its first-order
 *   (per-Δt) description, which drops the sweep's within-sweep effects (products do not move again, a consumed
 *   occupant loses its hop, a particle hopping away from a neighbour ends a collision the neighbour would have
 *   tried, row-biased picks). These are correlations: in 1-D they make the mean field overestimate the first
 *   sweep's A + A loss by 6 %, which the pair approximation captures (README, "Baselines for any model").
 *
 * **Mean field** replaces every joint probability by a product of densities: a site transition contributes
 * rate·ρ_c, a bond transition (z/2)·ρ_a·ρ_b·R per site (z/2 bonds per site, each with a fixed orientation).
 *
 * **Pair approximation** evolves the ordered NN pair probabilities P_ab (P_ab = P_ba, Σ_b P_ab = ρ_a) with the
 * Kirkwood-type triplet closure ρ_{dce} ≈ ρ_dc·ρ_ce/ρ_c: a site i in state c with partner j in state d changes by
 * its site transitions, by bond transitions with its z − 1 other neighbours k, whose states e are closed as
 * q_{e|c} = P_ce/ρ_c, and jointly with j by the bond transitions of (i, j) itself:
 *   dP_ab/dt = Σ_{c≠a}[P_cb·W_{c→a} − P_ab·W_{a→c}] + Σ_{c≠b}[P_ac·W_{c→b} − P_ab·W_{b→c}]
 *              + Σ_{(c,d)→(a,b)} P_cd·R − Σ_{(a,b)→(c,d)} P_ab·R,
 *   W_{c→c′} = (site rate) + (z − 1)·Σ_e q_{e|c}·R_{(c,e)→(c′,·)}.
 * `options.tripletClosure` replaces the Kirkwood closure by any function (ρ, P) → ρ_{dce} (e.g. the learned
 * feed-forward closure of `feed-forward.ts`); the other neighbours' bond transitions then enter as
 * (z − 1)·R·ρ_{d,c,e} for partner state d, centre c and other state e.
 * The singlets follow exactly (no closure) as dρ/dt = site flows + (z/2)·Σ P_ab·R over the bond transitions; the
 * row sums of dP equal them, so Σ_b P_ab = ρ_a is conserved. It is the Bethe-type pair approximation (exact on a
 * tree; on the square and cubic lattices it ignores loops). Pairs at a distance n > 1 and runs of k sites are closed
 * along a path as a Markov chain: ρ^(n) = P·(D⁻¹P)^{n−1} with D = diag(ρ), runs ρ_A·(P_AA/ρ_A)^{k−1}.
 *
 * Closed boundaries: the equations are the bulk ones (boundary sites have fewer neighbours, an O(1/L) effect that
 * is not modelled); the observable predictions count exactly the site pairs and windows inside the lattice.
 */
import {
  type CompiledLatticeModel,
  compileLatticeModel,
  compileObservables,
  createLatticeGeometry,
  defaultObservables,
  type LatticeBoundary,
  type LatticeGeometry,
  type LatticeInitialCondition,
  type LatticeModel,
  type LatticeObservable,
  type LatticeSnapshot,
  OBSERVABLE_COUNT,
  OBSERVABLE_PAIR,
  UNI_BIRTH_ANYWHERE,
  UNI_BIRTH_NEIGHBOUR,
  UNI_CONVERSION,
  UNI_DECAY,
  UNI_IMMIGRATION,
  UNI_SPLITTING,
} from '@srn/gillespie/lattice';
import { integrateDopri5, type OdeRhs } from '../ode.ts';
import { type BaselineOptions, checkTimes, integrationOptions } from './params.ts';

/**
 * Tries of the paper scheme's neighbour birth to find a parent with a free neighbour (`NEIGHBOUR_BIRTH_RETRIES` of
 * the `@srn/gillespie` paper kernel, which the lattice entry does not export).
 */
const PAPER_BIRTH_TRIES = 20;

/**
 * What the generators read: a lattice configuration (a `LatticeConfig` of `@srn/gillespie/lattice`, e.g. from
 * `latticeConfigFromFile`, fits as it is).
 *
 * @example
 * ```ts
 * const input: GeneratedBaselineInput = {
 *   model: { species: ['A'], diffusion: { A: 1 }, reactions: [{ type: 'decay', reactant: 'A', rate: 0.1 }] },
 *   shape: [100], boundary: 'periodic', scheme: 'exact', dt: 0.1,
 *   initial: { type: 'densities', densities: { A: 0.5 } },
 * };
 * ```
 */
export interface GeneratedBaselineInput {
  model: LatticeModel;
  /** Lattice extents (1 to 3 axes). */
  shape: number[];
  /** Default `periodic`. */
  boundary?: LatticeBoundary;
  scheme: 'exact' | 'paper';
  /** Time between sweeps (the paper scheme needs it). */
  dt?: number;
  /** The configuration's initial condition, used when the prediction is given no other. */
  initial?: Record<string, number> | LatticeSnapshot | LatticeInitialCondition;
}

/**
 * Where a prediction starts: independent sites with these densities, given NN pair probabilities (a symmetric
 * (S + 1) × (S + 1) matrix over codes 0 = empty, 1..S, row-major), or lattices measured (their densities and NN
 * pairs averaged over all lattices and both orientations of every bond).
 *
 * @example
 * ```ts
 * const start: BaselineInitial = { densities: { X: 0.0625, Y: 0.0625 } };
 * ```
 */
export type BaselineInitial =
  | { densities: Record<string, number> }
  | { pairs: Float64Array }
  | { occupancies: readonly Uint8Array[] };

/**
 * A predicted mean trajectory of observables (counts, pair counts, runs) with its column names.
 *
 * @example
 * ```ts
 * const p: GeneratedPrediction = mf.predict(Float64Array.of(0, 1));
 * p.columns[p.names[0]][1]; // the first observable at t = 1
 * ```
 */
export interface GeneratedPrediction {
  times: Float64Array;
  names: string[];
  columns: Record<string, Float64Array>;
  /** The ODE state at every time (row-major, `stateNames.length` per row). */
  states: Float64Array;
}

/**
 * A generated baseline that applies to the model.
 *
 * @example
 * ```ts
 * const mf = generateMeanField(config);
 * if (mf.applies) mf.predict(times).columns.X;
 * ```
 */
export interface GeneratedBaseline {
  applies: true;
  kind: 'mean-field' | 'pair';
  scheme: 'exact' | 'paper';
  species: readonly string[];
  /** Coordination number z = 2d. */
  coordination: number;
  /** Names of the ODE state's entries: `rho_A` per species (mean field); then `rho_0` and `rho_AB` (pair). */
  stateNames: readonly string[];
  /** The right-hand side on the state layout `stateNames` (allocation-free per call). */
  rhs: OdeRhs;
  /** Approximations made beyond the named closure, for the report. */
  notes: readonly string[];
  /** The ODE state of an initial condition (default: the configuration's). */
  initialState(initial?: BaselineInitial): Float64Array;
  /**
   * Integrates from `initial` at `times[0]` (DOPRI5) and predicts `observables` (default: the lattice's default
   * observables, counts and NN / NNN pair counts).
   */
  predict(
    times: Float64Array,
    options?: BaselineOptions & { initial?: BaselineInitial; observables?: readonly LatticeObservable[] },
  ): GeneratedPrediction;
}

/**
 * A generated baseline that does not apply, with the reason (for the report).
 *
 * @example
 * ```ts
 * const r = generatePairApproximation({ ...config, shape: [2, 40] });
 * if (!r.applies) console.log(r.reason);
 * ```
 */
export interface BaselineNotApplicable {
  applies: false;
  kind: 'mean-field' | 'pair';
  reason: string;
}

/** One bond transition (a, b) → (a2, b2); `birthParent` > 0 marks a paper-scheme neighbour birth (rate k·s/(z·q)). */
interface BondTransition {
  a: number;
  b: number;
  a2: number;
  b2: number;
  rate: number;
  birthParent: number;
}

interface Transitions {
  S: number;
  N: number;
  z: number;
  /** Site transitions, (S + 1)² row-major [from][to]. */
  site: Float64Array;
  /** Births placed anywhere: parent, offspring, rate, floor. */
  anywhere: { parent: number; offspring: number; rate: number; floor: number }[];
  bonds: BondTransition[];
  notes: string[];
  geometry: LatticeGeometry;
  compiled: CompiledLatticeModel;
}

type Compiled = { ok: true; t: Transitions } | { ok: false; reason: string };

function compileTransitions(input: GeneratedBaselineInput, kind: 'mean-field' | 'pair'): Compiled {
  if (input === null || typeof input !== 'object') throw new TypeError(`input must be a lattice configuration; got ${String(input)}`);
  const compiled = compileLatticeModel(input.model);
  const boundary = input.boundary ?? 'periodic';
  if (boundary !== 'periodic' && boundary !== 'closed') {
    throw new RangeError(`input.boundary must be 'periodic' or 'closed'; got ${String(boundary)}`);
  }
  const geometry = createLatticeGeometry(input.shape, boundary);
  const scheme = input.scheme;
  if (scheme !== 'exact' && scheme !== 'paper') throw new RangeError(`input.scheme must be 'exact' or 'paper'; got ${String(scheme)}`);
  const S = compiled.speciesCount;
  const B = S + 1;
  const z = geometry.degree;
  const N = geometry.size;
  const notes: string[] = [];
  if (boundary === 'closed') notes.push('closed boundaries: bulk equations (the missing bonds at the edges are not modelled)');
  if (kind === 'pair') {
    const small = geometry.shape.findIndex((n) => n < 3);
    if (small >= 0 && boundary === 'periodic') {
      return {
        ok: false,
        reason: `the pair approximation needs z distinct neighbours; axis ${small} of the periodic lattice has extent ${geometry.shape[small]} < 3, so a site meets the same neighbour twice`,
      };
    }
  }
  let dt = Number.NaN;
  if (scheme === 'paper') {
    dt = input.dt ?? Number.NaN;
    if (typeof dt !== 'number' || !Number.isFinite(dt) || dt <= 0) {
      throw new RangeError(`input.dt must be a positive number for the paper scheme (one sweep per dt); got ${String(input.dt)}`);
    }
    notes.push('paper scheme: sweep rates to first order per sweep (within-sweep effects and row-biased picks not modelled)');
  }
  const site = new Float64Array(B * B);
  const anywhere: Transitions['anywhere'] = [];
  const bonds: BondTransition[] = [];
  const bond = (a: number, b: number, a2: number, b2: number, rate: number, birthParent = 0): void => {
    if (rate > 0 && (a !== a2 || b !== b2)) bonds.push({ a, b, a2, b2, rate, birthParent });
  };
  // hops
  for (let k = 1; k <= S; k++) {
    const h = scheme === 'exact' ? compiled.hopRate[k]! / z : compiled.hopRate[k]! > 0 ? 1 / (z * dt) : 0;
    bond(k, 0, 0, k, h);
    bond(0, k, k, 0, h);
  }
  for (let r = 0; r < compiled.uniCount; r++) {
    const type = compiled.uniType[r];
    const A = compiled.uniReactant[r]!;
    const O = compiled.uniProduct[r]!;
    const k = compiled.uniRate[r]!;
    if (type === UNI_DECAY) site[A * B] += k;
    else if (type === UNI_CONVERSION) {
      if (O !== A) site[A * B + O] += k;
    } else if (type === UNI_IMMIGRATION) site[O] += k;
    else if (type === UNI_BIRTH_ANYWHERE) anywhere.push({ parent: A, offspring: O, rate: k, floor: compiled.uniFloor[r]! });
    else if (type === UNI_BIRTH_NEIGHBOUR || type === UNI_SPLITTING) {
      const A2 = compiled.uniSiteProduct[r]!;
      const paper = scheme === 'paper';
      bond(A, 0, A2, O, paper ? k : k / z, paper ? A : 0);
      bond(0, A, O, A2, paper ? k : k / z, paper ? A : 0);
    }
  }
  if (scheme === 'exact') {
    for (let r = 0; r < compiled.contactCount; r++) {
      const k = compiled.contactRate[r]!;
      if (Number.isNaN(k)) {
        return { ok: false, reason: `contact reaction ${r + 1} has no rate per adjacent pair, which the exact scheme needs` };
      }
      const x = compiled.contactReactant0[r]!;
      const y = compiled.contactReactant1[r]!;
      const C = compiled.contactProduct0[r]!;
      const D = compiled.contactProduct1[r]!;
      if (x !== y) {
        bond(x, y, C, D, k);
        bond(y, x, D, C, k);
      } else {
        bond(x, x, C, D, k / 2);
        bond(x, x, D, C, k / 2);
      }
    }
  } else {
    // the kernel's lists per ordered (mover, occupant): reaction r under (x, y) as "first" and under (y, x) not
    const lists: { r: number; first: boolean }[][] = Array.from({ length: B * B }, () => []);
    for (let r = 0; r < compiled.contactCount; r++) {
      if (Number.isNaN(compiled.contactProbability[r]!)) {
        return { ok: false, reason: `contact reaction ${r + 1} has no probability per hop attempt, which the paper scheme needs` };
      }
      const x = compiled.contactReactant0[r]!;
      const y = compiled.contactReactant1[r]!;
      lists[x * B + y]!.push({ r, first: true });
      // as in the kernel: A + A is registered once (one test per collision)
      if (x !== y) lists[y * B + x]!.push({ r, first: false });
    }
    if (compiled.contactCount > 0) notes.push('paper scheme: contact probabilities per hop attempt turned into rates per bond');
    const perDirection = 1 / (z * dt);
    for (let mover = 1; mover <= S; mover++) {
      if (!(compiled.hopRate[mover]! > 0)) continue;
      for (let occupant = 1; occupant <= S; occupant++) {
        let none = 1;
        for (const { r, first } of lists[mover * B + occupant]!) {
          const p = compiled.contactProbability[r]!;
          const rate = none * p * perDirection;
          none *= 1 - p;
          const moverProduct = first ? compiled.contactProduct0[r]! : compiled.contactProduct1[r]!;
          const occupantProduct = first ? compiled.contactProduct1[r]! : compiled.contactProduct0[r]!;
          // the mover on site i of the ordered bond (i, j), and on site j
          bond(mover, occupant, moverProduct, occupantProduct, rate);
          bond(occupant, mover, occupantProduct, moverProduct, rate);
        }
      }
    }
  }
  return { ok: true, t: { S, N, z, site, anywhere, bonds, notes, geometry, compiled } };
}

/** Paper-scheme neighbour-birth rate per (parent, free) bond: k·s(q)/(z·q), s = 1 − (1 − q)^{20z}. */
function paperBirthRate(k: number, q: number, z: number): number {
  if (!(q > 1e-12)) return k * PAPER_BIRTH_TRIES;
  return (k * (1 - (1 - q) ** (PAPER_BIRTH_TRIES * z))) / (z * q);
}

function birthAnywhereFlow(t: Transitions, rho: Float64Array, i: number): number {
  const w = t.anywhere[i]!;
  return rho[0]! > 0 ? w.rate * Math.max(rho[w.parent]!, w.floor / t.N) : 0;
}

/**
 * Generates the mean-field rate equations of a lattice model on its scheme (see the module notes). The state is
 * [ρ_A for each species], ρ_0 = 1 − Σρ_A.
 *
 * @param input a lattice configuration (model, shape, boundary, scheme, dt, initial)
 * @returns the baseline, or a typed "does not apply" with the reason (a contact reaction lacking the scheme's number)
 * @throws TypeError/RangeError for an invalid model or configuration
 *
 * @example
 * ```ts
 * const mf = generateMeanField({ model, shape: [40, 40], scheme: 'exact', initial: { X: 100, Y: 100 } });
 * if (mf.applies) mf.predict(Float64Array.of(0, 10, 20)).columns.NN_XY;
 * ```
 */
export function generateMeanField(input: GeneratedBaselineInput): GeneratedBaseline | BaselineNotApplicable {
  const c = compileTransitions(input, 'mean-field');
  if (!c.ok) return { applies: false, kind: 'mean-field', reason: c.reason };
  const t = c.t;
  const { S, z, site, bonds } = t;
  const B = S + 1;
  const rho = new Float64Array(B);
  const dr = new Float64Array(B);
  const half = z / 2;
  const rhs: OdeRhs = (_t, s, d) => {
    let occupied = 0;
    for (let k = 1; k <= S; k++) {
      rho[k] = s[k - 1]!;
      occupied += s[k - 1]!;
    }
    rho[0] = 1 - occupied;
    dr.fill(0);
    for (let a = 0; a < B; a++) {
      for (let b = 0; b < B; b++) {
        const rate = site[a * B + b]!;
        if (rate === 0) continue;
        const flow = rate * rho[a]!;
        dr[a] -= flow;
        dr[b] += flow;
      }
    }
    for (let i = 0; i < t.anywhere.length; i++) {
      const flow = birthAnywhereFlow(t, rho, i);
      dr[0] -= flow;
      dr[t.anywhere[i]!.offspring] += flow;
    }
    for (let e = 0; e < bonds.length; e++) {
      const bt = bonds[e]!;
      const rate = bt.birthParent > 0 ? paperBirthRate(bt.rate, rho[0]!, z) : bt.rate;
      const flow = half * rho[bt.a]! * rho[bt.b]! * rate;
      dr[bt.a] -= flow;
      dr[bt.b] -= flow;
      dr[bt.a2] += flow;
      dr[bt.b2] += flow;
    }
    for (let k = 1; k <= S; k++) d[k - 1] = dr[k]!;
  };
  const stateNames = t.compiled.species.map((s) => `rho_${s}`);
  const initialState = (initial?: BaselineInitial): Float64Array => {
    const P = initialPairs(t, input, initial, 'initial');
    return Float64Array.from({ length: S }, (_, k) => rowSum(P, B, k + 1));
  };
  const r = new Float64Array(B);
  const P = new Float64Array(B * B);
  return assemble(t, input, 'mean-field', stateNames, rhs, initialState, (sol, row) => {
    let occupied = 0;
    for (let k = 1; k <= S; k++) {
      r[k] = sol[row * S + k - 1]!;
      occupied += r[k]!;
    }
    r[0] = 1 - occupied;
    for (let a = 0; a < B; a++) for (let b = 0; b < B; b++) P[a * B + b] = r[a]! * r[b]!;
    return { r, P, chain: false };
  });
}

/** The baseline object around a right-hand side; `unpack` reads row `row` of a solution into singlets and pairs. */
function assemble(
  t: Transitions,
  input: GeneratedBaselineInput,
  kind: 'mean-field' | 'pair',
  stateNames: readonly string[],
  rhs: OdeRhs,
  initialState: (initial?: BaselineInitial) => Float64Array,
  unpack: (sol: Float64Array, row: number) => { r: Float64Array; P: Float64Array; chain: boolean },
): GeneratedBaseline {
  return {
    applies: true,
    kind,
    scheme: input.scheme,
    species: t.compiled.species,
    coordination: t.z,
    stateNames,
    rhs,
    notes: t.notes,
    initialState,
    predict(times, options) {
      checkTimes(times);
      const sol = integrateDopri5(rhs, initialState(options?.initial), times, integrationOptions(options));
      return observe(t, times, sol, stateNames.length, options?.observables, (row) => unpack(sol, row));
    },
  };
}

/**
 * Generates the pair approximation of a lattice model on its scheme (see the module notes). The state is the
 * singlets [ρ_A for each species, ρ_0] followed by the ordered-pair probabilities P_ab for a ≤ b in the order
 * (species..., 0): for species X, Y the layout of today's `PAIR_STATE_NAMES`.
 *
 * @param input a lattice configuration (model, shape, boundary, scheme, dt, initial)
 * @returns the baseline, or a typed "does not apply" with the reason (an axis shorter than 3 on a periodic
 *   lattice, or a contact reaction lacking the scheme's number)
 * @throws TypeError/RangeError for an invalid model or configuration
 *
 * @example
 * ```ts
 * const pa = generatePairApproximation({ model, shape: [1000], boundary: 'closed', scheme: 'exact', initial: { A: 300 } });
 * if (pa.applies) pa.predict(times).columns.NN_AA;
 * ```
 */
export function generatePairApproximation(
  input: GeneratedBaselineInput,
  options: PairApproximationHooks = {},
): GeneratedBaseline | BaselineNotApplicable {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${String(options)}`);
  const closure = options.tripletClosure;
  if (closure !== undefined && typeof closure !== 'function') {
    throw new TypeError(`options.tripletClosure must be a function (rho, pairs, out) => void; got ${String(closure)}`);
  }
  const c = compileTransitions(input, 'pair');
  if (!c.ok) return { applies: false, kind: 'pair', reason: c.reason };
  const t = c.t;
  if (closure !== undefined) t.notes.push('triplet closure: supplied by options.tripletClosure (not Kirkwood)');
  const { S, z, site, bonds } = t;
  const B = S + 1;
  // state order of codes: species 1..S, then 0
  const order = Int32Array.from({ length: B }, (_, i) => (i < S ? i + 1 : 0));
  const pairIndex: number[][] = [];
  for (let i = 0; i < B; i++) for (let j = i; j < B; j++) pairIndex.push([order[i]!, order[j]!]);
  const M = B + pairIndex.length;
  const names = t.compiled.species;
  const label = (code: number): string => (code === 0 ? '0' : names[code - 1]!);
  const stateNames = [...names.map((s) => `rho_${s}`), 'rho_0', ...pairIndex.map(([a, b]) => `rho_${label(a!)}${label(b!)}`)];
  const r = new Float64Array(B);
  const P = new Float64Array(B * B);
  const W = new Float64Array(B * B);
  const out = new Float64Array(B);
  const dP = new Float64Array(B * B);
  const dr = new Float64Array(B);
  const R = new Float64Array(bonds.length);
  const T = new Float64Array(B * B * B);
  const half = z / 2;
  const other = z - 1;
  const rhs: OdeRhs = (_t, s, d) => {
    for (let i = 0; i < B; i++) r[order[i]!] = s[i]!;
    for (let p = 0; p < pairIndex.length; p++) {
      const [a, b] = pairIndex[p]!;
      P[a! * B + b!] = s[B + p]!;
      P[b! * B + a!] = s[B + p]!;
    }
    W.set(site);
    for (let i = 0; i < t.anywhere.length; i++) {
      if (r[0]! > 0) W[t.anywhere[i]!.offspring] += birthAnywhereFlow(t, r, i) / r[0]!;
    }
    dr.fill(0);
    // singlets: site transitions (exact, no closure)
    for (let a = 0; a < B; a++) {
      for (let b = 0; b < B; b++) {
        if (a === b) continue;
        const flow = W[a * B + b]! * r[a]!;
        dr[a] -= flow;
        dr[b] += flow;
      }
    }
    for (let e = 0; e < bonds.length; e++) {
      const bt = bonds[e]!;
      const rate = bt.birthParent > 0 ? paperBirthRate(bt.rate, r[bt.birthParent]! > 0 ? P[bt.birthParent * B]! / r[bt.birthParent]! : 0, z) : bt.rate;
      R[e] = rate;
      const flow = half * P[bt.a * B + bt.b]! * rate;
      dr[bt.a] -= flow;
      dr[bt.b] -= flow;
      dr[bt.a2] += flow;
      dr[bt.b2] += flow;
    }
    for (let c0 = 0; c0 < B; c0++) {
      let o = 0;
      for (let c1 = 0; c1 < B; c1++) if (c1 !== c0) o += W[c0 * B + c1]!;
      out[c0] = o;
    }
    for (let a = 0; a < B; a++) {
      for (let b = 0; b < B; b++) {
        const pab = P[a * B + b]!;
        let acc = -pab * (out[a]! + out[b]!);
        for (let c2 = 0; c2 < B; c2++) {
          if (c2 !== a) acc += P[c2 * B + b]! * W[c2 * B + a]!;
          if (c2 !== b) acc += P[a * B + c2]! * W[c2 * B + b]!;
        }
        dP[a * B + b] = acc;
      }
    }
    // the other z − 1 neighbours k of site i (state x) with i's partner j in state p: the triplet (p, x, y) of
    // (j, i, k) from the closure (Kirkwood: P_px·P_xy/ρ_x) fires the bond transition (x, y) → (x2, ·) of (i, k)
    if (closure === undefined) kirkwoodTriplets(r, P, T, B);
    else closure(r, P, T);
    for (let e = 0; e < bonds.length; e++) {
      const bt = bonds[e]!;
      const flow = P[bt.a * B + bt.b]! * R[e]!;
      dP[bt.a * B + bt.b] -= flow;
      dP[bt.a2 * B + bt.b2] += flow;
      if (bt.a2 === bt.a) continue;
      const x = bt.a;
      const y = bt.b;
      const x2 = bt.a2;
      const rate = other * R[e]!;
      for (let p = 0; p < B; p++) {
        const f = rate * T[(p * B + x) * B + y]!;
        if (f === 0) continue;
        // site i is the first index of P_{i j} and the second of P_{j i}
        dP[x * B + p] -= f;
        dP[x2 * B + p] += f;
        dP[p * B + x] -= f;
        dP[p * B + x2] += f;
      }
    }
    for (let i = 0; i < B; i++) d[i] = dr[order[i]!]!;
    for (let p = 0; p < pairIndex.length; p++) {
      const [a, b] = pairIndex[p]!;
      // symmetric part (the joint bond terms are symmetric when both orientations are listed)
      d[B + p] = 0.5 * (dP[a! * B + b!]! + dP[b! * B + a!]!);
    }
  };
  const initialState = (initial?: BaselineInitial): Float64Array => {
    const P0 = initialPairs(t, input, initial, 'initial');
    const s = new Float64Array(M);
    for (let i = 0; i < B; i++) s[i] = rowSum(P0, B, order[i]!);
    for (let p = 0; p < pairIndex.length; p++) s[B + p] = P0[pairIndex[p]![0]! * B + pairIndex[p]![1]!]!;
    return s;
  };
  const rr = new Float64Array(B);
  const PP = new Float64Array(B * B);
  return assemble(t, input, 'pair', stateNames, rhs, initialState, (sol, row) => {
    for (let i = 0; i < B; i++) rr[order[i]!] = sol[row * M + i]!;
    for (let p = 0; p < pairIndex.length; p++) {
      const [a, b] = pairIndex[p]!;
      PP[a! * B + b!] = sol[row * M + B + p]!;
      PP[b! * B + a!] = sol[row * M + B + p]!;
    }
    return { r: rr, P: PP, chain: true };
  });
}

/**
 * A triplet closure for the pair approximation: from the singlets `rho` (length S + 1, index = site code, 0 empty)
 * and the ordered NN pair probabilities `pairs` ((S + 1)², row-major, symmetric) it writes `out[(c·B + a)·B + b]`
 * (B = S + 1): the probability that a site i is in state a, one of its neighbours j in state c and another neighbour
 * k ≠ j in state b (averaged over the ordered pairs of distinct neighbours of i). It must be symmetric under
 * c ↔ b and sum over b to `pairs[c·B + a]` for the pair equations to conserve probability. Called inside the ODE
 * right-hand side: it must not allocate, and must not modify `rho` or `pairs` (the right-hand side's own buffers).
 *
 * @example
 * ```ts
 * // the Kirkwood closure (the default)
 * const kirkwood: TripletClosure = (rho, pairs, out) => {
 *   const B = rho.length;
 *   for (let c = 0; c < B; c++) for (let a = 0; a < B; a++) for (let b = 0; b < B; b++)
 *     out[(c * B + a) * B + b] = rho[a]! > 0 ? (pairs[c * B + a]! * pairs[a * B + b]!) / rho[a]! : 0;
 * };
 * ```
 */
export type TripletClosure = (rho: Float64Array, pairs: Float64Array, out: Float64Array) => void;

/**
 * Options of {@link generatePairApproximation}.
 *
 * @example
 * ```ts
 * const hooks: PairApproximationHooks = { tripletClosure: kirkwoodTriplets };
 * ```
 */
export interface PairApproximationHooks {
  /** The 3-site statistics the pair equations need (default the Kirkwood closure {@link kirkwoodTriplets}). */
  tripletClosure?: TripletClosure;
}

/**
 * The Kirkwood-type triplet closure ρ_{cab} = P_ca·P_ab/ρ_a on the layout of {@link TripletClosure} (0 where ρ_a = 0).
 * Allocation-free.
 *
 * @param rho singlets (length B)
 * @param pairs NN pair probabilities (B², row-major)
 * @param out the triplets (B³)
 * @param B states per site (S + 1; default `rho.length`)
 *
 * @example
 * ```ts
 * const out = new Float64Array(8);
 * kirkwoodTriplets(Float64Array.of(0.5, 0.5), Float64Array.of(0.3, 0.2, 0.2, 0.3), out);
 * out[0]; // 0.3 · 0.3 / 0.5 = 0.18
 * ```
 */
export function kirkwoodTriplets(rho: Float64Array, pairs: Float64Array, out: Float64Array, B = rho.length): void {
  for (let a = 0; a < B; a++) {
    const ra = rho[a]!;
    for (let c = 0; c < B; c++) {
      const pca = ra > 0 ? pairs[c * B + a]! / ra : 0;
      for (let b = 0; b < B; b++) out[(c * B + a) * B + b] = pca * pairs[a * B + b]!;
    }
  }
}

function rowSum(P: Float64Array, B: number, a: number): number {
  let s = 0;
  for (let b = 0; b < B; b++) s += P[a * B + b]!;
  return s;
}

/** Pair matrix (codes 0..S) of an initial condition; uncorrelated unless pairs or lattices are given. */
function initialPairs(t: Transitions, input: GeneratedBaselineInput, initial: BaselineInitial | undefined, name: string): Float64Array {
  const { S, N } = t;
  const B = S + 1;
  const species = t.compiled.species;
  const product = (rho: Float64Array): Float64Array => {
    const P = new Float64Array(B * B);
    for (let a = 0; a < B; a++) for (let b = 0; b < B; b++) P[a * B + b] = rho[a]! * rho[b]!;
    return P;
  };
  const fromDensities = (densities: Record<string, number>, where: string): Float64Array => {
    if (densities === null || typeof densities !== 'object') throw new TypeError(`${where} must be an object keyed by species`);
    const rho = new Float64Array(B);
    let occupied = 0;
    for (const [key, value] of Object.entries(densities)) {
      const k = species.indexOf(key);
      if (k < 0) throw new RangeError(`${where}.${key}: unknown species; known: ${species.join(', ')}`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`${where}.${key} must be a finite number >= 0; got ${String(value)}`);
      }
      rho[k + 1] = value;
      occupied += value;
    }
    if (occupied > 1 + 1e-12) throw new RangeError(`${where} must sum to at most 1; got ${occupied}`);
    rho[0] = Math.max(0, 1 - occupied);
    return product(rho);
  };
  if (initial === undefined) {
    const ic = input.initial;
    if (ic === undefined) throw new RangeError(`${name}: the configuration has no initial condition; pass options.initial`);
    if (typeof ic === 'object' && ic !== null && 'type' in ic && typeof ic.type === 'string') {
      const typed = ic as LatticeInitialCondition;
      switch (typed.type) {
        case 'counts':
          return fromDensities(Object.fromEntries(Object.entries(typed.counts).map(([k, v]) => [k, v / N])), `${name}.counts`);
        case 'densities':
          return fromDensities(typed.densities, `${name}.densities`);
        case 'snapshot':
          return measurePairs(t, [snapshotCodes(t, typed.snapshot, name)], name);
        case 'boltzmann': {
          const fixed = Object.values(typed.h).every((v) => typeof v === 'number');
          const free = [...Object.values(typed.J ?? {}), ...Object.values(typed.K ?? {})].every((v) => v === 0);
          if (!fixed || !free) {
            throw new RangeError(`${name}: a Boltzmann initial condition with couplings or ranges has no closed-form densities; pass options.initial = { occupancies } (the t = 0 lattices)`);
          }
          // independent sites: p_A = e^{h_A} / (1 + Σ_B e^{h_B})
          let z = 1;
          for (const s of species) z += Math.exp((typed.h[s] as number | undefined) ?? 0);
          return fromDensities(Object.fromEntries(species.map((s) => [s, Math.exp((typed.h[s] as number | undefined) ?? 0) / z])), `${name}.h`);
        }
      }
    }
    if ('occupancy' in (ic as object)) return measurePairs(t, [snapshotCodes(t, ic as LatticeSnapshot, name)], name);
    return fromDensities(Object.fromEntries(Object.entries(ic as Record<string, number>).map(([k, v]) => [k, v / N])), `${name} (counts)`);
  }
  if (initial === null || typeof initial !== 'object') throw new TypeError(`options.initial must be an object; got ${String(initial)}`);
  if ('densities' in initial) return fromDensities(initial.densities, 'options.initial.densities');
  if ('occupancies' in initial) return measurePairs(t, initial.occupancies, 'options.initial.occupancies');
  if ('pairs' in initial) {
    const P = initial.pairs;
    if (!(P instanceof Float64Array) || P.length !== B * B) throw new TypeError(`options.initial.pairs must be a Float64Array of length ${B * B}`);
    let total = 0;
    for (let a = 0; a < B; a++) {
      for (let b = 0; b < B; b++) {
        const v = P[a * B + b]!;
        if (!Number.isFinite(v) || v < 0 || Math.abs(v - P[b * B + a]!) > 1e-12) {
          throw new RangeError(`options.initial.pairs must be symmetric, finite and non-negative; entry [${a}][${b}] = ${v}`);
        }
        total += v;
      }
    }
    if (Math.abs(total - 1) > 1e-9) throw new RangeError(`options.initial.pairs must sum to 1; got ${total}`);
    return P.slice();
  }
  throw new TypeError('options.initial must have densities, pairs or occupancies');
}

/** A snapshot's occupancy in the model's species codes (its species are mapped by name). */
function snapshotCodes(t: Transitions, snapshot: LatticeSnapshot, name: string): Uint8Array {
  const map = snapshot.species.map((s) => t.compiled.species.indexOf(s) + 1);
  const unknown = snapshot.species.filter((_, k) => map[k] === 0);
  if (unknown.length > 0) throw new RangeError(`${name}: the snapshot's species ${unknown.join(', ')} are not in the model`);
  return snapshot.occupancy.map((c) => (c === 0 ? 0 : map[c - 1]!));
}

/** Singlet and NN pair frequencies of lattices (every in-lattice bond in both orientations). */
function measurePairs(t: Transitions, occupancies: readonly Uint8Array[], name: string): Float64Array {
  const B = t.S + 1;
  const { size, degree, neighbors } = t.geometry;
  if (!Array.isArray(occupancies) || occupancies.length === 0) throw new RangeError(`${name} must be a non-empty array of lattices`);
  const P = new Float64Array(B * B);
  let bonds = 0;
  occupancies.forEach((occ, m) => {
    if (!(occ instanceof Uint8Array) || occ.length !== size) throw new TypeError(`${name}[${m}] must be a Uint8Array of length ${size}`);
    for (let i = 0; i < size; i++) {
      const a = occ[i]!;
      if (a > t.S) throw new RangeError(`${name}[${m}][${i}] = ${a} is not a species code (0..${t.S})`);
      for (let d = 0; d < degree; d++) {
        const j = neighbors[i * degree + d]!;
        if (j < 0) continue;
        P[a * B + occ[j]!]! += 1;
        bonds++;
      }
    }
  });
  for (let i = 0; i < P.length; i++) P[i] = P[i]! / bonds;
  return P;
}

/** Predicted observables from the state at each time (`chain`: pair-approximation closures for longer distances). */
function observe(
  t: Transitions,
  times: Float64Array,
  sol: Float64Array,
  width: number,
  observables: readonly LatticeObservable[] | undefined,
  at: (row: number) => { r: Float64Array; P: Float64Array; chain: boolean },
): GeneratedPrediction {
  const { geometry, S } = t;
  const B = S + 1;
  const species = t.compiled.species;
  const obs = observables ?? defaultObservables(species, geometry.shape.length);
  const compiled = compileObservables(geometry, species, obs);
  const T = times.length;
  const names = compiled.names.slice();
  const columns: Record<string, Float64Array> = {};
  for (const name of names) columns[name] = new Float64Array(T);
  // per observable: the (distance, site-pair count) terms, or the run's window count
  const terms = compiled.observables.map((o, i) => {
    if (compiled.kinds[i] === OBSERVABLE_COUNT) return [];
    if (compiled.kinds[i] === OBSERVABLE_PAIR) {
      const displacements = (o as { displacements: 'nn' | 'nnn' | number[][] }).displacements;
      const group = compiled.groups[compiled.parameter[i]!]!;
      return group.map((table, g) => {
        let count = 0;
        for (let s = 0; s < table.length; s++) if (table[s]! >= 0) count++;
        // 'nn' vectors have Manhattan length 1, the paper's 'nnn' set length 2
        const distance =
          displacements === 'nn' ? 1 : displacements === 'nnn' ? 2 : displacements[g]!.reduce((x, v) => x + Math.abs(v), 0);
        return { distance, count };
      });
    }
    const length = compiled.parameter[i]!;
    const axis = (o as { axis?: number }).axis ?? 0;
    const extent = geometry.shape[axis]!;
    const windows = geometry.boundary === 'periodic' ? geometry.size : (geometry.size / extent) * Math.max(0, extent - length + 1);
    return [{ distance: length, count: windows }];
  });
  const maxDistance = Math.max(1, ...terms.flat().map((x) => x.distance));
  const powers = Array.from({ length: maxDistance + 1 }, () => new Float64Array(B * B));
  const tmp = new Float64Array(B * B);
  for (let row = 0; row < T; row++) {
    const { r, P, chain } = at(row);
    // ρ^(n): n = 0 the diagonal of the singlets; n = 1 the pairs; n > 1 P (D⁻¹P)^{n−1} (pair approximation) or
    // products (mean field)
    powers[0]!.fill(0);
    for (let a = 0; a < B; a++) powers[0]![a * B + a] = r[a]!;
    powers[1]!.set(P);
    for (let n = 2; n <= maxDistance; n++) {
      const prev = powers[n - 1]!;
      const next = powers[n]!;
      if (!chain) {
        next.set(P);
        continue;
      }
      tmp.fill(0);
      for (let a = 0; a < B; a++) {
        for (let c = 0; c < B; c++) {
          const inv = r[c]! > 0 ? prev[a * B + c]! / r[c]! : 0;
          if (inv === 0) continue;
          for (let b = 0; b < B; b++) tmp[a * B + b] += inv * P[c * B + b]!;
        }
      }
      next.set(tmp);
    }
    for (let i = 0; i < names.length; i++) {
      const A = compiled.codeA[i]!;
      let value: number;
      if (compiled.kinds[i] === OBSERVABLE_COUNT) value = geometry.size * r[A]!;
      else if (compiled.kinds[i] === OBSERVABLE_PAIR) {
        const Bc = compiled.codeB[i]!;
        value = 0;
        for (const { distance, count } of terms[i]!) {
          const m = powers[distance]!;
          value += count * (A === Bc ? m[A * B + A]! : m[A * B + Bc]! + m[Bc * B + A]!);
        }
      } else {
        const { distance: length, count } = terms[i]![0]!;
        const q = r[A]! > 0 ? (chain ? P[A * B + A]! / r[A]! : r[A]!) : 0;
        value = count * r[A]! * q ** (length - 1);
      }
      columns[names[i]!]![row] = value;
    }
  }
  return { times: times.slice(), names, columns, states: sol.slice(0, T * width) };
}
