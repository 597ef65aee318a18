import { readFileSync } from 'node:fs';
import { createRng } from '@srn/gillespie';
import {
  createLatticeGeometry,
  type LatticeConfig,
  type LatticeModel,
  latticeConfigFromFile,
  parseLatticeModel,
  sampleBoltzmannLattice,
  simulateLattice,
} from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import {
  type GeneratedBaseline,
  generateMeanField,
  generatePairApproximation,
  meanFieldLotkaVolterra,
  meanFieldRhs,
  pairApproximationLotkaVolterra,
  pairApproximationRhs,
} from '../src/baselines/index.ts';

const examples = new URL('../../gillespie/examples/lattice/', import.meta.url);
const exampleConfig = (name: string, scheme?: 'exact' | 'paper'): LatticeConfig => {
  const parsed = parseLatticeModel(readFileSync(new URL(name, examples), 'utf8'), { source: name });
  return latticeConfigFromFile(parsed, scheme ? { scheme } : {}).config;
};
const applies = (b: ReturnType<typeof generateMeanField>): GeneratedBaseline => {
  if (!b.applies) throw new Error(`baseline does not apply: ${b.reason}`);
  return b;
};
const grid = (t1: number, n: number): Float64Array => Float64Array.from({ length: n + 1 }, (_, k) => (k * t1) / n);

describe('generated baselines: regression against the hand-written LV baselines', () => {
  // The bundled LV file has both numbers for predation (p = 0.4 paper, k = 0.2 exact); the hand-written baselines
  // use λ = 0.2, which is also what the paper-scheme derivation gives (2 · 0.4 / 4), so both schemes must agree.
  for (const scheme of ['exact', 'paper'] as const) {
    it(`mean field (${scheme} scheme) equals meanFieldRhs at random states to 1e-12`, () => {
      const mf = applies(generateMeanField(exampleConfig('lotka-volterra.lattice', scheme)));
      expect(mf.stateNames).toEqual(['rho_X', 'rho_Y']);
      const reference = meanFieldRhs({});
      const rng = createRng(11);
      const a = new Float64Array(2);
      const b = new Float64Array(2);
      for (let k = 0; k < 200; k++) {
        // states with ρ_X ≥ 1/N: below that the generated equations keep the birth floor (kr1·max(n_X, 1)),
        // which the hand-written ones leave out (documented there)
        const x = 1 / 1600 + rng.nextFloat64() * 0.6;
        const y = rng.nextFloat64() * (1 - x);
        const s = Float64Array.of(x, y);
        mf.rhs(0, s, a);
        reference(0, s, b);
        for (let i = 0; i < 2; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i]!)));
      }
    });

    it(`pair approximation (${scheme} scheme) equals pairApproximationRhs at random consistent states to 1e-12`, () => {
      const pa = applies(generatePairApproximation(exampleConfig('lotka-volterra.lattice', scheme)));
      expect(pa.stateNames).toEqual(['rho_X', 'rho_Y', 'rho_0', 'rho_XX', 'rho_XY', 'rho_X0', 'rho_YY', 'rho_Y0', 'rho_00']);
      const reference = pairApproximationRhs({});
      const rng = createRng(12);
      const a = new Float64Array(9);
      const b = new Float64Array(9);
      for (let k = 0; k < 200; k++) {
        // a random symmetric pair matrix over (X, Y, 0), normalised; singlets its row sums
        const m = Array.from({ length: 6 }, () => rng.nextFloat64());
        const [XX, XY, X0, YY, Y0, E] = m as [number, number, number, number, number, number];
        const total = XX + 2 * XY + 2 * X0 + YY + 2 * Y0 + E;
        const p = m.map((v) => v / total) as [number, number, number, number, number, number];
        const s = Float64Array.of(p[0] + p[1] + p[2], p[1] + p[3] + p[4], p[2] + p[4] + p[5], ...p);
        if (s[0]! < 1 / 1600) continue;
        pa.rhs(0, s, a);
        reference(0, s, b);
        for (let i = 0; i < 9; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i]!)));
      }
    });
  }

  it('predictions of the default observables match the hand-written ones (same ODE, same integrator)', () => {
    const config = exampleConfig('lotka-volterra.lattice', 'exact');
    const times = grid(200, 40);
    const mf = applies(generateMeanField(config)).predict(times, { rtol: 1e-10, atol: 1e-13 });
    const pa = applies(generatePairApproximation(config)).predict(times, { rtol: 1e-10, atol: 1e-13 });
    const mfRef = meanFieldLotkaVolterra({}, times, { rtol: 1e-10, atol: 1e-13 });
    const paRef = pairApproximationLotkaVolterra({}, times, { rtol: 1e-10, atol: 1e-13 });
    expect(mf.names).toEqual(['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']);
    for (const name of mf.names) {
      const key = name as keyof typeof mfRef.mean;
      for (let k = 0; k < times.length; k++) {
        // both integrate the same right-hand side to rtol 1e-10: the paths agree far below 1e-6 relative
        expect(Math.abs(mf.columns[name]![k]! - mfRef.mean[key][k]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, mfRef.mean[key][k]!));
        expect(Math.abs(pa.columns[name]![k]! - paRef.mean[key][k]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, paRef.mean[key][k]!));
      }
    }
  });
});

