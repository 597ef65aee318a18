/**
 * Least-squares projection of sampled data onto the basis, solved matrix-free by conjugate gradients on the
 * normal equations over the touched degrees of freedom.
 * @module
 */
import { FeFunction } from './function.ts';
import { findSlot } from './kernels/hash.ts';
import { checkArray, checkFinite, checkInt, checkNonNegative, checkPositive, show } from './validate.ts';

/**
 * Options of {@link fitLeastSquares}.
 * @example
 * const opts: FitOptions = { regularization: 1e-8, smoothness: 1e-3, tolerance: 1e-12 };
 */
export interface FitOptions {
  /** Tikhonov weight λ ≥ 0 on the squared coefficients (default 0). */
  regularization?: number;
  /** Smoothness weight μ ≥ 0 on squared differences of neighbouring vertices' coefficients (default 0). */
  smoothness?: number;
  /** Per-sample weights w_i ≥ 0 (default all 1). */
  sampleWeights?: ArrayLike<number>;
  /** Relative residual at which CG stops (default 1e-10). */
  tolerance?: number;
  /** Maximum number of CG iterations (default 2000). */
  maxIterations?: number;
}

/**
 * Outcome of {@link fitLeastSquares}.
 * @example
 * const { converged, rmse } = fitLeastSquares(fn, points, values);
 */
export interface FitResult {
  /** Whether the relative residual reached `tolerance`. */
  converged: boolean;
  /** CG iterations used. */
  iterations: number;
  /** Final ‖r‖/‖b‖ of the normal equations. */
  relativeResidual: number;
  /** Root-mean-square (unweighted) error of the fit at the samples. */
  rmse: number;
  /** Number of free (unknown) coefficients. */
  unknowns: number;
  /** Number of vertices the samples depend on. */
  vertices: number;
}

const CACHE_LIMIT = 2 ** 22; // cached basis weights (doubles) before falling back to recomputation

/**
 * Fits the coefficients of `fn` to samples `(points_i, values_i)` by minimising
 * ½ Σ_i w_i (F(x_i) − y_i)² + ½ λ Σ c² + ½ μ Σ_{v, k} Σ_τ (c_{v,τ} − c_{v+e_k,τ})²
 * over the free coefficients of the vertices the samples depend on (frozen coefficients and all other vertices
 * keep their values; the sums over c run over the free coefficients, the smoothness sum over neighbouring pairs
 * of such vertices). The normal equations are solved by conjugate gradients, warm-started from the current
 * coefficients. Without regularisation an under-determined problem converges to the solution nearest the start.
 * @example
 * const fn = createFunction({ spacing: [0.25, 0.25] });
 * const pts = new Float64Array(2 * 400).map((_, j) => ((j * 0.618034) % 1)); // any sample positions
 * const ys = new Float64Array(400).map((_, i) => Math.sin(pts[2 * i]) * pts[2 * i + 1]);
 * const res = fitLeastSquares(fn, pts, ys, { regularization: 1e-10 }); // res.rmse is small
 */
