import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import {
  type BoltzmannParameters,
  checkInitialCondition,
  compileObservables,
  createBoltzmannSampler,
  createLatticeGeometry,
  drawBoltzmannParameters,
  initialConditionCount,
  type LatticeGeometry,
  type LatticeObservable,
  measureObservables,
  placeInitialCondition,
  sampleBoltzmannLattice,
} from '../src/lattice.ts';

/** Mean and sample SD of each column over rows. */
function columnStats(rows: Float64Array[]): { mean: number[]; sd: number[] } {
  const K = rows[0].length;
  const mean = new Array<number>(K).fill(0);
  const sd = new Array<number>(K).fill(0);
  for (const r of rows) for (let k = 0; k < K; k++) mean[k] += r[k] / rows.length;
  for (const r of rows) for (let k = 0; k < K; k++) sd[k] += (r[k] - mean[k]) ** 2 / (rows.length - 1);
  return { mean, sd: sd.map(Math.sqrt) };
}

/**
 * M independent Gibbs chains (stream m of one seed each), every chain measured once at its end. Independent chains
 * make the samples i.i.d., so the z-score of a mean is (mean − exact) / (SD / √M) with no autocorrelation correction.
 */
function sampleChains(
  geometry: LatticeGeometry,
  species: string[],
  params: BoltzmannParameters,
  sweeps: number,
  observables: LatticeObservable[],
  M: number,
  seed: number,
): Float64Array[] {
  const compiled = compileObservables(geometry, species, observables);
  const sampler = createBoltzmannSampler(geometry, species, params);
  const occ = new Uint8Array(geometry.size);
  const rows: Float64Array[] = [];
  for (let m = 0; m < M; m++) {
    sampler.sample(sweeps, createRng(seed, m), occ);
    const row = new Float64Array(observables.length);
    measureObservables(compiled, occ, row);
    rows.push(row);
  }
  return rows;
}

/** |z| bound per compared mean: P(|z| > 4.5) ≈ 7e-6 per comparison for a correct sampler. */
const Z_MAX = 4.5;