const config = (model: LatticeModel, shape: number[], initial: LatticeConfig['initial'], scheme: 'exact' | 'paper' = 'exact'): LatticeConfig => ({
  model,
  shape,
  boundary: 'periodic',
  initial,
  scheme,
  dt: 0.01,
  steps: 2,
});

describe('generated baselines: exact answers', () => {
  it('immigration and decay: both baselines give the exact mean count N·c/(c+k)·(1 − e^{−(c+k)t}), pairs stay uncorrelated', () => {
    // every site is an independent two-state chain 0 → A (c), A → 0 (k); hops only move particles, so the product
    // state is exact and both baselines must reproduce the exact mean
    const model: LatticeModel = {
      species: ['A'],
      diffusion: { A: 3 },
      reactions: [
        { type: 'immigration', product: 'A', rate: 0.3 },
        { type: 'decay', reactant: 'A', rate: 0.2 },
      ],
    };
    const cfg = config(model, [20, 20], { type: 'densities', densities: { A: 0 } });
    const times = grid(5, 10);
    for (const baseline of [generateMeanField(cfg), generatePairApproximation(cfg)]) {
      const p = applies(baseline).predict(times, { rtol: 1e-11, atol: 1e-14 });
      for (let k = 0; k < times.length; k++) {
        const rho = (0.3 / 0.5) * (1 - Math.exp(-0.5 * times[k]!));
        expect(p.columns.A![k]).toBeCloseTo(400 * rho, 7);
        expect(p.columns.NN_AA![k]).toBeCloseTo(2 * 400 * rho * rho, 7);
      }
    }
  });

  for (const scheme of ['exact', 'paper'] as const) {
    it(`immigration, conversion and decay: the simulator's mean counts match the generated equations (${scheme} scheme, z-scores)`, () => {
      // sites are independent three-state chains 0 → A (0.3), A → B (0.5), B → 0 (0.4) (hops only move particles;
      // the paper scheme's sweeps change no count), so the mean-field counts are the exact means. 400 runs of a
      // 20 × 20 lattice; the standard error is measured from the runs; 8 comparisons at |z| < 4.5 fail by chance
      // with probability about 5e-5.
      const model: LatticeModel = {
        species: ['A', 'B'],
        diffusion: { A: 2, B: 1 },
        reactions: [
          { type: 'immigration', product: 'A', rate: 0.3 },
          { type: 'conversion', reactant: 'A', product: 'B', rate: 0.5 },
          { type: 'decay', reactant: 'B', rate: 0.4 },
        ],
      };
      const cfg: LatticeConfig = { model, shape: [20, 20], boundary: 'periodic', initial: { A: 40 }, scheme, dt: 0.5, steps: 5 };
      const times = grid(2, 4);
      const predicted = applies(generateMeanField(cfg)).predict(times, { rtol: 1e-10, atol: 1e-14 });
      const runs = 400;
      const sum = new Float64Array(10);
      const sum2 = new Float64Array(10);
      for (let r = 0; r < runs; r++) {
        const counts = simulateLattice(cfg, createRng(51, r), { recordSnapshots: false }).counts;
        for (let i = 0; i < 10; i++) {
          sum[i] += counts[i]!;
          sum2[i] += counts[i]! * counts[i]!;
        }
      }
      for (let k = 1; k < 5; k++) {
        for (const [j, name] of ['A', 'B'].entries()) {
          const mean = sum[k * 2 + j]! / runs;
          const se = Math.sqrt((sum2[k * 2 + j]! / runs - mean * mean) / (runs - 1));
          const expected = predicted.columns[name]![k]!;
          expect(Math.abs(mean - expected) / se, `${name} at t = ${times[k]}: ${mean} ± ${se} vs ${expected}`).toBeLessThan(4.5);
        }
      }
    });
  }

  it('conversion chain A → B → ∅: exact mean counts for both baselines', () => {
    const model: LatticeModel = {
      species: ['A', 'B'],
      diffusion: { A: 1, B: 2 },
      reactions: [
        { type: 'conversion', reactant: 'A', product: 'B', rate: 0.7 },
        { type: 'decay', reactant: 'B', rate: 0.3 },
      ],
    };
    const cfg = config(model, [1000], { type: 'densities', densities: { A: 0.5 } });
    const times = grid(6, 12);
    for (const baseline of [generateMeanField(cfg), generatePairApproximation(cfg)]) {
      const p = applies(baseline).predict(times, { rtol: 1e-11, atol: 1e-14 });
      for (let k = 0; k < times.length; k++) {
        const t = times[k]!;
        const a = 0.5 * Math.exp(-0.7 * t);
        const b = ((0.5 * 0.7) / (0.3 - 0.7)) * (Math.exp(-0.7 * t) - Math.exp(-0.3 * t));
        expect(p.columns.A![k]).toBeCloseTo(1000 * a, 7);
        expect(p.columns.B![k]).toBeCloseTo(1000 * b, 7);
      }
    }
  });

  it('neighbour births on a nearly empty lattice follow the Yule process n0·e^{kt}', () => {
    // exact scheme, k = 1, fast hops h = 50 on a 300 × 300 torus starting at density 1e-4. Mean field is the
    // logistic ρ' = kρ(1 − ρ), so it leaves Yule only by O(ρ_max) ≈ 7e-4 relative. The pair approximation adds the
    // crowding of offspring next to their parents: q_{A|A} relaxes to about k/(h(z − 1)) = 1/150, which slows
    // births by that fraction, i.e. a relative shortfall of about k·t/150 ≈ 1.3 % at t = 2; allow twice that.
    const model: LatticeModel = { species: ['A'], diffusion: { A: 50 }, reactions: [{ type: 'birth', parent: 'A', rate: 1 }] };
    const cfg = config(model, [300, 300], { type: 'densities', densities: { A: 1e-4 } });
    const times = grid(2, 8);
    const mf = applies(generateMeanField(cfg)).predict(times, { rtol: 1e-11, atol: 1e-15 });
    const pa = applies(generatePairApproximation(cfg)).predict(times, { rtol: 1e-11, atol: 1e-15 });
    const n0 = 9e4 * 1e-4;
    for (let k = 0; k < times.length; k++) {
      const t = times[k]!;
      const yule = n0 * Math.exp(t);
      const logistic = (9e4 * 1e-4 * Math.exp(t)) / (1 - 1e-4 + 1e-4 * Math.exp(t));
      expect(Math.abs(mf.columns.A![k]! / logistic - 1)).toBeLessThan(1e-8);
      expect(Math.abs(mf.columns.A![k]! / yule - 1)).toBeLessThan(1e-3);
      expect(pa.columns.A![k]!).toBeLessThanOrEqual(mf.columns.A![k]! * (1 + 1e-9));
      expect(Math.abs(pa.columns.A![k]! / yule - 1)).toBeLessThan((2 * t) / 150 + 1e-3);
    }
    // the paper scheme retries parents with a free neighbour, so its births are not thinned at all at low density
    const paper = applies(generateMeanField({ ...cfg, scheme: 'paper', dt: 0.02 })).predict(times, { rtol: 1e-11, atol: 1e-15 });
    for (let k = 0; k < times.length; k++) expect(Math.abs(paper.columns.A![k]! / (n0 * Math.exp(times[k]!)) - 1)).toBeLessThan(1e-8);
  });

  it('hops only: the pair approximation keeps an uncorrelated lattice uncorrelated (1-D; its right-hand side also vanishes in 2-D and 3-D)', () => {
    // the exclusion process with species-dependent hop rates leaves product measures invariant; so must the pair
    // approximation (its right-hand side vanishes there)
    const model: LatticeModel = { species: ['A', 'B'], diffusion: { A: 1, B: 7 }, reactions: [] };
    const cfg = config(model, [200], { type: 'densities', densities: { A: 0.3, B: 0.2 } });
    const pa = applies(generatePairApproximation(cfg));
    const s0 = pa.initialState();
    const d = new Float64Array(s0.length);
    pa.rhs(0, s0, d);
    for (const v of d) expect(Math.abs(v)).toBeLessThan(1e-15);
    // the same in 2-D and 3-D (z = 4, 6)
    for (const shape of [[10, 10], [6, 6, 6]]) {
      const higher = applies(generatePairApproximation(config(model, shape, { type: 'densities', densities: { A: 0.3, B: 0.2 } })));
      expect(higher.coordination).toBe(2 * shape.length);
      higher.rhs(0, higher.initialState(), d);
      for (const v of d) expect(Math.abs(v)).toBeLessThan(1e-15);
    }
    const p = pa.predict(grid(10, 5), { rtol: 1e-12, atol: 1e-15 });
    const rho: Record<string, number> = { A: 0.3, B: 0.2, '0': 0.5 };
    for (let k = 0; k < 6; k++) {
      for (let i = 0; i < pa.stateNames.length; i++) {
        const name = pa.stateNames[i]!.slice(4);
        const expected = name.length === 1 ? rho[name]! : rho[name[0]!]! * rho[name[1]!]!;
        // the right-hand side vanishes there (checked above); at tight tolerances the integrated path stays on it
        expect(Math.abs(p.states[k * s0.length + i]! - expected)).toBeLessThan(1e-10);
      }
    }
    // and a correlated start (rows and columns: codes 0, A, B; ρ_0 = 0.3, ρ_A = 0.1, ρ_B = 0.6, no A–A
    // neighbours) relaxes towards the product state
    const P = Float64Array.from([0.2, 0.05, 0.05, 0.05, 0, 0.05, 0.05, 0.05, 0.5]);
    const later = pa.predict(Float64Array.of(0, 50), { initial: { pairs: P } });
    const width = s0.length;
    const [rA, rB, r0] = [later.states[width]!, later.states[width + 1]!, later.states[width + 2]!];
    const names = pa.stateNames;
    expect(later.states[width + names.indexOf('rho_AB')]!).toBeCloseTo(rA * rB, 6);
    expect(later.states[width + names.indexOf('rho_00')]!).toBeCloseTo(r0 * r0, 6);
  });
});