export function fitLeastSquares(
  fn: FeFunction,
  points: ArrayLike<number>,
  values: ArrayLike<number>,
  options: FitOptions = {},
): FitResult {
  if (!(fn instanceof FeFunction)) throw new TypeError(`fn must be a FeFunction (got ${show(fn)})`);
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object (got ${show(options)})`);
  const d = fn.dims;
  checkArray('points', points, 0, true);
  if (points.length % d !== 0 || points.length === 0) {
    throw new RangeError(`points must hold n·${d} coordinates with n >= 1 (got length ${points.length})`);
  }
  const n = points.length / d;
  checkArray('values', values, n);
  for (let i = 0; i < n; i++) checkFinite(`values[${i}]`, values[i]);
  const lambda = checkNonNegative('options.regularization', options.regularization ?? 0);
  const mu = checkNonNegative('options.smoothness', options.smoothness ?? 0);
  const tol = checkPositive('options.tolerance', options.tolerance ?? 1e-10);
  const maxIt = checkInt('options.maxIterations', options.maxIterations ?? 2000, 0, 2 ** 30);
  let sw: Float64Array | null = null;
  if (options.sampleWeights !== undefined) {
    checkArray('options.sampleWeights', options.sampleWeights, n);
    sw = new Float64Array(n);
    for (let i = 0; i < n; i++) sw[i] = checkNonNegative(`options.sampleWeights[${i}]`, options.sampleWeights[i]);
  }
  for (let i = 0; i < n; i++) fn.grid.checkPoint('points', points, i * d);

  const C = fn.corners;
  const m = fn.coefficientsPerVertex;
  const W = fn.weightsPerPoint;
  const st = fn.store;
  const cache = n * W <= CACHE_LIMIT;
  const weights = new Float64Array(cache ? n * W : W);
  const verts = new Int32Array(C * d);
  const slots = new Int32Array(n * C);
  const x = new Float64Array(d);

  // Phase 1: basis of every sample; allocate the vertices with non-zero weights.
  const basis = (i: number, wOff: number) => {
    for (let k = 0; k < d; k++) x[k] = points[i * d + k];
    fn.basisAt(x, verts, weights, 0, wOff);
  };
  for (let i = 0; i < n; i++) {
    const wOff = cache ? i * W : 0;
    basis(i, wOff);
    for (let c = 0; c < C; c++) {
      let nz = false;
      for (let t = 0; t < m && !nz; t++) nz = weights[wOff + c * m + t] !== 0;
      slots[i * C + c] = nz ? st.ensureSlot(verts, c * d) : -1;
    }
  }
  const nv = st.count;
  const N = nv * m;
  const touched = new Uint8Array(nv);
  for (let j = 0; j < n * C; j++) if (slots[j] >= 0) touched[slots[j]] = 1;
  const free = new Uint8Array(N);
  let unknowns = 0;
  let verticesTouched = 0;
  for (let s = 0; s < nv; s++) {
    if (touched[s] === 0) continue;
    verticesTouched++;
    for (let t = 0; t < m; t++) {
      if (st.fixed === null || st.fixed[s * m + t] === 0) {
        free[s * m + t] = 1;
        unknowns++;
      }
    }
  }
  // Neighbour pairs among touched vertices for the smoothness term.
  const edgeList: number[] = [];
  if (mu > 0) {
    const key = new Int32Array(d);
    for (let s = 0; s < nv; s++) {
      if (touched[s] === 0) continue;
      for (let k = 0; k < d; k++) {
        for (let q = 0; q < d; q++) key[q] = st.indices[s * d + q];
        key[k] += 1;
        const ns = findSlot(st.table, st.mask, st.indices, d, key, 0);
        if (ns >= 0 && touched[ns] === 1) edgeList.push(s, ns);
      }
    }
  }
  const edges = Int32Array.from(edgeList);

  // A·v (rows = samples) and Aᵀ·r (accumulated into out).
  const av = new Float64Array(n);
  const applyA = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let wOff = i * W;
      if (!cache) {
        basis(i, 0);
        wOff = 0;
      }
      let s = 0;
      for (let c = 0; c < C; c++) {
        const slot = slots[i * C + c];
        if (slot < 0) continue;
        const r = wOff + c * m;
        const o = slot * m;
        for (let t = 0; t < m; t++) s += weights[r + t] * v[o + t];
      }
      out[i] = s;
    }
  };
  const applyAt = (r: Float64Array, out: Float64Array) => {
    out.fill(0);
    for (let i = 0; i < n; i++) {
      const ri = sw === null ? r[i] : r[i] * sw[i];
      if (ri === 0) continue;
      let wOff = i * W;
      if (!cache) {
        basis(i, 0);
        wOff = 0;
      }
      for (let c = 0; c < C; c++) {
        const slot = slots[i * C + c];
        if (slot < 0) continue;
        const rw = wOff + c * m;
        const o = slot * m;
        for (let t = 0; t < m; t++) out[o + t] += weights[rw + t] * ri;
      }
    }
  };
  // out += λ v + μ L v
  const addReg = (v: Float64Array, out: Float64Array) => {
    if (lambda > 0) for (let j = 0; j < N; j++) out[j] += lambda * v[j];
    if (mu > 0) {
      for (let e = 0; e < edges.length; e += 2) {
        const a = edges[e] * m;
        const b = edges[e + 1] * m;
        for (let t = 0; t < m; t++) {
          const diff = mu * (v[a + t] - v[b + t]);
          out[a + t] += diff;
          out[b + t] -= diff;
        }
      }
    }
  };
  const mask = (v: Float64Array) => {
    for (let j = 0; j < N; j++) if (free[j] === 0) v[j] = 0;
  };
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let j = 0; j < N; j++) s += a[j] * b[j];
    return s;
  };

  const c = st.coeffs.slice(0, N);
  const res = new Float64Array(n);
  const r = new Float64Array(N);
  const b = new Float64Array(N);
  for (let i = 0; i < n; i++) res[i] = values[i];
  applyAt(res, b);
  mask(b);
  const bNorm = Math.sqrt(dot(b, b));
  // r = mask(Aᵀ W (y − A c) − λ c − μ L c)
  applyA(c, av);
  for (let i = 0; i < n; i++) res[i] = values[i] - av[i];
  applyAt(res, r);
  const neg = new Float64Array(N);
  addReg(c, neg);
  for (let j = 0; j < N; j++) r[j] -= neg[j];
  mask(r);
  let rr = dot(r, r);
  const ref = bNorm > 0 ? bNorm : Math.sqrt(rr);
  const p = r.slice();
  const q = new Float64Array(N);
  let it = 0;
  let rel = ref > 0 ? Math.sqrt(rr) / ref : 0;
  while (rel > tol && it < maxIt) {
    applyA(p, av);
    applyAt(av, q);
    addReg(p, q);
    mask(q);
    const pq = dot(p, q);
    if (!(pq > 0)) break;
    const alpha = rr / pq;
    for (let j = 0; j < N; j++) {
      c[j] += alpha * p[j];
      r[j] -= alpha * q[j];
    }
    const rr2 = dot(r, r);
    const beta = rr2 / rr;
    rr = rr2;
    for (let j = 0; j < N; j++) p[j] = r[j] + beta * p[j];
    it++;
    rel = Math.sqrt(rr) / ref;
  }
  for (let j = 0; j < N; j++) if (free[j] === 1) st.coeffs[j] = c[j] + 0;
  applyA(st.coeffs, av);
  let se = 0;
  for (let i = 0; i < n; i++) se += (av[i] - values[i]) ** 2;
  return {
    converged: rel <= tol,
    iterations: it,
    relativeResidual: rel,
    rmse: Math.sqrt(se / n),
    unknowns,
    vertices: verticesTouched,
  };
}
