import { describe, expect, it } from 'vitest';
import { lotkaVolterraLattice, simulateLatticeEnsemble } from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';

describe('parallel lattice ensembles', () => {
  it('give identical results for 1, 2 and 4 workers and any batch size (stream per run)', async () => {
    const config = lotkaVolterraLattice({ steps: 80, scheme: 'paper' });
    const serial = simulateLatticeEnsemble(config, { runs: 8, seed: 99 });
    for (const [workers, batchSize] of [
      [1, 3],
      [2, 1],
      [4, 2],
    ]) {
      const parallel = await simulateLatticeEnsembleParallel(config, { runs: 8, seed: 99, workers, batchSize });
      expect(parallel.summary).toEqual(serial.summary);
      expect(parallel.replicates.map((r) => r.run)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('carries trajectories and the exact scheme through workers; validates options', async () => {
    const config = lotkaVolterraLattice({ steps: 10, size: 16, scheme: 'exact' });
    const progress: number[] = [];
    const { replicates } = await simulateLatticeEnsembleParallel(config, {
      runs: 4,
      seed: 3,
      workers: 2,
      batchSize: 2,
      keepTrajectories: true,
      onProgress: (done) => progress.push(done),
    });
    const serial = simulateLatticeEnsemble(config, { runs: 4, seed: 3, keepTrajectories: true });
    expect(replicates.map((r) => r.occupancy)).toEqual(serial.replicates.map((r) => r.occupancy));
    expect(progress.sort((a, b) => a - b)).toEqual([2, 4]);
    await expect(simulateLatticeEnsembleParallel(config, { runs: 4, seed: 3, workers: 0 })).rejects.toThrow(/options.workers/);
    await expect(simulateLatticeEnsembleParallel(config, { runs: 4, seed: 3, batchSize: 0 })).rejects.toThrow(/options.batchSize/);
  });
});