describe('lattice Boltzmann sampler against exact moments', () => {
  it('factorises with all J = 0: p_i = e^{h_i} / (1 + Σ_j e^{h_j}) (the 2018 enzyme IC, and 2-D closed / 3-D periodic)', () => {
    // The 2018 notebook's numbers follow from the formula: on 100 sites ⟨n_S⟩ = 27.016, ⟨n_E⟩ = 44.542, ⟨n_X⟩ = 6.028.
    const h = { S: 0.5, E: 1, X: -1, P: -1 };
    const Z = 1 + Object.values(h).reduce((a, v) => a + Math.exp(v), 0);
    const p = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Math.exp(v) / Z]));
    expect(100 * p.S).toBeCloseTo(27.016, 3);
    expect(100 * p.E).toBeCloseTo(44.542, 3);
    expect(100 * p.X).toBeCloseTo(6.028, 3);
    const cases: [number[], 'periodic' | 'closed', number][] = [
      [[100], 'closed', 1],
      [[12, 10], 'closed', 2],
      [[5, 6, 7], 'periodic', 3],
    ];
    for (const [shape, boundary, sweeps] of cases) {
      const g = createLatticeGeometry(shape, boundary);
      const species = Object.keys(h);
      const obs: LatticeObservable[] = [
        ...species.map((s): LatticeObservable => ({ type: 'count', species: s })),
        { type: 'pair', species: ['S', 'E'], displacements: 'nn' },
        { type: 'pair', species: ['E', 'E'], displacements: 'nn' },
      ];
      const M = 300;
      const rows = sampleChains(g, species, { h, J: {}, K: {} }, sweeps, obs, M, 11);
      const { mean, sd } = columnStats(rows);
      // Bonds: on a closed lattice (n_k − 1) per line along axis k, on a periodic one n_k.
      let bonds = 0;
      for (let k = 0; k < shape.length; k++) {
        const lines = g.size / shape[k];
        bonds += lines * (boundary === 'closed' ? shape[k] - 1 : shape[k]);
      }
      const N = g.size;
      species.forEach((s, k) => {
        // n_s ~ Binomial(N, p_s) exactly once every site has been resampled (one sweep suffices with J = 0).
        const z = (mean[k] - N * p[s]) / Math.sqrt((N * p[s] * (1 - p[s])) / M);
        expect(Math.abs(z), `${shape} n_${s}`).toBeLessThan(Z_MAX);
      });
      const exactPairs = [bonds * 2 * p.S * p.E, bonds * p.E * p.E];
      for (let j = 0; j < 2; j++) {
        const z = (mean[4 + j] - exactPairs[j]) / (sd[4 + j] / Math.sqrt(M));
        expect(Math.abs(z), `${shape} pair ${j}`).toBeLessThan(Z_MAX);
      }
    }
  });

  it('samples 7 species in 3-D (per-site conditionals, no table) with the factorised marginals', () => {
    const species = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    const h = Object.fromEntries(species.map((s, k) => [s, (k - 3) / 3]));
    const Z = 1 + species.reduce((a, s) => a + Math.exp(h[s]), 0);
    const g = createLatticeGeometry([6, 6, 6], 'closed');
    const M = 200;
    const rows = sampleChains(g, species, { h, J: {}, K: {} }, 2, species.map((s) => ({ type: 'count', species: s })), M, 5);
    const { mean } = columnStats(rows);
    species.forEach((s, k) => {
      const p = Math.exp(h[s]) / Z;
      expect(Math.abs((mean[k] - g.size * p) / Math.sqrt((g.size * p * (1 - p)) / M))).toBeLessThan(Z_MAX);
    });
  });

  it('gives the same samples from tabulated and per-site conditionals (same uniforms, same cumulative order)', () => {
    const g = createLatticeGeometry([50], 'closed');
    const params: BoltzmannParameters = { h: { A: 0.3, B: -0.2 }, J: { 'A-A': -0.7, 'A-B': 0.4 }, K: { 'A-B-A': 0.8, 'A-A-A': -0.5 } };
    // Both paths compare the same 32-bit uniform with the same cumulative sums (normalised once per table entry,
    // or per site); they can only differ when a uniform falls within rounding (~1e-16) of a boundary, which 20 × 50
    // updates will not hit.
    const a = createBoltzmannSampler(g, ['A', 'B'], params).sample(20, createRng(4));
    const b = createBoltzmannSampler(g, ['A', 'B'], params, { tabulate: false }).sample(20, createRng(4));
    expect(Array.from(b)).toEqual(Array.from(a));
    // One species on a ring: the integer-threshold path against the per-site conditionals.
    const ring = createLatticeGeometry([50]);
    const one: BoltzmannParameters = { h: { A: 0.3 }, J: { 'A-A': -0.7 }, K: { 'A-A-A': 0.8 } };
    const c = createBoltzmannSampler(ring, ['A'], one).sample(20, createRng(6));
    const d = createBoltzmannSampler(ring, ['A'], one, { tabulate: false }).sample(20, createRng(6));
    expect(Array.from(d)).toEqual(Array.from(c));
  });

  for (const boundary of ['closed', 'periodic'] as const) {
    it(`matches exact enumeration with J in 2-D (3 × 3, ${boundary}, two species)`, () => {
      const g = createLatticeGeometry([3, 3], boundary);
      const species = ['A', 'B'];
      const params: BoltzmannParameters = { h: { A: 0.2, B: -0.3 }, J: { 'A-A': 0.7, 'A-B': -0.9, 'B-B': 0.4 }, K: {} };
      const obs: LatticeObservable[] = [
        { type: 'count', species: 'A' },
        { type: 'count', species: 'B' },
        { type: 'pair', species: ['A', 'A'], displacements: 'nn' },
        { type: 'pair', species: ['A', 'B'], displacements: 'nn' },
      ];
      // Exact: all 3^9 configurations, weight exp(Σ h + Σ_bonds J) with each bond once (the +1 neighbour per axis;
      // with extent 3 a periodic bond is never counted twice).
      const compiled = compileObservables(g, species, obs);
      const h = [0, 0.2, -0.3];
      const J = [
        [0, 0, 0],
        [0, 0.7, -0.9],
        [0, -0.9, 0.4],
      ];
      const occ = new Uint8Array(9);
      const row = new Float64Array(obs.length);
      const exact = new Array<number>(obs.length).fill(0);
      let Z = 0;
      for (let code = 0; code < 3 ** 9; code++) {
        let rest = code;
        for (let i = 0; i < 9; i++) {
          occ[i] = rest % 3;
          rest = Math.floor(rest / 3);
        }
        let energy = 0;
        for (let i = 0; i < 9; i++) {
          energy += h[occ[i]];
          for (let k = 0; k < 2; k++) {
            const j = g.neighbors[i * g.degree + 2 * k + 1];
            if (j >= 0) energy += J[occ[i]][occ[j]];
          }
        }
        const w = Math.exp(energy);
        Z += w;
        measureObservables(compiled, occ, row);
        for (let k = 0; k < obs.length; k++) exact[k] += w * row[k];
      }
      // 3000 independent chains of 30 sweeps: 9 sites with |J| < 1 mix within a few sweeps.
      const M = 3000;
      const rows = sampleChains(g, species, params, 30, obs, M, 31);
      const { mean, sd } = columnStats(rows);
      exact.forEach((value, k) => {
        const z = (mean[k] - value / Z) / (sd[k] / Math.sqrt(M));
        expect(Math.abs(z), `${boundary} ${k}: ${mean[k]} vs ${value / Z}`).toBeLessThan(Z_MAX);
      });
    });
  }

  const oneSpecies: BoltzmannParameters = { h: { A: 0.3 }, J: { 'A-A': -0.8 }, K: { 'A-A-A': 0.9 } };
  const twoSpecies: BoltzmannParameters = {
    h: { A: 0.3, B: -0.4 },
    J: { 'A-A': -0.8, 'A-B': 0.6, 'B-B': 0.5 },
    K: { 'A-A-A': 0.9, 'A-B-A': -0.7, 'B-A-A': 0.4 },
  };
  for (const [species, params] of [
    [['A'], oneSpecies],
    [['A', 'B'], twoSpecies],
  ] as [string[], BoltzmannParameters][]) {
    for (const boundary of ['periodic', 'closed'] as const) {
      it(`matches the 1-D transfer matrix with h, J and K, ${species.length} species, on a ${boundary === 'periodic' ? 'periodic ring' : 'closed chain'}`, () => {
        const L = 30;
        const exact = transferMatrixMoments(params, species, L, boundary);
        const two = species.length === 2;
        const obs: LatticeObservable[] = [
          { type: 'count', species: 'A' },
          { type: 'pair', species: ['A', 'A'], displacements: 'nn' },
          { type: 'pair', species: ['A', 'A'], displacements: 'nnn' },
          { type: 'run', species: 'A', length: 3 },
        ];
        const wanted = [exact.count[1], exact.nn(1, 1), exact.nnn(1, 1), exact.run3(1)];
        if (two) {
          obs.push(
            { type: 'count', species: 'B' },
            { type: 'pair', species: ['A', 'B'], displacements: 'nn' },
            { type: 'pair', species: ['A', 'B'], displacements: 'nnn' },
            { type: 'run', species: 'B', length: 3 },
          );
          wanted.push(exact.count[2], exact.nn(1, 2) + exact.nn(2, 1), exact.nnn(1, 2) + exact.nnn(2, 1), exact.run3(2));
        }
        // 1000 independent chains of 100 sweeps from a uniformly random start: with |J|, |K| < 1 in 1-D the
        // correlation length is a few sites and a chain forgets its start within a few sweeps, so the remaining
        // bias is far below the standard error (about 0.1 on n_A ≈ 10).
        const M = 1000;
        const rows = sampleChains(createLatticeGeometry([L], boundary), species, params, 100, obs, M, 23);
        const { mean, sd } = columnStats(rows);
        wanted.forEach((value, k) => {
          const z = (mean[k] - value) / (sd[k] / Math.sqrt(M));
          expect(Math.abs(z), `${boundary} ${obs[k].type} ${k}: ${mean[k]} vs ${value}`).toBeLessThan(Z_MAX);
        });
      });
    }
  }
});

