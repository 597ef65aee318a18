/**
 * `latticeSimulate` (behind `lv simulate`, `lattice simulate` and the pipelines' simulate stage) must not hold the
 * trajectories of an ensemble: each run's trajectory is written as soon as its batch is done, so the memory does not
 * grow with the number of runs (issue #21 item 6: the 100-run `lv simulate` held every run's 800 KB of raw snapshots
 * until the end). Counted here without timing or memory figures: at every progress report, every trajectory the
 * ensemble has handed over is already a file in the staging directory (none is waiting in memory), for a short and
 * a six times longer ensemble alike, and the replicates that come back carry no snapshots. The files are the bytes
 * `encodeLattice` gives for the same runs of the serial ensemble. The runs' observables and counts wait for the
 * reduction in a scratch file of the stage (`spill`), which is gone from the published output.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeLattice, lotkaVolterraLattice, simulateLatticeEnsemble } from '@srn/gillespie/lattice';
import { simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import { bundledLatticeModel, latticeSimulate, latticeTrajectoryWriter } from '../src/commands/lattice-run.ts';

/** The staging directory of `out` while `latticeSimulate` runs. */
function stageOf(out: string): string {
  const stage = readdirSync(dirname(out)).find((name) => name.startsWith(`.${basename(out)}.partial`));
  if (stage === undefined) throw new Error(`no staging directory for ${out}`);
  return join(dirname(out), stage);
}

/** Runs a 12 x 12 LV ensemble through latticeSimulate and counts, at every progress report, the trajectories handed over but not on disk. */
async function countHeld(out: string, runs: number, workers: number) {
  let handedOver = 0;
  let maxHeld = 0;
  let progressReports = 0;
  let spilled = 0;
  const result = await latticeSimulate({
    model: bundledLatticeModel('lotka-volterra.lattice'),
    out,
    runs,
    seed: 3,
    workers,
    steps: 12,
    adjust: (file) => ({ ...file, lattice: { ...file.lattice, shape: [12, 12] }, initial: { type: 'counts', counts: { X: 9, Y: 9 } } }),
    ensemble: (config, options) => {
      expect(options.onTrajectory).toBeTypeOf('function');
      return simulateLatticeEnsembleParallel(config, {
        ...options,
        batchSize: 2,
        onTrajectory: (run, bytes) => {
          handedOver++;
          options.onTrajectory?.(run, bytes);
        },
        onProgress: (done, total) => {
          progressReports++;
          const written = readdirSync(join(stageOf(out), 'trajectories')).filter((name) => name.endsWith('.srnl')).length;
          // The runs' observables and counts wait in the stage's scratch file, not in memory.
          if (existsSync(join(stageOf(out), '.replicates'))) spilled++;
          expect(handedOver).toBe(done);
          maxHeld = Math.max(maxHeld, handedOver - written);
          options.onProgress?.(done, total);
        },
      });
    },
  });
  expect(spilled).toBe(progressReports);
  expect(readdirSync(out).sort()).toEqual(['moments.csv', 'summary.json', 'trajectories']);
  return { result, maxHeld, progressReports, handedOver };
}

describe('latticeSimulate streams the trajectories to disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-lattice-stream-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([1, 2])('holds no trajectory between batches, for 4 and 24 runs alike (%i workers)', async (workers) => {
    for (const runs of [4, 24]) {
      const out = join(dir, `w${workers}-r${runs}`);
      const { result, maxHeld, progressReports, handedOver } = await countHeld(out, runs, workers);
      expect(progressReports).toBe(runs / 2);
      expect(handedOver).toBe(runs);
      expect(maxHeld).toBe(0);
      expect(result.replicates.every((r) => r.occupancy === undefined)).toBe(true);
      expect(readdirSync(join(out, 'trajectories'))).toHaveLength(runs);
    }
  });

  it('writes the encodeLattice bytes of each run of the serial ensemble, and names them in summary.json', async () => {
    const out = join(dir, 'bytes');
    await countHeld(out, 6, 2);
    const config = lotkaVolterraLattice({ size: 12, steps: 12, selection: 'row-biased' });
    const serial = simulateLatticeEnsemble(config, { runs: 6, seed: 3, keepTrajectories: true });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    for (const r of serial.replicates) {
      const expected = encodeLattice({ shape: [12, 12], species: ['X', 'Y'], times: serial.summary.times, occupancy: r.occupancy! });
      const file = `trajectories/run-000${r.run}.srnl`;
      expect(summary.replicates[r.run].trajectory).toBe(file);
      expect(Buffer.compare(readFileSync(join(out, file)), expected)).toBe(0);
    }
  });

  it('the writer refuses a bad mode or run count', () => {
    expect(() => latticeTrajectoryWriter(join(dir, 't'), 'csv' as 'text', 4)).toThrow(/mode must be 'binary' or 'text'; got csv/);
    expect(() => latticeTrajectoryWriter(join(dir, 't'), 'binary', 0)).toThrow(/runs must be a positive integer; got 0/);
  });
});