describe('generated baselines: every bundled model', () => {
  const files = ['annihilation-1d.lattice', 'barw-1d.lattice', 'enzyme-1d.lattice', 'lotka-volterra.lattice', 'rossler-3d.lattice'];
  for (const file of files) {
    it(`${file}: the pair approximation conserves probability and its singlets are the row sums of its pairs`, () => {
      const pa = applies(generatePairApproximation(exampleConfig(file)));
      const species = pa.species.length;
      const B = species + 1;
      const rng = createRng(21);
      const d = new Float64Array(pa.stateNames.length);
      for (let trial = 0; trial < 20; trial++) {
        // a random symmetric pair matrix (codes in state order: species..., 0)
        const M = new Float64Array(B * B);
        let total = 0;
        for (let a = 0; a < B; a++) {
          for (let b = a; b < B; b++) {
            const v = rng.nextFloat64();
            M[a * B + b] = v;
            M[b * B + a] = v;
            total += a === b ? v : 2 * v;
          }
        }
        const s = new Float64Array(pa.stateNames.length);
        let p = B;
        for (let a = 0; a < B; a++) {
          for (let b = 0; b < B; b++) s[a] += M[a * B + b]! / total;
          for (let b = a; b < B; b++) s[p++] = M[a * B + b]! / total;
        }
        pa.rhs(0, s, d);
        let singletSum = 0;
        for (let a = 0; a < B; a++) {
          singletSum += d[a]!;
          // row sum of dP over b (ordered pairs: the stored a ≤ b entries, both orders)
          let row = 0;
          let q = B;
          for (let x = 0; x < B; x++) for (let y = x; y < B; y++, q++) if (x === a || y === a) row += d[q]!;
          expect(Math.abs(row - d[a]!)).toBeLessThan(1e-9 * (1 + Math.abs(d[a]!)));
        }
        expect(Math.abs(singletSum)).toBeLessThan(1e-9);
      }
    });
  }

  for (const file of files.filter((f) => f !== 'annihilation-1d.lattice')) {
    it(`${file}: both baselines predict the file's observables on its time grid from its initial condition`, () => {
      const cfg = exampleConfig(file);
      const N = cfg.shape.reduce((a, b) => a * b, 1);
      const times = Float64Array.from({ length: cfg.steps }, (_, k) => k * cfg.dt);
      for (const baseline of [generateMeanField(cfg), generatePairApproximation(cfg)]) {
        const p = applies(baseline).predict(times);
        for (const name of p.names) {
          for (const v of p.columns[name]!) {
            expect(Number.isFinite(v) && v >= -1e-9).toBe(true);
            if (!name.includes('_')) expect(v).toBeLessThanOrEqual(N * (1 + 1e-9)); // a count
          }
        }
      }
    });
  }

  it('enzyme-1d: a factorised Boltzmann start has the closed-form densities e^{h_A}/(1 + Σ e^{h_B})', () => {
    // the file's comment: <n_S> = 27.016, <n_E> = 44.542 on 100 sites
    const p = applies(generateMeanField(exampleConfig('enzyme-1d.lattice'))).predict(Float64Array.of(0, 0.01));
    expect(p.columns.S![0]).toBeCloseTo(27.016, 3);
    expect(p.columns.E![0]).toBeCloseTo(44.542, 3);
  });

  it('A + A -> 0 from Boltzmann initial lattices: the predictions start at the measured counts and NN pairs', () => {
    const cfg = exampleConfig('annihilation-1d.lattice');
    const pa = applies(generatePairApproximation(cfg));
    expect(() => pa.predict(grid(1, 2))).toThrow(/occupancies/);
    const geometry = createLatticeGeometry([1000]);
    const occupancies = Array.from({ length: 5 }, (_, m) =>
      sampleBoltzmannLattice(geometry, ['A'], { h: { A: 0.5 }, J: { 'A-A': -0.8 }, K: {} }, 50, createRng(5, m)),
    );
    let n = 0;
    let nn = 0;
    for (const occ of occupancies) for (let i = 0; i < 1000; i++) if (occ[i]) {
      n++;
      if (occ[(i + 1) % 1000]) nn++;
    }
    const p = pa.predict(grid(1, 2), { initial: { occupancies } });
    expect(p.columns.A![0]).toBeCloseTo(n / 5, 9);
    expect(p.columns.NN_AA![0]).toBeCloseTo(nn / 5, 9);
    expect(p.columns.A![2]!).toBeLessThan(p.columns.A![0]!);
  });
});

