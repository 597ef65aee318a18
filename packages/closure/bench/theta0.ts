/**
 * θ(0) from data: `npx tsx --conditions=@srn/source bench/theta0.ts [fits]` runs `fitTheta0` (pseudo-likelihood)
 * `fits` times (default 8) on 12 lattices of 24 × 24 sites, two species, of the fully visible form with distance-2
 * couplings (10 parameters), sampled once with `createBoltzmannSampler` (150 sweeps; seeded). Meant to be timed as a
 * whole process; prints the fitted θ(0).
 */
import { createMachine } from '@srn/boltzmann';
import { createRng } from '@srn/gillespie/rng';
import { createBoltzmannSampler, createLatticeGeometry } from '@srn/gillespie/lattice';
import { buildMachineSpec, fitTheta0 } from '../src/forms.ts';

const fits = Number(process.argv[2] ?? 8);
const shape = [24, 24];
const sampler = createBoltzmannSampler(createLatticeGeometry(shape), ['X', 'Y'], {
  h: { X: -1, Y: -0.5 },
  J: { 'X-X': 0.5, 'X-Y': -0.4, 'Y-Y': 0.3 },
  K: {},
});
const lattices = Array.from({ length: 12 }, (_, m) => sampler.sample(150, createRng(1, m)));
const machine = createMachine(buildMachineSpec({ kind: 'visible', nnn: true }, { shape, species: ['X', 'Y'] }));
let theta: Float64Array = new Float64Array(0);
for (let f = 0; f < fits; f++) theta = fitTheta0(machine, lattices);
console.log(machine.parameters.names.map((n, p) => `${n} ${theta[p]!.toFixed(3)}`).join(', '));