/**
 * Exact expectations of the 1-D lattice Boltzmann distribution P(s) ∝ exp(Σ_i h_{s_i} + Σ_bonds J + Σ_triplets K)
 * by a transfer matrix over pair states x_i = (s_i, s_{i+1}). The factor of step x_i → x_{i+1} carries site i's
 * h, bond (i, i+1)'s J and triplet (i, i+1, i+2)'s K. Ring: Z = Tr T^L. Chain: Z = 1ᵀ T^{L−2} e with the end
 * vector e(a, b) = exp(h_a + h_b + J_ab). Triplet marginals P_i(a, b, c) give every window observable.
 */
function transferMatrixMoments(params: BoltzmannParameters, species: string[], L: number, boundary: 'periodic' | 'closed') {
  const B = species.length + 1;
  const code = (name: string): number => species.indexOf(name) + 1;
  const h = new Array<number>(B).fill(0);
  const J = Array.from({ length: B }, () => new Array<number>(B).fill(0));
  const K = Array.from({ length: B }, () => Array.from({ length: B }, () => new Array<number>(B).fill(0)));
  for (const [s, v] of Object.entries(params.h)) h[code(s)] = v;
  for (const [key, v] of Object.entries(params.J)) {
    const [a, b] = key.split('-').map(code);
    J[a][b] = v;
    J[b][a] = v;
  }
  for (const [key, v] of Object.entries(params.K)) {
    const [a, b, c] = key.split('-').map(code);
    K[a][b][c] = v;
    K[c][b][a] = v;
  }
  const P = B * B;
  const T = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  for (let a = 0; a < B; a++) for (let b = 0; b < B; b++) for (let c = 0; c < B; c++) T[a * B + b][b * B + c] = Math.exp(h[a] + J[a][b] + K[a][b][c]);
  const matVec = (v: number[]): number[] => T.map((row) => row.reduce((acc, t, j) => acc + t * v[j], 0));
  const vecMat = (v: number[]): number[] => T[0].map((_, j) => v.reduce((acc, vi, i) => acc + vi * T[i][j], 0));
  // triplet[i][a][b][c] = P(s_i = a, s_{i+1} = b, s_{i+2} = c) for the windows starting at i.
  const triplets: number[][][][] = [];
  if (boundary === 'periodic') {
    // P(a, b, c) = T(ab, bc) · (T^{L−1})(bc, ab) / Tr T^L, the same at every i.
    const powers: number[][] = []; // columns of T^{L−1}: powers[y] = T^{L−1} e_y
    for (let y = 0; y < P; y++) {
      let v = new Array<number>(P).fill(0);
      v[y] = 1;
      for (let k = 0; k < L - 1; k++) v = matVec(v);
      powers.push(v);
    }
    let Z = 0;
    for (let x = 0; x < P; x++) Z += matVec(powers[x])[x];
    const t = Array.from({ length: B }, (_, a) =>
      Array.from({ length: B }, (_, b) => Array.from({ length: B }, (_, c) => (T[a * B + b][b * B + c] * powers[a * B + b][b * B + c]) / Z)),
    );
    for (let i = 0; i < L; i++) triplets.push(t);
  } else {
    const e = new Array<number>(P);
    for (let a = 0; a < B; a++) for (let b = 0; b < B; b++) e[a * B + b] = Math.exp(h[a] + h[b] + J[a][b]);
    const alpha: number[][] = [new Array<number>(P).fill(1)];
    for (let i = 1; i <= L - 2; i++) alpha.push(vecMat(alpha[i - 1]));
    const beta: number[][] = new Array(L - 1);
    beta[L - 2] = e;
    for (let i = L - 3; i >= 0; i--) beta[i] = matVec(beta[i + 1]);
    const Z = alpha[0].reduce((acc, v, x) => acc + v * beta[0][x], 0);
    for (let i = 0; i <= L - 3; i++) {
      triplets.push(
        Array.from({ length: B }, (_, a) =>
          Array.from({ length: B }, (_, b) =>
            Array.from({ length: B }, (_, c) => (alpha[i][a * B + b] * T[a * B + b][b * B + c] * beta[i + 1][b * B + c]) / Z),
          ),
        ),
      );
    }
  }
  const sum3 = (t: number[][][], f: (a: number, b: number, c: number) => number): number => {
    let s = 0;
    for (let a = 0; a < B; a++) for (let b = 0; b < B; b++) for (let c = 0; c < B; c++) s += t[a][b][c] * f(a, b, c);
    return s;
  };
  // Windows of w sites: on the ring L of them; on the chain those starting at 0 … L − w, where windows at i ≤ L − 3
  // are read from triplet i and the last one or two from the last triplet's tail.
  const window = (f: (a: number, b: number, c: number) => number, w: number): number => {
    let s = 0;
    for (const t of triplets) s += sum3(t, f);
    if (boundary === 'closed') {
      const last = triplets[triplets.length - 1];
      if (w <= 2) s += sum3(last, (_a, b, c) => f(b, c, 0));
      if (w === 1) s += sum3(last, (_a, _b, c) => f(c, 0, 0));
    }
    return s;
  };
  return {
    count: Array.from({ length: B }, (_, k) => window((a) => (a === k ? 1 : 0), 1)),
    nn: (x: number, y: number) => window((a, b) => (a === x && b === y ? 1 : 0), 2),
    nnn: (x: number, y: number) => window((a, _b, c) => (a === x && c === y ? 1 : 0), 3),
    run3: (x: number) => window((a, b, c) => (a === x && b === x && c === x ? 1 : 0), 3),
  };
}

