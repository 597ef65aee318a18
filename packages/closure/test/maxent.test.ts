import { createRng } from '@srn/gillespie';
import { createBoltzmannSampler, createLatticeGeometry } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { fitMaxEntLattice, maxEntDiagnostic } from '../src/baselines/index.ts';

describe('maximum-entropy (Bethe) diagnostic', () => {
  // Lattices from a KNOWN fully visible model (two species, NN couplings of both signs) on a 24 × 24 torus.
  const geometry = createLatticeGeometry([24, 24]);
  const species = ['X', 'Y'];
  const truth = { h: { X: -2, Y: -2.2 }, J: { 'X-X': 0.9, 'X-Y': -0.6, 'Y-Y': 0.9 }, K: {} };
  const sampler = createBoltzmannSampler(geometry, species, truth);
  const data = Array.from({ length: 100 }, (_, m) => sampler.sample(150, createRng(401, m)));
  const fit = fitMaxEntLattice(geometry, species, data, { rng: createRng(402), samples: 48, sweeps: 80, iterations: 5 });

  it('reproduces the single-site and NN pair moments it was fitted to (z-scores)', () => {
    // z = (model mean − data mean) / √(SE_model² + SE_data²), both over independent lattices (fresh Gibbs samples for
    // the model). A fit that matches exactly leaves only sampling noise: |z| < 4 on 5 moments (false alarms ~3e-4).
    expect(fit.moments).toEqual(['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY']);
    for (let k = 0; k < 5; k++) {
      const z = (fit.model[k]! - fit.data[k]!) / Math.hypot(fit.modelSe[k]!, fit.dataSe[k]!);
      expect(Math.abs(z), fit.moments[k]).toBeLessThan(4);
    }
    expect(fit.largestZ).toBeLessThan(4);
  });

  it('on lattices of a known visible model its NNN read-off matches that model\'s NNN (z-scores), which independent sites miss', () => {
    // The truth's NNN means from 300 independent samples. The fit inherits the data's sampling error (its moments
    // equal the 100 lattices' means, not the truth's), which for NNN is about the data's own NNN standard error;
    // so z = (pred − truth)/√(SE_pred² + SE_truth² + SE_dataNNN²), |z| < 4 over three moments.
    const compiledNames = ['NNN_XX', 'NNN_XY', 'NNN_YY'];
    const truthSamples = Array.from({ length: 300 }, (_, m) => sampler.sample(150, createRng(403, m)));
    const mean = (lattices: Uint8Array[], name: string): { m: number; se: number } => {
      const values = lattices.map((occ) => nnn(occ, name));
      const m = values.reduce((s, v) => s + v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
      return { m, se: sd / Math.sqrt(values.length) };
    };
    let worst = 0;
    for (const name of compiledNames) {
      const t = mean(truthSamples, name);
      const d = mean(data, name);
      const z = (fit.predicted[name]! - t.m) / Math.sqrt(fit.predictedSe[name]! ** 2 + t.se ** 2 + d.se ** 2);
      expect(Math.abs(z), name).toBeLessThan(4);
      // independent sites at the true densities (what a product-measure read-off gives) are far off
      const a = name[4] === 'X' ? 'X' : 'Y';
      const b = name[5] === 'X' ? 'X' : 'Y';
      const ra = fit.data[species.indexOf(a)]! / geometry.size;
      const rb = fit.data[species.indexOf(b)]! / geometry.size;
      const independent = 3 * geometry.size * ra * rb * (a === b ? 1 : 2);
      worst = Math.max(worst, Math.abs(independent - t.m) / Math.hypot(t.se, d.se));
    }
    // the read-off can fail: at least one NNN moment is far from what independent sites predict
    expect(worst).toBeGreaterThan(6);
  });

  it('along an ensemble: one fit per selected time, with the read-off observables as columns; bad input is named', () => {
    const T = 2;
    const runs = data.slice(0, 10).map((occ, r) => {
      const packed = new Uint8Array(T * geometry.size);
      packed.set(occ, 0);
      packed.set(data[10 + r]!, geometry.size);
      return packed;
    });
    const d = maxEntDiagnostic(geometry, species, runs, Float64Array.of(0, 1), { rng: createRng(9), samples: 4, sweeps: 5, iterations: 1, every: 2 });
    expect(Array.from(d.times)).toEqual([0]);
    expect(d.names).toEqual(['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']);
    expect(d.columns.NNN_XY![0]).toBe(d.fits[0]!.predicted.NNN_XY);
    expect(() => fitMaxEntLattice(geometry, species, data, { rng: createRng(1), samples: 1 })).toThrow(/options\.samples/);
    expect(() => fitMaxEntLattice(geometry, species, [new Uint8Array(3)], { rng: createRng(1) })).toThrow(/lattices\[0\]/);
    expect(() => maxEntDiagnostic(geometry, species, runs, Float64Array.of(0), { rng: createRng(1) })).toThrow(/trajectories\[0\]/);
    expect(() => maxEntDiagnostic(null as never, species, runs, Float64Array.of(0, 1), { rng: createRng(1) })).toThrow(/geometry/);
  });
});

/** The paper's NNN count (displacements (0,2), (1,1), (2,0), periodic) of species pair `name` = NNN_AB, by brute force. */
function nnn(occ: Uint8Array, name: string): number {
  const L = 24;
  const a = name[4] === 'X' ? 1 : 2;
  const b = name[5] === 'X' ? 1 : 2;
  let n = 0;
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const s = occ[i * L + j]!;
      for (const [di, dj] of [
        [0, 2],
        [1, 1],
        [2, 0],
      ] as const) {
        const u = occ[((i + di) % L) * L + ((j + dj) % L)]!;
        if ((s === a && u === b) || (a !== b && s === b && u === a)) n++;
      }
    }
  }
  return n;
}
