/**
 * The learned model of a model-file experiment: its machine (`--form visible|hidden` on the lattice's shape and
 * species), the finite-element input domain, θ(0) and the centering offsets from the t = 0 lattices.
 *
 * - `visible`: one visible layer of (S+1)-state units, a bias h<s> per species and a nearest-neighbour coupling J<a><b>
 *   for every ordered species pair (the 2018 papers' h and J; homogeneous).
 * - `hidden`: the visible layer and N hidden layers of the same shape with states <s><n>, adjacent layers coupled
 *   species to species through 2^d receptive fields (the 2019 paper's machine in 1D, 2D and 3D).
 *
 * FE domain rule (at most 6 inputs: the FE cost is 4^inputs per evaluation): the visible biases in species order,
 * then the same-species couplings in connection order (J<s><s> of the visible form; w<s><s>1, w<s>1<s>2, ... of the hidden
 * one: the 2019 paper's domain), then the other weights, cut at 6; every other parameter is an output of F, not an input.
 *
 * θ(0) is fitted per initial condition from its t = 0 lattices by the independent-site estimate h_s = ln(ρ_s / ρ_0)
 * (ρ_s the measured fraction of sites holding s, ρ_0 empty, clamped to [1/(2N), 1 − 1/(2N)]), other parameters 0: exact
 * for factorised initial conditions (J = 0), the mean-field part of a correlated one. Centering offsets: the mean
 * species density at t = 0 for the visible layer, 1/(S+1) for hidden layers.
 */
import type { Machine, MachineSpec } from '@srn/boltzmann';
import { nearestNeighbourDisplacements } from '@srn/gillespie/lattice';
import type { FormKind } from './experiment.ts';

/** Largest number of finite-element inputs the rule picks. */
export const MAX_FE_INPUTS = 6;

/**
 * The machine of a form on a lattice.
 *
 * @example
 * ```ts
 * formMachineSpec('visible', [100], ['A']); // biases hA, coupling JAA
 * ```
 */
export function formMachineSpec(form: FormKind, shape: readonly number[], species: readonly string[], hiddenLayers = 2): MachineSpec {
  const visible = { name: 'visible', shape: [...shape], states: [...species] };
  if (form === 'visible') {
    return {
      layers: [visible],
      connections: [{ lower: 0, upper: 0, field: nearestNeighbourDisplacements(shape.length), couplings: 'all', weightPrefix: 'J' }],
      parameterization: 'homogeneous',
    };
  }
  const layers = [visible];
  for (let n = 1; n <= hiddenLayers; n++) layers.push({ name: `hidden${n}`, shape: [...shape], states: species.map((s) => `${s}${n}`) });
  return {
    layers,
    connections: Array.from({ length: hiddenLayers }, (_, l) => ({ lower: l, upper: l + 1, field: '2x2' as const, couplings: 'same' as const })),
    parameterization: 'homogeneous',
  };
}

/**
 * The FE input domain of the rule above.
 *
 * @example
 * ```ts
 * feDomain(createMachine(formMachineSpec('visible', [100], ['A']))); // ['hA', 'JAA']
 * ```
 */
export function feDomain(machine: Machine): string[] {
  const blocks = machine.parameters.blocks;
  const biases = blocks.filter((b) => b.kind === 'bias' && b.owner === 0).map((b) => b.name);
  const weights = blocks.filter((b) => b.kind === 'weight');
  // weight:<layer>.<state>:<layer>.<state>#k; the states of one species differ only by the layer's digits.
  const species = (part: string) => part.slice(part.indexOf('.') + 1).replace(/\d+$/, '');
  const same = weights.filter((b) => {
    const [, lower, upper] = b.qualifiedName.replace(/#\d+$/, '').split(':');
    return species(lower) === species(upper);
  });
  const rest = weights.filter((b) => !same.includes(b));
  return [...biases, ...same.map((b) => b.name), ...rest.map((b) => b.name)].slice(0, MAX_FE_INPUTS);
}

/** Fraction of sites holding each code 0 .. S over the given lattices. */
export function siteFractions(lattices: readonly Uint8Array[], S: number): Float64Array {
  const counts = new Float64Array(S + 1);
  let total = 0;
  for (const lattice of lattices) {
    for (let i = 0; i < lattice.length; i++) counts[lattice[i]]++;
    total += lattice.length;
  }
  for (let k = 0; k <= S; k++) counts[k] /= total;
  return counts;
}

/**
 * θ(0) of `machine` from t = 0 lattices (the independent-site estimate; see the module comment).
 *
 * @example
 * ```ts
 * const theta0 = fitTheta0Independent(machine, [Uint8Array.of(0, 1, 1, 0)]); // hA = ln(0.5 / 0.5) = 0
 * ```
 */
export function fitTheta0Independent(machine: Machine, lattices: readonly Uint8Array[]): Float64Array {
  const V = machine.layers[0];
  const S = V.stateCount;
  const rho = siteFractions(lattices, S);
  const n = lattices.reduce((a, l) => a + l.length, 0);
  const lo = 1 / (2 * Math.max(1, n));
  const clamp = (x: number) => Math.min(1 - lo, Math.max(lo, x));
  const theta = new Float64Array(machine.parameters.count);
  for (const b of machine.parameters.blocks) {
    if (b.kind !== 'bias' || b.owner !== 0) continue;
    const value = Math.log(clamp(rho[b.state]) / clamp(rho[0]));
    for (let i = 0; i < b.count; i++) theta[b.offset + i * b.stride] = value;
  }
  return theta;
}

/**
 * Centering offsets per layer from t = 0 lattices.
 *
 * @example
 * ```ts
 * offsetsFromData(machine, lattices); // [mean density, 1 / (S + 1), ...]
 * ```
 */
export function offsetsFromData(machine: Machine, lattices: readonly Uint8Array[]): number[] {
  const S = machine.layers[0].stateCount;
  const rho = siteFractions(lattices, S);
  let occupied = 0;
  for (let k = 1; k <= S; k++) occupied += rho[k];
  const visible = Math.min(0.9, Math.max(0.01, occupied / S));
  return machine.layers.map((layer) => (layer.index === 0 ? visible : 1 / (layer.stateCount + 1)));
}

