/**
 * The learned model of a model-file experiment (src/closure/forms.ts: the forms of @srn/closure from the settings) and
 * the predict stage's sampler against exact answers of factorised machines.
 */
import { createMachine } from '@srn/boltzmann';
import { createRng } from '@srn/gillespie';
import { describe, expect, it } from 'vitest';
import { defaultFeDomain, paperMachineSpec } from '@srn/closure';
import type { ClosureSettings } from '../src/closure/experiment.ts';
import { formMachineSpec, modelForm } from '../src/closure/forms.ts';
import type { ExperimentModel } from '../src/closure/model.ts';
import { sampleModelMoments } from '../src/closure/predict-generic.ts';
import { PAPER_DOMAIN } from '../src/closure/train-stage.ts';

describe('model forms of closure', () => {
  it('the settings choose the form of @srn/closure; the hidden form in 2D with two layers is the paper machine with its domain', () => {
    const train = { form: 'visible', hiddenLayers: 2, triplets: 'on', nnn: 'off' } as ClosureSettings['train'];
    expect(modelForm(train)).toEqual({ kind: 'visible', triplets: true, nnn: false });
    const aa = createMachine(formMachineSpec(modelForm(train), [50], ['A']));
    expect(defaultFeDomain(aa)).toEqual(['hA', 'nAA', 'kAAA']);
    const paper = createMachine(formMachineSpec(modelForm({ ...train, form: 'hidden' }), [40, 40], ['X', 'Y']));
    expect(paper.parameters.names).toEqual(createMachine(paperMachineSpec(40)).parameters.names);
    expect(defaultFeDomain(paper)).toEqual([...PAPER_DOMAIN]);
  });

  it('sampled moments of a factorised machine match the exact means within their standard errors', () => {
    // No couplings: sites are independent with p = e^h / (1 + e^h), so ⟨n_A⟩ = L p and ⟨NN_AA⟩ = L p² on a ring of L
    // sites. The sampler's own standard errors (sample SD / √chains) set the tolerance: 5 of them.
    const L = 200;
    const machine = createMachine(formMachineSpec({ kind: 'visible' }, [L], ['A']));
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
