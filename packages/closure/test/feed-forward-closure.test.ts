import { readFileSync } from 'node:fs';
import { createRng } from '@srn/gillespie';
import { createLatticeGeometry, type LatticeConfig, latticeConfigFromFile, parseLatticeModel, sampleBoltzmannLattice } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import {
  type GeneratedBaseline,
  generatePairApproximation,
  kirkwoodTriplets,
  measureLatticeStatistics,
  sinkhornTriplets,
  type TripletClosure,
  trainFeedForwardClosure,
  trajectoryStatistics,
} from '../src/baselines/index.ts';

const examples = new URL('../../gillespie/examples/lattice/', import.meta.url);
const lvConfig = (scheme: 'exact' | 'paper'): LatticeConfig => {
  const parsed = parseLatticeModel(readFileSync(new URL('lotka-volterra.lattice', examples), 'utf8'), { source: 'lv' });
  return latticeConfigFromFile(parsed, { scheme }).config;
};
const applies = (b: ReturnType<typeof generatePairApproximation>): GeneratedBaseline => {
  if (!b.applies) throw new Error(b.reason);
  return b;
};

describe('lattice statistics (singlets, NN pairs, triplets)', () => {
  it('counts a small 1-D lattice by hand', () => {
    // periodic ring 1 1 0 1 0 0: triplets (j, i, k) are (i−1, i, i+1) and (i+1, i, i−1)
    const s = measureLatticeStatistics(createLatticeGeometry([6]), ['A'], [Uint8Array.of(1, 1, 0, 1, 0, 0)]);
    expect(Array.from(s.rho)).toEqual([0.5, 0.5]);
    // ordered bonds: 12; A–A 2 (1-2 both ways), A–0 4, 0–A 4, 0–0 2
    expect(Array.from(s.pairs)).toEqual([2 / 12, 4 / 12, 4 / 12, 2 / 12]);
    // windows (left, centre, right) for i = 0..5: (0,1,1) (1,1,0) (1,0,1) (0,1,0) (1,0,0) (0,0,1), each both ways
    // (so (0,1,1) comes from i = 0 forwards and i = 1 backwards): 12 ordered triplets
    const T = (c: number, a: number, b: number): number => s.triplets[(c * 2 + a) * 2 + b]!;
    expect(T(0, 1, 1)).toBeCloseTo(2 / 12, 15);
    expect(T(1, 1, 0)).toBeCloseTo(2 / 12, 15);
    expect(T(1, 0, 1)).toBeCloseTo(2 / 12, 15);
    expect(T(0, 1, 0)).toBeCloseTo(2 / 12, 15);
    expect(T(1, 0, 0)).toBeCloseTo(2 / 12, 15);
    expect(T(0, 0, 1)).toBeCloseTo(2 / 12, 15);
    expect(T(1, 1, 1) + T(0, 0, 0)).toBe(0);
  });

  it('1-D Boltzmann lattices with NN couplings are Markov chains: the measured triplets equal the Kirkwood closure (z-scores)', () => {
    // With h and J only, a ring's distribution is a Markov chain, for which T_cab = P_ca·P_ab/ρ_a exactly (the
    // Kirkwood closure is exact). Per lattice m we form D_m = T_m − K(ρ_m, P_m); the D_m are independent, so
    // z = mean(D)/(SD(D)/√m). The plug-in bias of K from one lattice of N = 2000 sites is O(1/N) ≈ 5e-4 relative,
    // far below the standard error of 40 lattices (≈ 1/√(40·2000) ≈ 2e-3 of a typical entry); |z| < 4 over 8
    // entries is a 5e-4 false-alarm rate.
    const geometry = createLatticeGeometry([2000]);
    const params = { h: { A: -0.2 }, J: { 'A-A': 0.8 }, K: {} };
    const m = 40;
    const D: number[][] = Array.from({ length: 8 }, () => []);
    const K = new Float64Array(8);
    for (let r = 0; r < m; r++) {
      const occ = sampleBoltzmannLattice(geometry, ['A'], params, 200, createRng(91, r));
      const s = measureLatticeStatistics(geometry, ['A'], [occ]);
      kirkwoodTriplets(s.rho, s.pairs, K);
      for (let x = 0; x < 8; x++) D[x]!.push(s.triplets[x]! - K[x]!);
    }
    for (let x = 0; x < 8; x++) {
      const mean = D[x]!.reduce((u, v) => u + v, 0) / m;
      const sd = Math.sqrt(D[x]!.reduce((u, v) => u + (v - mean) ** 2, 0) / (m - 1));
      expect(Math.abs(mean / (sd / Math.sqrt(m)))).toBeLessThan(4);
    }
  });

  it('per time over trajectories equals measuring the lattices of that time, and rejects bad input', () => {
    const geometry = createLatticeGeometry([5, 5]);
    const rng = createRng(3);
    const runs = Array.from({ length: 3 }, () => {
      const occupancy = Uint8Array.from({ length: 2 * 25 }, () => Math.floor(rng.nextFloat64() * 3));
      return { shape: [5, 5], species: ['X', 'Y'], times: Float64Array.of(0, 1), occupancy };
    });
    const s = trajectoryStatistics(geometry, runs);
    const t1 = measureLatticeStatistics(geometry, ['X', 'Y'], runs.map((r) => r.occupancy.subarray(25, 50)));
    expect(Array.from(s.triplets.subarray(27, 54))).toEqual(Array.from(t1.triplets));
    // Σ_b T_cab = P_ca (each triplet extends an ordered bond by one of the other z − 1 neighbours)
    for (let c = 0; c < 3; c++) {
      for (let a = 0; a < 3; a++) {
        let sum = 0;
        for (let b = 0; b < 3; b++) sum += t1.triplets[(c * 3 + a) * 3 + b]!;
        expect(sum).toBeCloseTo(t1.pairs[c * 3 + a]!, 14);
      }
    }
    expect(() => measureLatticeStatistics(geometry, ['X'], [runs[0]!.occupancy.subarray(0, 25)])).toThrow(/lattices\[0\]\[\d+\] = 2/);
    expect(() => trajectoryStatistics(geometry, [])).toThrow(/non-empty/);
  });
});

