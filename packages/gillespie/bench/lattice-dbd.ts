/**
 * Issue #14 item 7: the 2019 paper's ensembles, from the bundled model files, timed whole-process.
 *
 * `node --conditions=@srn/source --import tsx bench/lattice-dbd.ts aa [workers]`: `examples/lattice/annihilation-1d
 * .lattice`, the A + A → ∅ training data — 50 initial conditions × 50 samples, 1-D L = 1000, 201 snapshots
 * (dt = 0.01), Boltzmann ICs with h, J, K drawn from [−1, 1] and 1000 Gibbs sweeps per sample (the committed
 * `populate_lattice_1d`), paper scheme, collision probability 0.01; observables n_A, NN_AA, run3_A, run4_A (the
 * paper's m1 … m4).
 * `… bench/lattice-dbd.ts rossler [workers]`: `examples/lattice/rossler-3d.lattice`, 100 samples of 10 × 10 × 10
 * (periodic), 101 snapshots of dt = 0.01, Boltzmann ICs h = −0.69 (all J = 0), paper scheme.
 * Prints the ensemble's wall time, a check figure and the process CPU time (all threads).
 */
import { readFileSync } from 'node:fs';
import { type LatticeFileRun, latticeConfigFromFile, parseLatticeModel } from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';

/** A bundled example model file, parsed and built for its own scheme. */
export function exampleRun(name: 'annihilation-1d' | 'rossler-3d'): LatticeFileRun {
  const text = readFileSync(new URL(`../examples/lattice/${name}.lattice`, import.meta.url), 'utf8');
  return latticeConfigFromFile(parseLatticeModel(text, { source: `${name}.lattice` }));
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const { finish, measure } = await import('./harness.ts');
  const which = process.argv[2] ?? 'aa';
  const workers = Number(process.argv[3] ?? 2);
  const run = exampleRun(which === 'aa' ? 'annihilation-1d' : 'rossler-3d');
  const runs = which === 'aa' ? 2500 : 100;
  await measure(`${which === 'aa' ? 'A + A training data' : 'Rössler 3-D'}, ${runs} runs, ${workers} thread${workers > 1 ? 's' : ''}`, async () => {
    const { summary, replicates } = await simulateLatticeEnsembleParallel(run.config, {
      runs,
      seed: 1,
      workers,
      initialCondition: run.initialCondition,
      observables: run.observables,
    });
    const T = summary.times.length - 1;
    const means = (t: number) => summary.species.map((_, k) => summary.mean[k][t].toFixed(1)).join(' ');
    console.log(
      `${which}: ${runs} runs (${summary.conditions.length} conditions), shape ${run.config.shape.join(' x ')}, ${T + 1} snapshots; ` +
        `mean counts at t = 0: ${means(0)}; at t = ${summary.times[T]}: ${means(T)}`,
    );
    return {
      amount: replicates.reduce((a, r) => a + r.events.attempts + r.events.unimolecular, 0),
      unit: 'hop attempts + events',
      extra: { snapshots: T + 1, 'mean count at end': Number(means(T).split(' ')[0]) },
    };
  });
  finish(`lattice-dbd-${which}`);
}