describe('generated baselines: closures along a path', () => {
  it('1-D Boltzmann lattices with NN couplings only are Markov chains: runs and distance-2 pairs are exact (z-scores)', () => {
    // With K = 0 the 1-D lattice Boltzmann distribution is a Markov chain along the ring, for which the pair
    // closures ρ^(2) = P·D⁻¹·P and run_k = ρ_A·(P_AA/ρ_A)^{k−1} hold in expectation (up to O(1/N) ring effects).
    // Each of 20 lattices is predicted from its own measured pairs; the mean of (measured − predicted) over the
    // lattices is compared with its standard error measured from them (|z| < 4.5, 3 comparisons).
    const model: LatticeModel = { species: ['A'], reactions: [] };
    const observables = [
      { type: 'run' as const, species: 'A', length: 3 },
      { type: 'run' as const, species: 'A', length: 4 },
      { type: 'pair' as const, species: ['A', 'A'] as [string, string], displacements: 'nnn' as const },
    ];
    const geometry = createLatticeGeometry([1000]);
    const pa = applies(generatePairApproximation(config(model, [1000], { A: 1 })));
    const diffs: number[][] = [[], [], []];
    for (let m = 0; m < 20; m++) {
      const occ = sampleBoltzmannLattice(geometry, ['A'], { h: { A: 0.2 }, J: { 'A-A': 0.7 }, K: {} }, 200, createRng(61, m));
      const predicted = pa.predict(Float64Array.of(0, 1e-9), { initial: { occupancies: [occ] }, observables });
      let run3 = 0;
      let run4 = 0;
      let nnn = 0;
      for (let i = 0; i < 1000; i++) {
        const a = (k: number): boolean => occ[(i + k) % 1000] === 1;
        if (a(0) && a(1) && a(2)) run3++;
        if (a(0) && a(1) && a(2) && a(3)) run4++;
        if (a(0) && a(2)) nnn++;
      }
      diffs[0]!.push(run3 - predicted.columns.run3_A![0]!);
      diffs[1]!.push(run4 - predicted.columns.run4_A![0]!);
      diffs[2]!.push(nnn - predicted.columns.NNN_AA![0]!);
    }
    for (const d of diffs) {
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
      expect(Math.abs(mean) / (sd / Math.sqrt(d.length))).toBeLessThan(4.5);
    }
    // and the mean field (independent sites, ρ⁴) misses the clustering of J = 0.7 (q_{A|A} > ρ_A): fewer runs
    const mf = applies(generateMeanField(config(model, [1000], { A: 1 })));
    const occ = sampleBoltzmannLattice(geometry, ['A'], { h: { A: 0.2 }, J: { 'A-A': 0.7 }, K: {} }, 200, createRng(62));
    const both = [mf, pa].map((b) => b.predict(Float64Array.of(0, 1e-9), { initial: { occupancies: [occ] }, observables }).columns.run4_A![0]!);
    expect(both[0]!).toBeLessThan(both[1]!);
  });
});

