/**
 * θ(0) from t = 0 data (issue #15 item 2, fully visible models): fits the lattice Boltzmann distribution
 * `P(s) ∝ exp(Σ_i h_{s_i} + Σ_{<ij>} J_{s_i s_j} + Σ_i K_{s_i s_{i+1} s_{i+2}})` of `@srn/gillespie/lattice`
 * (biases h per species, NN couplings J per unordered species pair, in 1-D optionally triplet couplings K; empty
 * sites and sites off a closed boundary contribute nothing) to sampled lattices by maximum pseudo-likelihood.
 *
 * The pseudo-likelihood Π_i P(s_i | neighbourhood of i) is concave in (h, J, K), and its maximiser is a consistent
 * estimator (Besag 1975). Each site's conditional is a softmax over its S + 1 states, the empty state at energy 0,
 * and depends only on the states of its neighbours (and, with K, of the sites two steps away along the chain), so
 * the data are first compressed into counts per (neighbourhood, own state); every iteration then costs one softmax
 * per distinct neighbourhood, independent of the number of lattices. The mean negative log pseudo-likelihood per
 * site is minimised by Newton's method with the exact Hessian and a line search ({@link maximisePseudoLikelihood}),
 * until the largest gradient component is below the tolerance.
 */
import { softmaxWithEmpty } from '@srn/boltzmann';
import type { BoltzmannParameters, LatticeGeometry } from '@srn/gillespie/lattice';

/**
 * Options of {@link fitBoltzmannLattice}.
 *
 * @example
 * ```ts
 * const options: BoltzmannFitOptions = { couplings: true, triplets: true, tolerance: 1e-7 };
 * ```
 */
export interface BoltzmannFitOptions {
  /** Fit NN couplings J (default true; false fits independent sites, whose exact answer is h_A = ln(n_A/n_0)). */
  couplings?: boolean;
  /** Fit 1-D triplet couplings K (default false; only on 1-D lattices). */
  triplets?: boolean;
  /** Largest Newton iterations (default 2000; a fit typically takes 5-15). */
  iterations?: number;
  /** Stop a stage when every gradient component is below this (default 1e-7, per site). */
  tolerance?: number;
}

/**
 * The result of {@link fitBoltzmannLattice}.
 *
 * @example
 * ```ts
 * const fit: BoltzmannFit = fitBoltzmannLattice(geometry, ['A'], lattices);
 * sampleBoltzmannLattice(geometry, ['A'], fit.params, 100, createRng(1));
 * ```
 */
export interface BoltzmannFit {
  /** The fitted parameters, keyed as `@srn/gillespie/lattice` expects ('A', 'A-B' with A before B, 'A-B-C'). */
  params: BoltzmannParameters;
  /** Mean negative log pseudo-likelihood per site at the fit. */
  loss: number;
  /** Largest gradient component at the fit. */
  gradient: number;
  /** Newton iterations taken. */
  iterations: number;
  /** Whether every gradient component fell below the tolerance. */
  converged: boolean;
  /** Distinct (neighbourhood) patterns the data were compressed into. */
  patterns: number;
}


/**
 * Fits h, J (and in 1-D optionally K) of a lattice Boltzmann distribution to lattices sampled from it (one
 * initial condition) by maximum pseudo-likelihood; see the module notes.
 *
 * @param geometry the lattice (`createLatticeGeometry`)
 * @param species species names; occupancy code k is `species[k − 1]`, 0 is empty
 * @param lattices one or more occupancies (`Uint8Array` of `geometry.size` codes)
 * @param options which couplings to fit, iteration budget and tolerance
 * @throws TypeError/RangeError naming the bad argument
 *
 * @example
 * ```ts
 * const geometry = createLatticeGeometry([1000]);
 * const truth = { h: { A: 0.3 }, J: { 'A-A': -0.6 }, K: {} };
 * const lattices = Array.from({ length: 10 }, (_, m) => sampleBoltzmannLattice(geometry, ['A'], truth, 200, createRng(1, m)));
 * fitBoltzmannLattice(geometry, ['A'], lattices).params.J['A-A']; // ≈ −0.6
 * ```
 */
