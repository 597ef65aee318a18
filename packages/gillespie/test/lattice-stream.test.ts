import { describe, expect, it } from 'vitest';
import { encodeLattice, lotkaVolterraLattice, simulateLatticeEnsemble } from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';

describe('streamed lattice trajectories', () => {
  it('hands every run over once as the encodeLattice bytes of its trajectory, for 1 and 2 workers, and keeps none', async () => {
    const config = lotkaVolterraLattice({ steps: 30, size: 12, selection: 'row-biased' });
    const serial = simulateLatticeEnsemble(config, { runs: 7, seed: 5, keepTrajectories: true });
    const expected = serial.replicates.map((r) =>
      Array.from(encodeLattice({ shape: config.shape, species: ['X', 'Y'], times: serial.summary.times, occupancy: r.occupancy! })),
    );
    for (const workers of [1, 2]) {
      const received = new Map<number, number[]>();
      const { summary, replicates } = await simulateLatticeEnsembleParallel(config, {
        runs: 7,
        seed: 5,
        workers,
        batchSize: 2,
        keepTrajectories: true,
        onTrajectory: (run, bytes) => {
          expect(received.has(run)).toBe(false);
          received.set(run, Array.from(bytes));
        },
      });
      expect(summary).toEqual(serial.summary);
      expect([...received.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      for (let run = 0; run < 7; run++) expect(received.get(run)).toEqual(expected[run]);
      expect(replicates.every((r) => r.occupancy === undefined)).toBe(true);
    }
  });

  it('a throwing consumer rejects the ensemble', async () => {
    const config = lotkaVolterraLattice({ steps: 5, size: 8 });
    const run = simulateLatticeEnsembleParallel(config, {
      runs: 4,
      seed: 1,
      workers: 2,
      batchSize: 1,
      keepTrajectories: true,
      onTrajectory: () => {
        throw new RangeError('disk full');
      },
    });
    await expect(run).rejects.toThrow(/disk full/);
  });
});
