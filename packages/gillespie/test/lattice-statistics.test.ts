import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import {
  LatticeObserver,
  LatticeState,
  createLatticeGeometry,
  decodeLattice,
  encodeLattice,
  latticeSummaryToCsv,
  lotkaVolterraLattice,
  nearestNeighbourCounts,
  nextNearestNeighbourCounts,
  pairCorrelation,
  paperNextNearestDisplacements,
  simulateLattice,
  simulateLatticeEnsemble,
  snapshotFromJson,
  snapshotToJson,
  speciesCounts,
  type LatticeSnapshot,
} from '../src/lattice.ts';
import {
  formatSnapshotText,
  parseSnapshotText,
  readLatticeFile,
  readSnapshotText,
  writeLatticeFile,
  writeSnapshotText,
} from '../src/lattice-node.ts';

/** A 4 × 4 snapshot from (row, col, species) triples. */
function build(cells: [number, number, 'X' | 'Y'][], shape = [4, 4]): LatticeSnapshot {
  const occupancy = new Uint8Array(shape[0] * shape[1]);
  for (const [i, j, s] of cells) occupancy[i * shape[1] + j] = s === 'X' ? 1 : 2;
  return { shape, species: ['X', 'Y'], occupancy };
}

describe('NN and NNN counters', () => {
  it('count horizontal and vertical pairs once, mixed pairs in both orders', () => {
    const snap = build([
      [1, 1, 'X'],
      [1, 2, 'X'],
      [2, 1, 'Y'],
    ]);
    expect(nearestNeighbourCounts(snap)).toEqual({ NN_XX: 1, NN_XY: 1, NN_YY: 0 });
    expect(speciesCounts(snap)).toEqual({ X: 2, Y: 1 });
    // (1,2) X and (2,1) Y are at displacement (1,-1): the paper's NNN leaves that orientation out
    expect(nextNearestNeighbourCounts(snap)).toEqual({ NNN_XX: 0, NNN_XY: 0, NNN_YY: 0 });
    // (1,1) X and (2,2) Y at (1,1) are counted; 5 × 5 so that (2,0) and (-2,0) differ
    const diag = build(
      [
        [1, 1, 'X'],
        [2, 2, 'Y'],
        [3, 1, 'X'],
      ],
      [5, 5],
    );
    expect(nextNearestNeighbourCounts(diag)).toEqual({ NNN_XX: 1, NNN_XY: 1, NNN_YY: 0 });
    expect(paperNextNearestDisplacements(2)).toEqual([
      [0, 2],
      [1, 1],
      [2, 0],
    ]);
  });

  it('wrap periodically (and not when asked)', () => {
    const snap = build([
      [0, 0, 'Y'],
      [0, 3, 'Y'],
      [3, 0, 'X'],
      [2, 3, 'X'],
    ]);
    // (0,3)-(0,0) wraps horizontally; (3,0)-(0,0) wraps vertically; (2,3)+(1,1) = (3,0) wraps in both
    expect(nearestNeighbourCounts(snap)).toEqual({ NN_XX: 0, NN_XY: 1, NN_YY: 1 });
    expect(nearestNeighbourCounts(snap, false)).toEqual({ NN_XX: 0, NN_XY: 0, NN_YY: 0 });
    expect(nextNearestNeighbourCounts(snap).NNN_XX).toBe(1);
    // a full 4 × 4 ring of X: 2N NN pairs and 3N NNN pairs
    const full = { shape: [4, 4], species: ['X'], occupancy: new Uint8Array(16).fill(1) };
    expect(nearestNeighbourCounts(full).NN_XX).toBe(32);
    expect(nextNearestNeighbourCounts(full).NNN_XX).toBe(48);
  });

  it('pair correlation and the observer agree with the counters', () => {
    const run = simulateLattice(lotkaVolterraLattice({ steps: 20 }), createRng(3));
    const traj = run.trajectory!;
    const obs = new LatticeObserver([40, 40], ['X', 'Y']);
    const row = new Float64Array(obs.names.length);
    const snap = { shape: traj.shape, species: traj.species, occupancy: traj.occupancy.subarray(19 * 1600, 20 * 1600) };
    obs.measureOccupancy(snap.occupancy, row, 0);
    const expected = { ...speciesCounts(snap), ...nearestNeighbourCounts(snap), ...nextNearestNeighbourCounts(snap) };
    expect(Object.fromEntries(obs.names.map((n, i) => [n, row[i]]))).toEqual(expected);
    const state = LatticeState.fromSnapshot(snap);
    const row2 = new Float64Array(obs.names.length);
    obs.measureState(state, row2, 0);
    expect(row2).toEqual(row);
    const right = pairCorrelation(snap, 'X', 'Y', [0, 1]);
    const left = pairCorrelation(snap, 'Y', 'X', [0, 1]);
    const down = pairCorrelation(snap, 'X', 'Y', [1, 0]);
    const up = pairCorrelation(snap, 'Y', 'X', [1, 0]);
    expect(right.count + left.count + down.count + up.count).toBe(expected.NN_XY);
    expect(right.pairs).toBe(1600);
    expect(pairCorrelation(snap, 'X', 'X', [0, 1], false).pairs).toBe(1560);
    expect(() => pairCorrelation(snap, 'X', 'Q', [0, 1])).toThrow(/b must be a species/);
    expect(() => pairCorrelation(snap, 'X', 'Y', [0, 1, 2])).toThrow(/displacements must hold 2 integers/);
  });
});

