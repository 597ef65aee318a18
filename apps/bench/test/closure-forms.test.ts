/**
 * The learned model of a model-file experiment (src/closure/forms.ts) and the predict stage's sampler: the FE domain
 * rule, θ(0) from t = 0 lattices, and the sampled moments against exact answers of factorised machines.
 */
import { createMachine } from '@srn/boltzmann';
import { createRng } from '@srn/gillespie';
import { describe, expect, it } from 'vitest';
import { feDomain, fitTheta0Independent, formMachineSpec, offsetsFromData } from '../src/closure/forms.ts';
import type { ExperimentModel } from '../src/closure/model.ts';
import { sampleModelMoments } from '../src/closure/predict-generic.ts';
import { PAPER_DOMAIN } from '../src/closure/train-stage.ts';

describe('model forms of closure', () => {
  it('FE domain rule: biases, then same-species couplings, at most 6; the hidden form in 2D gives the paper domain', () => {
    expect(feDomain(createMachine(formMachineSpec('visible', [50], ['A'])))).toEqual(['hA', 'JAA']);
    expect(feDomain(createMachine(formMachineSpec('visible', [8, 8], ['A', 'B'])))).toEqual(['hA', 'hB', 'JAA', 'JBB', 'JAB', 'JBA']);
    expect(feDomain(createMachine(formMachineSpec('visible', [4, 4, 4], ['S', 'E', 'X', 'P'])))).toEqual(['hS', 'hE', 'hX', 'hP', 'JSS', 'JEE']);
    expect(feDomain(createMachine(formMachineSpec('hidden', [40, 40], ['X', 'Y'], 2)))).toEqual([...PAPER_DOMAIN]);
  });

  it('θ(0) from t = 0 lattices recovers the biases of independent sites (z-test)', () => {
    // Sites hold A with p_A, B with p_B, else empty; the estimate ĥ_s = ln(ρ_s / ρ_0) has (delta method) variance
    // 1/(n ρ_s) + 1/(n ρ_0) to first order for n sites in all. Four standard errors: a false alarm about once in 10^4.
    const machine = createMachine(formMachineSpec('visible', [1000], ['A', 'B']));
    const pA = 0.2;
    const pB = 0.05;
    const rng = createRng(20261130, 0);
    const lattices = Array.from({ length: 20 }, () => Uint8Array.from({ length: 1000 }, () => {
      const u = rng.nextFloat64();
      return u < pA ? 1 : u < pA + pB ? 2 : 0;
    }));
    const theta = fitTheta0Independent(machine, lattices);
    const n = 20_000;
    const p0 = 1 - pA - pB;
    for (const [name, p] of [['hA', pA], ['hB', pB]] as const) {
      const se = Math.sqrt(1 / (n * p) + 1 / (n * p0));
      expect(Math.abs(theta[machine.parameters.index(name)] - Math.log(p / p0))).toBeLessThan(4 * se);
    }
    expect(theta[machine.parameters.index('JAB')]).toBe(0);
    const offsets = offsetsFromData(machine, lattices);
    expect(offsets[0]).toBeCloseTo((pA + pB) / 2, 1);
  });

  it('sampled moments of a factorised machine match the exact means within their standard errors', () => {
    // J = 0: sites are independent with p = e^h / (1 + e^h), so ⟨n_A⟩ = L p and ⟨NN_AA⟩ = L p² on a ring of L sites.
    // The sampler's own standard errors (sample SD / √chains) set the tolerance: 5 of them.
    const L = 200;
    const machine = createMachine(formMachineSpec('visible', [L], ['A']));
    const P = machine.parameters.count;
    const hs = [-1.5, 0, 0.8];
    const theta = new Float64Array(hs.length * P);
    hs.forEach((h, t) => {
      theta[t * P + machine.parameters.index('hA')] = h;
    });
    const model = { shape: [L], boundary: 'periodic', species: ['A'], observables: [{ type: 'count', species: 'A' }, { type: 'pair', species: ['A', 'A'], displacements: 'nn' }] } as unknown as ExperimentModel;
    const { mean, se } = sampleModelMoments(machine, theta, hs.length, model, { chains: 400, sweeps: 3, rng: createRng(7, 0) });
    const [count, pairs] = Object.keys(mean);
    hs.forEach((h, t) => {
      const p = 1 / (1 + Math.exp(-h));
      expect(Math.abs(mean[count][t] - L * p)).toBeLessThan(5 * se[count][t]);
      expect(Math.abs(mean[pairs][t] - L * p * p)).toBeLessThan(5 * se[pairs][t]);
    });
  });
});
