import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import {
  compileObservables,
  createBoltzmannSampler,
  type LatticeConfig,
  type LatticeInitialCondition,
  type LatticeObservable,
  latticeConditionParameters,
  latticeConditionsToCsv,
  measureObservables,
  prepareLatticeConfig,
  runLatticeReplicates,
  simulateLatticeEnsemble,
} from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';
import { exampleRun } from '../bench/lattice-dbd.ts';

/** The 2019 A + A → 0 training setup (the bundled model file), scaled down: 200 sites, closed, 21 snapshots. */
const aaRun = exampleRun('annihilation-1d');
const annihilation1d: LatticeConfig = { ...aaRun.config, shape: [200], boundary: 'closed', steps: 21 };
const aaIc: LatticeInitialCondition = { ...(aaRun.initialCondition as Extract<LatticeInitialCondition, { type: 'boltzmann' }>), sweeps: 20, conditions: 3 };
const aaObservables = aaRun.observables as LatticeObservable[];

/** The 2019 Rössler system (the bundled model file) on a 5 × 5 × 5 lattice, 11 snapshots, two conditions. */
const rosslerRun = exampleRun('rossler-3d');
const rossler3d: LatticeConfig = { ...rosslerRun.config, shape: [5, 5, 5], steps: 11 };
const rosslerIc: LatticeInitialCondition = { ...(rosslerRun.initialCondition as Extract<LatticeInitialCondition, { type: 'boltzmann' }>), sweeps: 5, conditions: 2 };

describe('lattice ensembles with initial conditions and observables', () => {
  it('records per-run IC parameters and places run r from stream r (K conditions × M samples)', () => {
    const { summary, replicates } = simulateLatticeEnsemble(annihilation1d, { runs: 12, seed: 5, initialCondition: aaIc, observables: aaObservables });
    const prepared = prepareLatticeConfig(annihilation1d);
    const compiled = compileObservables(prepared.geometry, ['A'], aaObservables);
    const row = new Float64Array(aaObservables.length);
    for (const r of replicates) {
      const c = Math.floor(r.run / 4);
      expect(r.condition).toBe(c);
      const params = latticeConditionParameters(aaIc as Extract<LatticeInitialCondition, { type: 'boltzmann' }>, 5, c);
      expect(r.parameters).toEqual(params);
      // The recorded t = 0 observables are those of the Gibbs sample drawn from createRng(seed, run).
      const occ = createBoltzmannSampler(prepared.geometry, ['A'], params).sample(20, createRng(5, r.run));
      measureObservables(compiled, occ, row);
      expect(Array.from(r.observables.subarray(0, aaObservables.length))).toEqual(Array.from(row));
    }
    expect(new Set(replicates.map((r) => r.parameters?.h.A)).size).toBe(3);
    expect(summary.names).toEqual(['n_A', 'NN_AA', 'run3_A', 'run4_A']);
    expect(summary.conditions.map((c) => [c.condition, c.runs])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
    // Condition means are the means of their own runs; the overall mean is their average (equal sizes).
    for (const c of summary.conditions) {
      const mine = replicates.filter((r) => r.condition === c.condition);
      expect(c.mean[0][20]).toBeCloseTo(mine.reduce((a, r) => a + r.observables[20 * 4], 0) / 4, 12);
    }
    expect(summary.mean[1][7]).toBeCloseTo(summary.conditions.reduce((a, c) => a + c.mean[1][7], 0) / 3, 12);
    const csv = latticeConditionsToCsv(summary).split('\n');
    expect(csv[0]).toBe('condition,time,runs,n_A-mean,n_A-sd,NN_AA-mean,NN_AA-sd,run3_A-mean,run3_A-sd,run4_A-mean,run4_A-sd');
    expect(csv.length).toBe(1 + 3 * 21 + 1);
    expect(() => simulateLatticeEnsemble(annihilation1d, { runs: 10, seed: 5, initialCondition: aaIc })).toThrow(/options.runs \(10\).*3 initial conditions/);
    expect(() => runLatticeReplicates(annihilation1d, { seed: 5, start: 0, end: 2, initialCondition: aaIc })).toThrow(
      /options.samplesPerCondition is required with 3 initial conditions/,
    );
    expect(() => runLatticeReplicates(annihilation1d, { seed: 5, start: 0, end: 13, initialCondition: aaIc, samplesPerCondition: 4 })).toThrow(
      /options.end 13 exceeds 3 conditions × 4 samples/,
    );
    expect(() =>
      simulateLatticeEnsemble(annihilation1d, { runs: 3, seed: 5, initialCondition: aaIc, observables: [{ type: 'count', species: 'B' }] }),
    ).toThrow(/observables\[0\]\.species.*"B"/);
    expect(() =>
      simulateLatticeEnsemble(annihilation1d, { runs: 3, seed: 5, initialCondition: { type: 'densities', densities: { A: 2 } } }),
    ).toThrow(/options.initialCondition.densities.A.*2/);
    // A typed initial condition in the configuration is the default of the option.
    const fromConfig = simulateLatticeEnsemble({ ...annihilation1d, initial: aaIc }, { runs: 12, seed: 5, observables: aaObservables });
    expect(fromConfig.summary).toEqual(summary);
  });

  it('gives identical 1-D and 3-D ensembles for 1, 2 and 4 workers', async () => {
    for (const [config, ic, runs, observables] of [
      [annihilation1d, aaIc, 12, aaObservables],
      [rossler3d, rosslerIc, 6, undefined],
    ] as const) {
      const options = { runs, seed: 17, initialCondition: ic, observables: observables as LatticeObservable[] | undefined };
      const serial = simulateLatticeEnsemble(config, options);
      for (const [workers, batchSize] of [
        [1, 5],
        [2, 1],
        [4, 2],
      ]) {
        const parallel = await simulateLatticeEnsembleParallel(config, { ...options, workers, batchSize });
        expect(parallel.summary, `${config.shape} ${workers}`).toEqual(serial.summary);
        expect(parallel.replicates.map((r) => r.parameters)).toEqual(serial.replicates.map((r) => r.parameters));
      }
    }
  });
});