describe('snapshot I/O', () => {
  const snap = build([
    [0, 0, 'X'],
    [1, 3, 'Y'],
    [3, 2, 'X'],
  ]);

  it('text format: 1-based "i j SPECIES", round trip, errors name the line', () => {
    const text = formatSnapshotText(snap);
    expect(text).toBe('1 1 X\n2 4 Y\n4 3 X\n');
    expect(parseSnapshotText(text, [4, 4], ['X', 'Y'])).toEqual(snap);
    expect(() => parseSnapshotText('1 5 X\n', [4, 4])).toThrow(/line 1: coordinate 5 outside 1..4/);
    expect(() => parseSnapshotText('1 1 X\n1 1 Y\n', [4, 4])).toThrow(/line 2: site \(1, 1\) is occupied twice/);
    expect(() => parseSnapshotText('1 1 Z\n', [4, 4], ['X'])).toThrow(/unknown species "Z"/);
  });

  it('binary and JSON forms round trip; files are written atomically', async () => {
    const run = simulateLattice(lotkaVolterraLattice({ steps: 7, size: 9 }), createRng(5));
    const traj = run.trajectory!;
    const bytes = encodeLattice(traj);
    expect(bytes.length).toBeLessThan(7 * 81); // 2 bits per site plus header
    expect(decodeLattice(bytes)).toEqual(traj);
    expect(decodeLattice(encodeLattice(snap)).occupancy).toEqual(snap.occupancy);
    expect(snapshotFromJson(JSON.parse(JSON.stringify(snapshotToJson(snap))))).toEqual(snap);
    expect(() => decodeLattice(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))).toThrow(/bad magic/);
    const dir = mkdtempSync(join(tmpdir(), 'srn-lattice-'));
    try {
      await writeSnapshotText(join(dir, 'lattice', '0000.txt'), snap);
      expect(await readSnapshotText(join(dir, 'lattice', '0000.txt'), [4, 4], ['X', 'Y'])).toEqual(snap);
      await writeLatticeFile(join(dir, 'run.srnl'), traj);
      expect(await readLatticeFile(join(dir, 'run.srnl'))).toEqual(traj);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ensemble statistics', () => {
  it('CSV header and extinct-run policy', () => {
    const config = lotkaVolterraLattice({ steps: 60, size: 12, predatorDeath: 0.3 });
    const all = simulateLatticeEnsemble(config, { runs: 12, seed: 8 });
    const survivors = simulateLatticeEnsemble(config, { runs: 12, seed: 8, excludeExtinct: true });
    const csv = latticeSummaryToCsv(all.summary);
    const header = readFileSync(new URL('../../../../shared/reference/lv-paper-original-seeds1001-1100.csv', import.meta.url), 'utf8')
      .split('\n')[0];
    expect(csv.split('\n')[0]).toBe(header);
    expect(csv.trim().split('\n')).toHaveLength(61);
    expect(all.summary.extinctRuns.length).toBeGreaterThan(0); // predators die fast at kr2 = 0.3
    expect(all.summary.extinctRuns).toEqual(survivors.summary.extinctRuns);
    expect(survivors.summary.runsUsed).toBe(12 - all.summary.extinctRuns.length);
    expect(all.summary.extinctFraction[1][59]).toBeCloseTo(all.summary.extinctRuns.length / 12, 12);
    expect(() => createLatticeGeometry([3, 3]) && simulateLatticeEnsemble(config, { runs: 0, seed: 1 })).toThrow(/options.runs/);
  });
});