describe('initial conditions', () => {
  it('draws ranges uniformly once per condition, in a fixed order, and records numbers as given', () => {
    const ic = { type: 'boltzmann', h: { A: { min: -1, max: 1 } }, J: { 'A-A': 0.25 }, K: { 'A-A-A': { min: 2, max: 2 } }, sweeps: 5 } as const;
    const draws = Array.from({ length: 1000 }, (_, i) => drawBoltzmannParameters(ic, createRng(8, i)));
    for (const d of draws) {
      expect(d.h.A).toBeGreaterThanOrEqual(-1);
      expect(d.h.A).toBeLessThan(1);
      expect(d.J).toEqual({ 'A-A': 0.25 });
      expect(d.K).toEqual({ 'A-A-A': 2 });
    }
    // Uniform on [−1, 1]: mean 0, SD 1/√3; z of the mean over 1000 draws.
    const mean = draws.reduce((a, d) => a + d.h.A, 0) / draws.length;
    expect(Math.abs(mean / (1 / Math.sqrt(3) / Math.sqrt(draws.length)))).toBeLessThan(Z_MAX);
    expect(drawBoltzmannParameters(ic, createRng(8, 3))).toEqual(draws[3]);
    expect(initialConditionCount({ ...ic, conditions: 50 })).toBe(50);
  });

  it('places densities independently per site and counts exactly; maps snapshot species by name', () => {
    const g = createLatticeGeometry([40, 25]);
    const M = 200;
    const d = { A: 0.2, B: 0.5 };
    const nA: number[] = [];
    for (let m = 0; m < M; m++) {
      const occ = placeInitialCondition({ type: 'densities', densities: d }, g, ['A', 'B'], createRng(2, m));
      nA.push(occ.reduce((acc, c) => acc + (c === 1 ? 1 : 0), 0));
      const counts = placeInitialCondition({ type: 'counts', counts: { A: 7, B: 300 } }, g, ['A', 'B'], createRng(3, m));
      expect([1, 2].map((k) => counts.reduce((acc, c) => acc + (c === k ? 1 : 0), 0))).toEqual([7, 300]);
    }
    // n_A ~ Binomial(1000, 0.2).
    const mean = nA.reduce((a, b) => a + b, 0) / M;
    expect(Math.abs((mean - 200) / Math.sqrt((1000 * 0.2 * 0.8) / M))).toBeLessThan(Z_MAX);
    const snapshot = { shape: [2, 2], species: ['B', 'A'], occupancy: Uint8Array.of(1, 0, 2, 1) };
    expect(Array.from(placeInitialCondition({ type: 'snapshot', snapshot }, createLatticeGeometry([2, 2]), ['A', 'B'], createRng(1)))).toEqual([2, 0, 1, 2]);
  });

  it('refuses bad initial conditions with errors naming the field and value', () => {
    const g1 = createLatticeGeometry([10]);
    const g2 = createLatticeGeometry([4, 4]);
    const sp = ['A', 'B'];
    const bad: [unknown, LatticeGeometry, RegExp][] = [
      [{ type: 'densities', densities: { A: 1.5 } }, g1, /initial\.densities\.A.*\[0, 1\].*1\.5/],
      [{ type: 'densities', densities: { A: 0.6, B: 0.6 } }, g1, /initial\.densities sum to 1\.2/],
      [{ type: 'densities', densities: { C: 0.1 } }, g1, /unknown species "C"/],
      [{ type: 'counts', counts: { A: 8, B: 3 } }, g1, /counts total 11, more than the 10 sites/],
      [{ type: 'counts', counts: { A: -1 } }, g1, /initial\.counts\.A.*non-negative integer.*-1/],
      [{ type: 'snapshot', snapshot: { shape: [9], species: ['A'], occupancy: new Uint8Array(9) } }, g1, /shape \[9\]/],
      [{ type: 'boltzmann', h: { A: 0 }, K: { 'A-A-A': 1 }, sweeps: 1 }, g2, /initial\.K.*1-D lattice/],
      [{ type: 'boltzmann', h: { A: { min: 1, max: 0 } }, sweeps: 1 }, g1, /initial\.h\.A.*min <= max/],
      [{ type: 'boltzmann', h: { A: 0 }, J: { AB: 1 }, sweeps: 1 }, g1, /initial\.J key "AB"/],
      [{ type: 'boltzmann', h: { A: 0 }, J: { 'A-B': 1, 'B-A': 2 }, sweeps: 1 }, g1, /twice/],
      [{ type: 'boltzmann', h: { A: 0 }, sweeps: 1.5 }, g1, /initial\.sweeps.*1\.5/],
      [{ type: 'boltzmann', h: { A: 0 }, sweeps: 1, conditions: 0 }, g1, /initial\.conditions.*0/],
      [{ type: 'boltzmann', h: { A: 0 }, J: { 'A-A': 1 }, sweeps: 1 }, createLatticeGeometry([2]), /extent >= 3/],
      [{ type: 'gaussian' }, g1, /initial\.type/],
    ];
    for (const [ic, g, message] of bad) {
      expect(() => checkInitialCondition(ic as never, g, sp), JSON.stringify(ic)).toThrow(message);
    }
    expect(() => sampleBoltzmannLattice(g1, sp, { h: { A: 0 }, J: {}, K: {} }, 1, createRng(1), new Uint8Array(3))).toThrow(/out.*10/);
    expect(() => sampleBoltzmannLattice(g1, sp, { h: { A: Number.NaN }, J: {}, K: {} }, 1, createRng(1))).toThrow(/params\.h\['A'\]/);
  });
});