describe('generated baselines: where they do not apply, and bad input', () => {
  it('returns a typed "does not apply" with the reason', () => {
    const model: LatticeModel = { species: ['A'], diffusion: { A: 1 }, reactions: [{ type: 'contact', reactants: ['A', 'A'], products: [null, null], probability: 0.1 }] };
    const exact = generateMeanField(config(model, [100], { A: 10 }));
    expect(exact.applies).toBe(false);
    if (!exact.applies) expect(exact.reason).toMatch(/no rate per adjacent pair/);
    const narrow = generatePairApproximation(config(model, [2, 50], { A: 10 }, 'paper'));
    expect(narrow.applies).toBe(false);
    if (!narrow.applies) expect(narrow.reason).toMatch(/axis 0 .* extent 2/);
    expect(generateMeanField(config(model, [2, 50], { A: 10 }, 'paper')).applies).toBe(true);
  });

  it('a snapshot initial condition is measured with its species mapped by name', () => {
    const model: LatticeModel = { species: ['X', 'Y'], reactions: [] };
    const occupancy = new Uint8Array(10);
    occupancy.set([1, 1, 2]); // Y, Y, X in the snapshot's order [Y, X]
    const snapshot = { shape: [10], species: ['Y', 'X'], occupancy };
    const p = applies(generatePairApproximation(config(model, [10], snapshot))).predict(Float64Array.of(0, 1));
    expect(p.columns.X![0]).toBeCloseTo(1, 12);
    expect(p.columns.Y![0]).toBeCloseTo(2, 12);
    expect(p.columns.NN_XY![0]).toBeCloseTo(1, 12); // the one X–Y bond, counted in both orders: 2 · 10 · (1/20)
    expect(p.columns.NN_YY![0]).toBeCloseTo(1, 12);
    const bad = { shape: [10], species: ['Q'], occupancy };
    expect(() => applies(generateMeanField(config(model, [10], bad))).predict(Float64Array.of(0, 1))).toThrow(/Q are not in the model/);
  });

  it('rejects bad configurations naming the field', () => {
    const model: LatticeModel = { species: ['A'], reactions: [{ type: 'decay', reactant: 'A', rate: 1 }] };
    expect(() => generateMeanField(null as unknown as LatticeConfig)).toThrow(TypeError);
    expect(() => generateMeanField({ ...config(model, [10], { A: 1 }), scheme: 'fast' as 'exact' })).toThrow(/input.scheme/);
    expect(() => generateMeanField({ ...config(model, [10], { A: 1 }, 'paper'), dt: 0 })).toThrow(/input.dt/);
    expect(() => generateMeanField(config({ species: ['A'], reactions: [{ type: 'decay', reactant: 'B', rate: 1 }] }, [10], { A: 1 }))).toThrow(
      /reactions\[0\].reactant/,
    );
    const mf = applies(generateMeanField(config(model, [10], { A: 1 })));
    expect(() => mf.predict(grid(1, 2), { initial: { densities: { A: 1.5 } } })).toThrow(/at most 1/);
    expect(() => mf.predict(grid(1, 2), { initial: { densities: { Q: 0.5 } } })).toThrow(/unknown species/);
    expect(() => mf.predict(grid(1, 2), { initial: { occupancies: [new Uint8Array(3)] } })).toThrow(/length 10/);
    expect(() => mf.predict(grid(1, 2), { initial: { pairs: new Float64Array(4) } })).toThrow(/sum to 1/);
    expect(() => mf.predict([0, 1] as unknown as Float64Array)).toThrow(/times/);
  });
});
