/**
 * The learned model of a model-file experiment from its settings: the model form of `@srn/closure`
 * (`buildMachineSpec`) on the lattice's shape and species, the finite-element domain (`defaultFeDomain`, or
 * `--domain`), and θ(0) of a set of t = 0 lattices (`fitTheta0`: maximum pseudo-likelihood for visible forms,
 * persistent CD for hidden ones).
 *
 * - `--form visible`: a bias h<s> per species, a nearest-neighbour coupling n<a><b> for every ordered species pair
 *   (the 2018 papers' h and J), with `--triplets on` (1D) the triplet couplings k<a><b><c> (the 2019 A + A paper's K),
 *   with `--nnn on` couplings m<a><b> at lattice distance 2.
 * - `--form hidden`: `--hidden-layers N` layers of the lattice's shape with states <s><n>, adjacent layers coupled
 *   species to species through 2^d receptive fields (the 2019 machines in 1D, 2D and 3D).
 *
 * The machines of `@srn/boltzmann` are periodic: on a lattice with closed ends the model is the periodic one on the
 * same sites (the report says so).
 */
import { buildMachineSpec, fitTheta0, type ModelForm } from '@srn/closure';
import type { Machine, MachineSpec } from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie';
import type { ClosureSettings } from './experiment.ts';

/**
 * The model form of the settings.
 *
 * @example
 * ```ts
 * modelForm(settings.train); // { kind: 'visible', triplets: true } for aa-2019
 * ```
 */
export function modelForm(train: ClosureSettings['train']): ModelForm {
  if (train.form === 'hidden') return { kind: 'hidden', layers: train.hiddenLayers };
  return { kind: 'visible', triplets: train.triplets === 'on', nnn: train.nnn === 'on' };
}

/**
 * The machine of a form on a lattice (periodic; see the module comment).
 *
 * @example
 * ```ts
 * formMachineSpec({ kind: 'visible' }, [100], ['A']); // biases hA, coupling nAA
 * ```
 */
export function formMachineSpec(form: ModelForm, shape: readonly number[], species: readonly string[]): MachineSpec {
  return buildMachineSpec(form, { shape, species, boundary: 'periodic' });
}

/**
 * θ(0) of `machine` fitted from t = 0 lattices (`fitTheta0`; `rng` drives the CD of hidden forms).
 *
 * @example
 * ```ts
 * const theta0 = theta0From(machine, lattices, createRng('1/predict', 100));
 * ```
 */
export function theta0From(machine: Machine, lattices: readonly Uint8Array[], rng: Rng): Float64Array {
  return fitTheta0(machine, lattices, { rng });
}