describe('learned feed-forward closure', () => {
  // A known non-Kirkwood closure: the triplet (j, i, k) is corrected by the NN correlation of the end states,
  // g*_cab = α·tanh(P_cb/(ρ_c ρ_b) − 1), as if j and k (at distance √2 or 2) were correlated like neighbours, then
  // made consistent by the same Sinkhorn scaling. Data: the pair equations of lattice LV (exact scheme) closed by
  // it, integrated from 8 training initial conditions; the held-out initial condition is not among them.
  const alpha = 0.5;
  const B = 3;
  const g = new Float64Array(B * B * B);
  const known: TripletClosure = (rho, pairs, out) => {
    kirkwoodTriplets(rho, pairs, out);
    for (let c = 0; c < B; c++) {
      for (let b = 0; b < B; b++) {
        const corr = rho[c]! > 0 && rho[b]! > 0 ? pairs[c * B + b]! / (rho[c]! * rho[b]!) - 1 : 0;
        for (let a = 0; a < B; a++) g[(c * B + a) * B + b] = alpha * Math.tanh(corr);
      }
    }
    for (let x = 0; x < B * B * B; x++) out[x] = out[x]! * Math.exp(g[x]!);
    sinkhornTriplets(B, pairs, out);
  };
  const config = lvConfig('exact');
  const truth = applies(generatePairApproximation(config, { tripletClosure: known }));
  const kirkwood = applies(generatePairApproximation(config));
  const times = Float64Array.from({ length: 41 }, (_, k) => k * 2.5);
  // state layout: rho_X, rho_Y, rho_0, then pairs XX XY X0 YY Y0 00 (codes X = 1, Y = 2, 0)
  const code = [1, 2, 0];
  const samplesOf = (densities: { X: number; Y: number }[]) => {
    const rho: number[] = [];
    const pairs: number[] = [];
    const triplets: number[] = [];
    const r = new Float64Array(B);
    const P = new Float64Array(B * B);
    const T = new Float64Array(B * B * B);
    for (const d of densities) {
      const sol = truth.predict(times, { initial: { densities: d } }).states;
      for (let t = 0; t < times.length; t++) {
        const s = sol.subarray(t * 9, (t + 1) * 9);
        for (let i = 0; i < 3; i++) r[code[i]!] = s[i]!;
        let p = 3;
        for (let i = 0; i < 3; i++) {
          for (let j = i; j < 3; j++) {
            P[code[i]! * B + code[j]!] = s[p]!;
            P[code[j]! * B + code[i]!] = s[p]!;
            p++;
          }
        }
        known(r, P, T);
        rho.push(...r);
        pairs.push(...P);
        triplets.push(...T);
      }
    }
    return { B, rho: Float64Array.from(rho), pairs: Float64Array.from(pairs), triplets: Float64Array.from(triplets) };
  };
  const training = [
    { X: 0.04, Y: 0.04 },
    { X: 0.1, Y: 0.05 },
    { X: 0.06, Y: 0.1 },
    { X: 0.15, Y: 0.03 },
    { X: 0.03, Y: 0.08 },
    { X: 0.08, Y: 0.08 },
    { X: 0.12, Y: 0.1 },
    { X: 0.05, Y: 0.02 },
  ];
  const heldOut = { X: 0.07, Y: 0.06 };
  const ff = trainFeedForwardClosure(samplesOf(training), { rng: createRng(5), hidden: [16, 16], epochs: 1500, learningRate: 0.01 });

  it('recovers the known closure on held-out states, and its ODE tracks the known closure\'s on a held-out initial condition', () => {
    // No sampling noise here: the error is the network's approximation error alone. We require the learned
    // closure to remove at least 80 % of the Kirkwood closure's error on every held-out triplet vector (L1), and
    // the closed ODE's counts and NN pairs to stay within 20 % of the Kirkwood ODE's deviation from the truth (and
    // below 3 % relative), on an initial condition not trained on. A network that learned nothing (g = 0) is the
    // Kirkwood closure and fails both by construction.
    const test = samplesOf([heldOut]);
    const out = new Float64Array(B * B * B);
    const K = new Float64Array(B * B * B);
    let learnedErr = 0;
    let kirkwoodErr = 0;
    for (let m = 0; m < times.length; m++) {
      const rho = test.rho.subarray(m * B, (m + 1) * B);
      const P = test.pairs.subarray(m * B * B, (m + 1) * B * B);
      const Tm = test.triplets.subarray(m * 27, (m + 1) * 27);
      ff.closure(rho, P, out);
      kirkwoodTriplets(rho, P, K);
      for (let x = 0; x < 27; x++) {
        learnedErr += Math.abs(out[x]! - Tm[x]!);
        kirkwoodErr += Math.abs(K[x]! - Tm[x]!);
      }
    }
    expect(learnedErr).toBeLessThan(0.2 * kirkwoodErr);
    const learned = applies(generatePairApproximation(config, { tripletClosure: ff.closure }));
    const want = truth.predict(times, { initial: { densities: heldOut } });
    const got = learned.predict(times, { initial: { densities: heldOut } });
    const base = kirkwood.predict(times, { initial: { densities: heldOut } });
    for (const name of ['X', 'Y', 'NN_XY', 'NN_YY']) {
      let e = 0;
      let eK = 0;
      for (let t = 0; t < times.length; t++) {
        e = Math.max(e, Math.abs(got.columns[name]![t]! - want.columns[name]![t]!) / want.columns[name]![t]!);
        eK = Math.max(eK, Math.abs(base.columns[name]![t]! - want.columns[name]![t]!) / want.columns[name]![t]!);
      }
      expect(e, name).toBeLessThan(Math.min(0.03, 0.2 * eK));
    }
  });

  it('the same seed gives the same network; the closure is consistent (Σ_b T_cab = P_ca, symmetric)', () => {
    const again = trainFeedForwardClosure(samplesOf(training.slice(0, 2)), { rng: createRng(5), hidden: [4], epochs: 20 });
    const twice = trainFeedForwardClosure(samplesOf(training.slice(0, 2)), { rng: createRng(5), hidden: [4], epochs: 20 });
    expect(Array.from(again.weights)).toEqual(Array.from(twice.weights));
    const s = samplesOf([heldOut]);
    const out = new Float64Array(27);
    ff.closure(s.rho.subarray(30, 33), s.pairs.subarray(90, 99), out);
    for (let c = 0; c < 3; c++) {
      for (let a = 0; a < 3; a++) {
        let sum = 0;
        for (let b = 0; b < 3; b++) {
          sum += out[(c * 3 + a) * 3 + b]!;
          expect(out[(c * 3 + a) * 3 + b]).toBeCloseTo(out[(b * 3 + a) * 3 + c]!, 15);
        }
        expect(sum).toBeCloseTo(s.pairs[90 + c * 3 + a]!, 12);
      }
    }
  });

  it('rejects bad input naming the argument', () => {
    const s = samplesOf([heldOut]);
    expect(() => trainFeedForwardClosure({ ...s, B: 1 }, { rng: createRng(1) })).toThrow(/samples\.B/);
    expect(() => trainFeedForwardClosure({ ...s, pairs: s.pairs.subarray(0, 9) }, { rng: createRng(1) })).toThrow(/same number of states/);
    expect(() => trainFeedForwardClosure(s, { rng: createRng(1), hidden: [0] })).toThrow(/options\.hidden/);
    expect(() => trainFeedForwardClosure(s, { rng: null as never })).toThrow(/options\.rng/);
    expect(() => generatePairApproximation(config, { tripletClosure: 3 as never })).toThrow(/options\.tripletClosure/);
  });
});