export function fitBoltzmannLattice(
  geometry: LatticeGeometry,
  species: readonly string[],
  lattices: readonly Uint8Array[],
  options: BoltzmannFitOptions = {},
): BoltzmannFit {
  if (geometry === null || typeof geometry !== 'object' || !(geometry.neighbors instanceof Int32Array)) {
    throw new TypeError(`geometry must come from createLatticeGeometry; got ${String(geometry)}`);
  }
  if (!Array.isArray(species) || species.length === 0 || species.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new TypeError(`species must be a non-empty array of names; got ${JSON.stringify(species)}`);
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object; got ${String(options)}`);
  const couplings = options.couplings ?? true;
  const triplets = options.triplets ?? false;
  if (typeof couplings !== 'boolean') throw new TypeError(`options.couplings must be a boolean; got ${String(couplings)}`);
  if (typeof triplets !== 'boolean') throw new TypeError(`options.triplets must be a boolean; got ${String(triplets)}`);
  if (triplets && geometry.shape.length !== 1) {
    throw new RangeError(`options.triplets needs a 1-D lattice; got ${geometry.shape.length} axes`);
  }
  const iterations = options.iterations ?? 2000;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`options.iterations must be a positive integer; got ${String(iterations)}`);
  const tolerance = options.tolerance ?? 1e-7;
  if (typeof tolerance !== 'number' || !(tolerance > 0) || !Number.isFinite(tolerance)) {
    throw new RangeError(`options.tolerance must be a positive number; got ${String(tolerance)}`);
  }
  if (!Array.isArray(lattices) || lattices.length === 0) throw new RangeError('lattices must be a non-empty array of occupancies');
  const S = species.length;
  const B = S + 1;
  const { size, degree, neighbors } = geometry;
  lattices.forEach((occ, m) => {
    if (!(occ instanceof Uint8Array) || occ.length !== size) {
      throw new TypeError(`lattices[${m}] must be a Uint8Array of length ${size}; got ${String((occ as { length?: unknown })?.length)}`);
    }
    for (let i = 0; i < size; i++) {
      if (occ[i]! > S) throw new RangeError(`lattices[${m}][${i}] = ${occ[i]} is not a species code (0..${S})`);
    }
  });

  // parameter layout: h (S), then J over a ≤ b, then K over triplet classes (a, b, c) ~ (c, b, a)
  const jIndex = new Int32Array(B * B).fill(-1);
  const names: string[] = species.slice();
  let P = S;
  if (couplings) {
    for (let a = 1; a <= S; a++) {
      for (let b = a; b <= S; b++) {
        jIndex[a * B + b] = P;
        jIndex[b * B + a] = P;
        names.push(`${species[a - 1]}-${species[b - 1]}`);
        P++;
      }
    }
  }
  const kIndex = new Int32Array(triplets ? B * B * B : 0).fill(-1);
  if (triplets) {
    for (let a = 1; a <= S; a++) {
      for (let b = 1; b <= S; b++) {
        for (let c = 1; c <= S; c++) {
          if (kIndex[a * B * B + b * B + c]! >= 0) continue;
          kIndex[a * B * B + b * B + c] = P;
          kIndex[c * B * B + b * B + a] = P;
          names.push(`${species[a - 1]}-${species[b - 1]}-${species[c - 1]}`);
          P++;
        }
      }
    }
  }

  // compress: neighbourhood (neighbour states per direction, then with K the states two steps away) → counts
  const width = degree + (triplets ? 2 : 0);
  if (width * Math.log2(B) > 52) throw new RangeError(`species: ${S} species are too many for the neighbourhood table on this lattice`);
  const problem = compressPseudoLikelihood(
    S,
    P,
    width,
    lattices,
    (occ, i, context) => {
      for (let d = 0; d < degree; d++) {
        const j = neighbors[i * degree + d]!;
        context[d] = j < 0 ? 0 : occ[j]!;
      }
      if (triplets) {
        for (let d = 0; d < 2; d++) {
          const j = neighbors[i * degree + d]!;
          const k = j < 0 ? -1 : neighbors[j * degree + d]!;
          context[degree + d] = k < 0 ? 0 : occ[k]!;
        }
      }
    },
    (context, a, feats) => {
      feats.push(a - 1);
      if (couplings) for (let d = 0; d < degree; d++) if (context[d]! > 0) feats.push(jIndex[a * B + context[d]!]!);
      if (triplets) {
        // 1-D: direction 0 is −1, direction 1 is +1; far −2 at degree, far +2 at degree + 1
        const left = context[0]!;
        const right = context[1]!;
        const far0 = context[degree]!;
        const far1 = context[degree + 1]!;
        const k3 = (x: number, y: number, z: number): void => {
          if (x > 0 && y > 0 && z > 0) feats.push(kIndex[x * B * B + y * B + z]!);
        };
        k3(far0, left, a);
        k3(left, a, right);
        k3(a, right, far1);
      }
    },
  );
  const patterns = problem.patterns;
  const fit = maximisePseudoLikelihood(problem, iterations, tolerance);
  const theta = fit.theta;
  const params: BoltzmannParameters = { h: {}, J: {}, K: {} };
  for (let i = 0; i < P; i++) {
    if (i < S) params.h[names[i]!] = theta[i]!;
    else if (names[i]!.split('-').length === 2) params.J[names[i]!] = theta[i]!;
    else params.K[names[i]!] = theta[i]!;
  }
  return { params, loss: fit.loss, gradient: fit.gradient, iterations: fit.iterations, converged: fit.converged, patterns };
}

/**
 * A pseudo-likelihood problem compressed into patterns (see the module notes): pattern p holds `counts[p·B + a]`
 * sites in state a (B = states + 1, 0 = empty) that share one neighbourhood; the energy gain of state a ≥ 1 in
 * pattern p is Σ θ[featIdx[f]] over f in [featStart[p·B + a], featStart[p·B + a + 1]) (an index may repeat).
 *
 * @example
 * ```ts
 * // one pattern, one species, feature = the bias only: the fit is h = ln(n_A / n_0)
 * const problem: PseudoLikelihoodProblem = {
 *   states: 1, parameters: 1, featStart: Int32Array.of(0, 0, 1), featIdx: Int32Array.of(0), counts: Float64Array.of(30, 10),
 * };
 * ```
 */
export interface PseudoLikelihoodProblem {
  /** Non-empty states S per site. */
  readonly states: number;
  /** Parameters P (length of θ). */
  readonly parameters: number;
  /** Feature ranges per (pattern, state): length patterns·(S + 1) + 1. */
  readonly featStart: Int32Array;
  /** Parameter index of every feature. */
  readonly featIdx: Int32Array;
  /** Sites per (pattern, state): length patterns·(S + 1). */
  readonly counts: Float64Array;
}

/**
 * Compresses the sites of `lattices` into counts per (neighbourhood, own state) and lists the features of every
 * pattern: `fillContext(occ, i, context)` writes the `width` neighbour states (0..S) of site i, `features(context, a,
 * out)` pushes the parameter indices in the energy gain of state a ≥ 1 given that neighbourhood. Needs
 * width·log2(S + 1) ≤ 52 (the key is a base-(S + 1) number); callers check.
 *
 * @example
 * ```ts
 * // independent sites of one species: no neighbours, the bias only
 * const problem = compressPseudoLikelihood(1, 1, 0, [Uint8Array.of(0, 1, 1)], () => {}, (_c, _a, out) => out.push(0));
 * problem.counts; // Float64Array [1, 2]
 * ```
 */
export function compressPseudoLikelihood(
  S: number,
  P: number,
  width: number,
  lattices: readonly Uint8Array[],
  fillContext: (occ: Uint8Array, site: number, context: Int32Array) => void,
  features: (context: Int32Array, state: number, out: number[]) => void,
): PseudoLikelihoodProblem & { readonly patterns: number } {
  const B = S + 1;
  const index = new Map<number, number>();
  const keys: number[] = [];
  const counts: number[] = [];
  const context = new Int32Array(width);
  for (const occ of lattices) {
    for (let i = 0; i < occ.length; i++) {
      fillContext(occ, i, context);
      let key = 0;
      for (let w = 0; w < width; w++) key = key * B + context[w]!;
      let p = index.get(key);
      if (p === undefined) {
        p = keys.length;
        index.set(key, p);
        keys.push(key);
        for (let a = 0; a < B; a++) counts.push(0);
      }
      counts[p * B + occ[i]!]!++;
    }
  }
  const patterns = keys.length;
  const featStart = new Int32Array(patterns * B + 1);
  const feats: number[] = [];
  for (let p = 0; p < patterns; p++) {
    let key = keys[p]!;
    for (let w = width - 1; w >= 0; w--) {
      context[w] = key % B;
      key = Math.floor(key / B);
    }
    featStart[p * B] = feats.length;
    for (let a = 1; a <= S; a++) {
      featStart[p * B + a] = feats.length;
      features(context, a, feats);
    }
    featStart[p * B + B] = feats.length;
  }
  return { states: S, parameters: P, featStart, featIdx: Int32Array.from(feats), counts: Float64Array.from(counts), patterns };
}

/**
 * The result of {@link maximisePseudoLikelihood}.
 *
 * @example
 * ```ts
 * const { theta, converged } = maximisePseudoLikelihood(problem, 2000, 1e-7);
 * ```
 */
export interface PseudoLikelihoodFit {
  /** The maximiser θ. */
  readonly theta: Float64Array;
  /** Mean negative log pseudo-likelihood per site at θ. */
  readonly loss: number;
  /** Largest gradient component at θ. */
  readonly gradient: number;
  /** Newton iterations taken. */
  readonly iterations: number;
  /** Whether every gradient component fell below the tolerance. */
  readonly converged: boolean;
}

/**
 * Maximises a compressed pseudo-likelihood (the engine of {@link fitBoltzmannLattice}, shared with `fitTheta0` of
 * the model forms): the mean negative log pseudo-likelihood per site, a convex function, is minimised from θ = 0 by
 * Newton's method with the exact Hessian (Σ over patterns of the softmax covariance of the feature vectors), a tiny
 * ridge for directions the data leave flat, steps capped at 2 per component and a backtracking (Armijo) line search,
 * for at most `iterations` steps and until every gradient component is below `tolerance` (typically 5-15 steps).
 * Unvalidated (callers build the problem).
 *
 * @example
 * ```ts
 * const problem = {
 *   states: 1, parameters: 1, featStart: Int32Array.of(0, 0, 1), featIdx: Int32Array.of(0), counts: Float64Array.of(30, 10),
 * };
 * maximisePseudoLikelihood(problem, 100, 1e-9).theta[0]; // ≈ ln(10 / 30)
 * ```
 */
export function maximisePseudoLikelihood(problem: PseudoLikelihoodProblem, iterations: number, tolerance: number): PseudoLikelihoodFit {
  const { states: S, parameters: P, featStart, featIdx, counts: count } = problem;
  const B = S + 1;
  const patterns = (featStart.length - 1) / B;
  let sites = 0;
  for (let i = 0; i < count.length; i++) sites += count[i]!;
  const theta = new Float64Array(P);
  const trial = new Float64Array(P);
  const grad = new Float64Array(P);
  const hess = new Float64Array(P * P);
  const chol = new Float64Array(P * P);
  const step = new Float64Array(P);
  const mean = new Float64Array(P);
  const touched = new Int32Array(P);
  const mark = new Uint8Array(P);
  const act = new Float64Array(S);
  const evaluate = (x: Float64Array, derivatives: boolean): number => {
    if (derivatives) {
      grad.fill(0);
      hess.fill(0);
    }
    let loss = 0;
    for (let p = 0; p < patterns; p++) {
      const base = p * B;
      let total = 0;
      for (let a = 0; a < B; a++) total += count[base + a]!;
      if (total === 0) continue;
      for (let a = 1; a <= S; a++) {
        let e = 0;
        for (let f = featStart[base + a]!; f < featStart[base + a + 1]!; f++) e += x[featIdx[f]!]!;
        act[a - 1] = e;
      }
      const p0 = softmaxWithEmpty(act, S);
      if (count[base]! > 0) loss -= count[base]! * Math.log(p0);
      for (let a = 1; a <= S; a++) {
        const n = count[base + a]!;
        if (n > 0) loss -= n * Math.log(act[a - 1]!);
      }
      if (!derivatives) continue;
      // gradient Σ_a (total·p_a − n_a) f_a; Hessian total·(Σ_a p_a f_a f_aᵀ − m mᵀ) with m = Σ_a p_a f_a
      const w = total / sites;
      let nt = 0;
      for (let a = 1; a <= S; a++) {
        const pa = act[a - 1]!;
        const residual = (total * pa - count[base + a]!) / sites;
        const f0 = featStart[base + a]!;
        const f1 = featStart[base + a + 1]!;
        for (let f = f0; f < f1; f++) {
          const i = featIdx[f]!;
          grad[i] += residual;
          if (mark[i] === 0) {
            mark[i] = 1;
            touched[nt++] = i;
            mean[i] = 0;
          }
          mean[i] += pa;
          for (let g = f0; g < f1; g++) hess[i * P + featIdx[g]!] += w * pa;
        }
      }
      for (let u = 0; u < nt; u++) {
        const i = touched[u]!;
        for (let v = 0; v < nt; v++) hess[i * P + touched[v]!] -= w * mean[i]! * mean[touched[v]!]!;
      }
      for (let u = 0; u < nt; u++) mark[touched[u]!] = 0;
    }
    return loss / sites;
  };
  const maxAbs = (): number => {
    let m = 0;
    for (let i = 0; i < P; i++) m = Math.max(m, Math.abs(grad[i]!));
    return m;
  };
  // (H + ridge·I) step = −grad by Cholesky; the ridge grows until the factorisation succeeds.
  const solve = (): void => {
    let scale = 0;
    for (let i = 0; i < P; i++) scale = Math.max(scale, hess[i * P + i]!);
    for (let ridge = 1e-12 * Math.max(scale, 1e-300); ; ridge *= 100) {
      let ok = true;
      for (let i = 0; i < P && ok; i++) {
        for (let j = 0; j <= i; j++) {
          let v = hess[i * P + j]! + (i === j ? ridge : 0);
          for (let k = 0; k < j; k++) v -= chol[i * P + k]! * chol[j * P + k]!;
          if (i === j) {
            if (!(v > 0)) {
              ok = false;
              break;
            }
            chol[i * P + i] = Math.sqrt(v);
          } else chol[i * P + j] = v / chol[j * P + j]!;
        }
      }
      if (!ok) continue;
      for (let i = 0; i < P; i++) {
        let v = -grad[i]!;
        for (let k = 0; k < i; k++) v -= chol[i * P + k]! * step[k]!;
        step[i] = v / chol[i * P + i]!;
      }
      for (let i = P - 1; i >= 0; i--) {
        let v = step[i]!;
        for (let k = i + 1; k < P; k++) v -= chol[k * P + i]! * step[k]!;
        step[i] = v / chol[i * P + i]!;
      }
      return;
    }
  };
  let taken = 0;
  let converged = false;
  let loss = evaluate(theta, true);
  while (P > 0) {
    if (maxAbs() < tolerance) {
      converged = true;
      break;
    }
    if (taken >= iterations) break;
    solve();
    let biggest = 0;
    let slope = 0;
    for (let i = 0; i < P; i++) {
      biggest = Math.max(biggest, Math.abs(step[i]!));
      slope += grad[i]! * step[i]!;
    }
    const cap = biggest > 2 ? 2 / biggest : 1;
    let t = cap;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++, t /= 2) {
      for (let i = 0; i < P; i++) trial[i] = theta[i]! + t * step[i]!;
      // Armijo condition with an allowance for rounding near the optimum
      if (evaluate(trial, false) <= loss + 1e-4 * t * slope + 1e-14 * Math.abs(loss)) {
        accepted = true;
        break;
      }
    }
    taken++;
    if (!accepted) break;
    theta.set(trial);
    loss = evaluate(theta, true);
  }
  return { theta, loss, gradient: maxAbs(), iterations: taken, converged: converged || P === 0 };
}
