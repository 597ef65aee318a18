/**
 * Issue #14 item 7: the 2019 paper's ensembles as srn lattice runs, timed whole-process.
 *
 * `npx tsx --conditions=@srn/source bench/lattice-dbd.ts aa [workers]`: the A + A → ∅ training data — 50 initial
 * conditions × 50 samples, 1-D L = 1000, 201 snapshots (dt = 0.01), Boltzmann ICs with h, J, K drawn from [−1, 1]
 * and 1000 Gibbs sweeps per sample (the committed `populate_lattice_1d`), paper scheme, collision probability 0.01;
 * observables n_A, NN_AA, run3_A, run4_A (the paper's m1 … m4).
 * `… bench/lattice-dbd.ts rossler [workers]`: the Rössler ensemble — 100 samples of 10 × 10 × 10 (periodic),
 * 100 steps of dt = 0.01, Boltzmann ICs h = −0.69 (all J = 0, 100 sweeps), paper scheme, default observables.
 * Prints wall and CPU seconds of the ensemble call and a check figure.
 */
import type { LatticeConfig, LatticeInitialCondition, LatticeObservable } from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';

/** The 2019 A + A → ∅ training ensemble (bimol_train_stoch_sim). */
export const annihilationTraining: { config: LatticeConfig; initialCondition: LatticeInitialCondition; observables: LatticeObservable[]; runs: number } = {
  config: {
    model: { species: ['A'], diffusion: { A: 1 }, reactions: [{ type: 'contact', reactants: ['A', 'A'], products: [null, null], probability: 0.01 }] },
    shape: [1000],
    boundary: 'periodic',
    initial: { A: 0 },
    scheme: 'paper',
    dt: 0.01,
    steps: 201,
  },
  initialCondition: {
    type: 'boltzmann',
    h: { A: { min: -1, max: 1 } },
    J: { 'A-A': { min: -1, max: 1 } },
    K: { 'A-A-A': { min: -1, max: 1 } },
    sweeps: 1000,
    conditions: 50,
  },
  observables: [
    { type: 'count', species: 'A' },
    { type: 'pair', species: ['A', 'A'], displacements: 'nn' },
    { type: 'run', species: 'A', length: 3 },
    { type: 'run', species: 'A', length: 4 },
  ],
  runs: 2500,
};

/** The 2019 lattice Rössler ensemble (rossler_stoch_sims). */
export const rosslerEnsemble: { config: LatticeConfig; initialCondition: LatticeInitialCondition; runs: number } = {
  config: {
    model: {
      species: ['A', 'B', 'C'],
      diffusion: { A: 1, B: 1, C: 1 },
      reactions: [
        { type: 'birth', parent: 'A', rate: 30, placement: 'neighbour' },
        { type: 'decay', reactant: 'B', rate: 10 },
        { type: 'birth', parent: 'C', rate: 16.5, placement: 'neighbour' },
        { type: 'contact', reactants: ['A', 'A'], products: ['A', null], probability: 0.1 },
        { type: 'contact', reactants: ['A', 'B'], products: ['B', 'B'], probability: 0.4 },
        { type: 'contact', reactants: ['A', 'C'], products: [null, null], probability: 0.24 },
        { type: 'contact', reactants: ['C', 'C'], products: ['C', null], probability: 0.36 },
      ],
    },
    shape: [10, 10, 10],
    boundary: 'periodic',
    initial: { A: 0 },
    scheme: 'paper',
    dt: 0.01,
    steps: 101,
  },
  initialCondition: { type: 'boltzmann', h: { A: -0.69, B: -0.69, C: -0.69 }, sweeps: 100 },
  runs: 100,
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const which = process.argv[2] ?? 'aa';
  const workers = Number(process.argv[3] ?? 2);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  if (which === 'aa') {
    const { config, initialCondition, observables, runs } = annihilationTraining;
    const { summary } = await simulateLatticeEnsembleParallel(config, { runs, seed: 1, workers, initialCondition, observables });
    const wall = (performance.now() - start) / 1000;
    const c = summary.conditions;
    console.log(
      `A + A training data: ${runs} runs (${c.length} ICs × ${runs / c.length}), L = 1000, 201 snapshots, ${workers} workers: ${wall.toFixed(1)} s wall; ` +
        `mean n_A over ICs at t = 0: ${summary.mean[0][0].toFixed(1)}, t = 2: ${summary.mean[0][200].toFixed(1)}`,
    );
  } else {
    const { config, initialCondition, runs } = rosslerEnsemble;
    const { summary } = await simulateLatticeEnsembleParallel(config, { runs, seed: 1, workers, initialCondition });
    const wall = (performance.now() - start) / 1000;
    console.log(
      `Rössler: ${runs} runs, 10 × 10 × 10, 101 snapshots, ${workers} workers: ${wall.toFixed(1)} s wall; ` +
        `mean A, B, C at t = 0: ${[0, 1, 2].map((k) => summary.mean[k][0].toFixed(1)).join(', ')}; t = 1: ${[0, 1, 2].map((k) => summary.mean[k][100].toFixed(1)).join(', ')}`,
    );
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(`main-thread process CPU (all threads): ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
}
