import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LatticeConfig, type LatticeInitialCondition, encodeLattice, lotkaVolterraLattice, simulateLatticeEnsemble } from '../src/lattice.ts';
import { LatticeReplicateSpill, simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';
import { exampleRun } from '../bench/lattice-dbd.ts';

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

describe('lattice ensembles with the replicates spilled to a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srn-spill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The A + A -> 0 model file's Boltzmann initial conditions (3 conditions x 4 samples): per-condition moments too.
  const aaRun = exampleRun('annihilation-1d');
  const aa: LatticeConfig = { ...aaRun.config, shape: [60], boundary: 'closed', steps: 7 };
  const aaIc: LatticeInitialCondition = { ...(aaRun.initialCondition as Extract<LatticeInitialCondition, { type: 'boltzmann' }>), sweeps: 5, conditions: 3 };

  it.each([1, 2])('gives the summary of the in-memory reduction bit for bit and keeps nothing per run (%i workers)', async (workers) => {
    const cases = [
      { config: lotkaVolterraLattice({ steps: 25, size: 10, selection: 'row-biased' }), runs: 9, extra: { excludeExtinct: true } },
      { config: aa, runs: 12, extra: { initialCondition: aaIc, samplesPerCondition: 4, observables: aaRun.observables } },
    ];
    for (const { config, runs, extra } of cases) {
      const inMemory = await simulateLatticeEnsembleParallel(config, { runs, seed: 4, workers, batchSize: 2, ...extra });
      const spill = join(dir, `w${workers}-${runs}`);
      let size = 0;
      const spilled = await simulateLatticeEnsembleParallel(config, {
        runs,
        seed: 4,
        workers,
        batchSize: 2,
        ...extra,
        spill,
        onProgress: () => {
          size = statSync(spill).size;
        },
      });
      expect(spilled.summary).toEqual(inMemory.summary);
      if ('conditions' in extra) expect(spilled.summary.conditions).toHaveLength(3);
      // Every run's record went to the file (the last one ends at runs x record), none stayed on the replicates.
      const record = inMemory.replicates[0].observables.byteLength + inMemory.replicates[0].counts.byteLength;
      expect(size).toBe(runs * record);
      expect(spilled.replicates.every((r) => r.observables.length === 0 && r.counts.length === 0)).toBe(true);
      expect(spilled.replicates.map((r) => [r.run, r.extinct, r.condition])).toEqual(inMemory.replicates.map((r) => [r.run, r.extinct, r.condition]));
      expect(existsSync(spill)).toBe(false);
    }
  });

  it('removes the file when the ensemble fails, and refuses a bad path', async () => {
    const spill = join(dir, 'failed');
    const config = lotkaVolterraLattice({ steps: 5, size: 8 });
    const run = simulateLatticeEnsembleParallel(config, {
      runs: 4,
      seed: 1,
      workers: 1,
      batchSize: 1,
      spill,
      onProgress: (done) => {
        if (done === 2) throw new RangeError('stop here');
      },
    });
    await expect(run).rejects.toThrow(/stop here/);
    expect(readdirSync(dir)).not.toContain('failed');
    await expect(simulateLatticeEnsembleParallel(config, { runs: 2, seed: 1, spill: '' })).rejects.toThrow(/options\.spill must be a file path; got $/);
  });

  it('the spill checks its sizes and the records it is asked for', () => {
    expect(() => new LatticeReplicateSpill(join(dir, 'x'), 0, 8, 2)).toThrow(/steps must be a positive integer; got 0/);
    const spill = new LatticeReplicateSpill(join(dir, 'y'), 2, 1, 1);
    const replicate = { run: 1, condition: 0, parameters: null, observables: Float64Array.of(0.5, 1.5), counts: Int32Array.of(3, 4), extinct: false, extinctionTimes: new Float64Array(1), events: { attempts: 0, unimolecular: 0 } } as never;
    spill.put(replicate);
    expect(Array.from(spill.data(replicate).observables)).toEqual([0.5, 1.5]);
    expect(Array.from(spill.data(replicate).counts)).toEqual([3, 4]);
    expect(() => spill.data({ run: 2 } as never)).toThrow(/replicate 2: not in the spill file/);
    expect(() => spill.put({ ...(replicate as object), counts: Int32Array.of(1) } as never)).toThrow(/replicate 1: observables and counts must hold 2 and 2 values/);
    spill.close();
    spill.close();
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });
});
