// Type-checked by scripts/pack-check.mjs against the declarations installed from the tarballs (moduleResolution
// nodenext, skipLibCheck off): every public entry point resolves to types, and the pieces fit together.
import { createChains, createMachine, type RandomSource, randomizeChains } from '@srn/boltzmann';
import * as closure from '@srn/closure';
import * as fem from '@srn/fem-basis';
import { type EnsembleStatistics, parseModel, simulateEnsemble } from '@srn/gillespie';
import { type LatticeRun, lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
import * as latticeNode from '@srn/gillespie/lattice-node';
import { simulateEnsembleParallel } from '@srn/gillespie/node';
import { createRng, type Rng } from '@srn/gillespie/rng';
import { loadSbml } from '@srn/gillespie/sbml';
import { startModuleWorker } from '@srn/gillespie/worker';

const rng: Rng = createRng(1);
const source: RandomSource = rng; // a gillespie Rng is a boltzmann RandomSource
const stats: EnsembleStatistics = simulateEnsemble(parseModel('X -> 0 @ 1\nX = 10'), { runs: 10, seed: 1, tEnd: 1 });
const run: LatticeRun = simulateLattice(lotkaVolterraLattice({ size: 8, steps: 2 }), rng);
const rbm = createMachine({
  layers: [{ name: 'v', shape: [8], states: ['on'] }, { name: 'h', shape: [3], states: ['on'] }],
  connections: [{ kind: 'dense', lower: 'v', upper: 'h' }],
  parameterization: 'per-unit',
});
randomizeChains(rbm, createChains(rbm, 1), source);
export const used = [stats, run, closure, fem, latticeNode, simulateEnsembleParallel, loadSbml, startModuleWorker];
