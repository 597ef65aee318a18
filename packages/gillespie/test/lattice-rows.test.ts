import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import { compileLatticeModel, createLatticeGeometry, LatticeSimulator, LatticeState, lotkaVolterraLattice } from '../src/lattice.ts';
import { createPaperContext, rowBiasedOrder } from '../src/lattice/kernels/paper.ts';
import { createRowIndex, rebuildRowIndex, type RowIndex, rowIndexMove, rowIndexPick } from '../src/lattice/kernels/rows.ts';

const ROWS = 8;
const ROW_LENGTH = 6;
const SIZE = ROWS * ROW_LENGTH;

/**
 * The original's pick rule written out (spec 2.3): P(site) = 1 / (rows holding class k) · 1 / (class-k sites in the
 * site's row) for every site of class k, 0 elsewhere.
 */
function exactPickProbabilities(occupancy: Uint8Array, k: number, rowLength: number): Float64Array {
  const rows = occupancy.length / rowLength;
  const perRow = new Int32Array(rows);
  for (let i = 0; i < occupancy.length; i++) if (occupancy[i] === k) perRow[Math.floor(i / rowLength)]++;
  const rowsWith = perRow.filter((n) => n > 0).length;
  const p = new Float64Array(occupancy.length);
  for (let i = 0; i < occupancy.length; i++) if (occupancy[i] === k) p[i] = 1 / rowsWith / perRow[Math.floor(i / rowLength)];
  return p;
}

/** Pearson's chi-square of observed counts against probabilities p (cells with p = 0 must stay empty). */
function chiSquare(observed: Float64Array, p: Float64Array, draws: number): { chi2: number; df: number; impossible: number } {
  let chi2 = 0;
  let df = -1;
  let impossible = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      impossible += observed[i];
      continue;
    }
    const e = draws * p[i];
    chi2 += (observed[i] - e) ** 2 / e;
    df++;
  }
  return { chi2, df, impossible };
}

/**
 * Upper 1 − 1e-4 quantile of chi-square(df) by the Wilson–Hilferty cube approximation (z = 3.719): a correct
 * sampler fails one test in 10,000.
 */
function chiSquareBound(df: number): number {
  const a = 2 / (9 * df);
  return df * (1 - a + 3.719 * Math.sqrt(a)) ** 3;
}

/** An occupancy with very unequal class-1 counts per row (row r holds r mod 7 of them), the rest X = 2 or empty. */
function unevenOccupancy(seed: number): Uint8Array {
  const rng = createRng(seed);
  const occupancy = new Uint8Array(SIZE);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < ROW_LENGTH; c++) {
      const site = r * ROW_LENGTH + c;
      if (c < r % 7) occupancy[site] = 1;
      else occupancy[site] = rng.nextFloat64() < 0.4 ? 2 : 0;
    }
  }
  return occupancy;
}

/** Checks every list, position, count and non-empty-row entry of the index against the occupancy. */
function expectConsistent(ix: RowIndex, occupancy: Uint8Array): void {
  for (let k = 0; k < ix.classes; k++) {
    const rowsWith = new Set<number>();
    for (let r = 0; r < ix.rows; r++) {
      const expected: number[] = [];
      for (let i = r * ix.rowLength; i < (r + 1) * ix.rowLength; i++) if (occupancy[i] === k) expected.push(i);
      const n = ix.rowCount[k * ix.rows + r];
      expect(n).toBe(expected.length);
      if (k > 0) {
        // free sites have counts only; species have lists
        const start = (k - 1) * ix.size + r * ix.rowLength;
        const listed = Array.from(ix.lists.subarray(start, start + n));
        expect(listed.slice().sort((a, b) => a - b)).toEqual(expected);
        expect(listed.filter((site, p) => ix.position[site] !== p)).toEqual([]);
      }
      if (n > 0) {
        rowsWith.add(r);
        expect(ix.nonEmpty[k * ix.rows + ix.nonEmptyPosition[k * ix.rows + r]]).toBe(r);
      } else expect(ix.nonEmptyPosition[k * ix.rows + r]).toBe(-1);
    }
    expect(ix.nonEmptyCount[k]).toBe(rowsWith.size);
  }
}

describe("row index for the original's row-biased picks", () => {
  it('stays consistent with the occupancy through moves between classes and rows', () => {
    const occupancy = unevenOccupancy(11);
    const ix = createRowIndex(occupancy, ROW_LENGTH, 3);
    rebuildRowIndex(ix);
    expectConsistent(ix, occupancy);
    const rng = createRng(12);
    for (let step = 0; step < 2000; step++) {
      const site = Math.floor(rng.nextFloat64() * SIZE);
      const to = Math.floor(rng.nextFloat64() * 3);
      const from = occupancy[site];
      if (from === to) continue;
      rowIndexMove(ix, site, Math.floor(site / ROW_LENGTH), from, to);
      occupancy[site] = to;
      if (step % 97 === 0) expectConsistent(ix, occupancy);
    }
    expectConsistent(ix, occupancy);
  });

  it('picks a row uniformly among rows with a match, then a match uniformly within it (chi-square)', () => {
    const occupancy = unevenOccupancy(21);
    const ix = createRowIndex(occupancy, ROW_LENGTH, 3);
    rebuildRowIndex(ix);
    // Scramble the lists' internal order by moving particles around first (the picks must not depend on it).
    const rng = createRng(22);
    for (let step = 0; step < 500; step++) {
      const site = Math.floor(rng.nextFloat64() * SIZE);
      const to = occupancy[site] === 1 ? 0 : occupancy[site] === 0 ? 1 : 2;
      if (to === occupancy[site]) continue;
      rowIndexMove(ix, site, Math.floor(site / ROW_LENGTH), occupancy[site], to);
      occupancy[site] = to;
    }
    // Free-site picks take two routes (rejection in rows at least half free, counting along fuller rows): the
    // occupancy must exercise both.
    const freeRows = Array.from({ length: ROWS }, (_, r) => ix.rowCount[r]).filter((n) => n > 0);
    expect(freeRows.some((n) => 2 * n >= ROW_LENGTH) && freeRows.some((n) => 2 * n < ROW_LENGTH)).toBe(true);
    const draws = 200_000;
    for (const k of [0, 1, 2]) {
      const p = exactPickProbabilities(occupancy, k, ROW_LENGTH);
      const observed = new Float64Array(SIZE);
      for (let i = 0; i < draws; i++) observed[rowIndexPick(ix, k, rng)]++;
      const { chi2, df, impossible } = chiSquare(observed, p, draws);
      expect(impossible, `class ${k}: picks of sites of another class`).toBe(0);
      expect(chi2, `class ${k}: chi2 ${chi2.toFixed(1)} on ${df} df`).toBeLessThan(chiSquareBound(df));
      // Power: the same counts are far from a uniform pick among the class's sites, so the test above can fail.
      if (k === 1) {
        const n = p.filter((x) => x > 0).length;
        const uniform = p.map((x) => (x > 0 ? 1 / n : 0));
        expect(chiSquare(observed, uniform, draws).chi2).toBeGreaterThan(100 * chiSquareBound(df));
      }
    }
    const empty = createRowIndex(new Uint8Array(SIZE), ROW_LENGTH, 3);
    rebuildRowIndex(empty);
    expect(rowIndexPick(empty, 1, rng)).toBe(-1);
  });

  it("the sweep order is a permutation of the mobile molecules whose first draw follows the original's rule", () => {
    const model = compileLatticeModel({ species: ['A', 'B'], diffusion: { A: 1, B: 1 }, reactions: [] });
    const geometry = createLatticeGeometry([ROWS, ROW_LENGTH]);
    const occupancy = unevenOccupancy(31);
    const state = new LatticeState(geometry, ['A', 'B']);
    state.load(occupancy);
    const c = createPaperContext(state, geometry.neighbors, geometry.degree, model, ROW_LENGTH, true);
    const rng = createRng(32);
    const molecules = Array.from(occupancy.keys()).filter((i) => occupancy[i] !== 0);
    // P(first = site) = 1 / (rows holding molecules) / (molecules in its row): treat "occupied" as one class.
    const p = exactPickProbabilities(Uint8Array.from(occupancy, (x) => (x !== 0 ? 1 : 0)), 1, ROW_LENGTH);
    const draws = 40_000;
    const observed = new Float64Array(SIZE);
    for (let i = 0; i < draws; i++) {
      const count = rowBiasedOrder(c, rng);
      expect(count).toBe(molecules.length);
      observed[c.order[0]]++;
      if (i < 20) expect(Array.from(c.order.subarray(0, count)).sort((a, b) => a - b)).toEqual(molecules);
    }
    const { chi2, df, impossible } = chiSquare(observed, p, draws);
    expect(impossible).toBe(0);
    expect(chi2, `chi2 ${chi2.toFixed(1)} on ${df} df`).toBeLessThan(chiSquareBound(df));
  });

  it('row-biased runs keep the row index in step with the lattice (small lattices: incremental, large: rebuilt)', () => {
    for (const size of [12, 300]) {
      const config = lotkaVolterraLattice({ size, steps: 6, selection: 'row-biased' });
      const sim = new LatticeSimulator(config, createRng(41));
      expect(sim.state.count('X')).toBe(Math.round((size * size) / 16));
      expect(sim.state.count('Y')).toBe(Math.round((size * size) / 16));
      sim.advanceTo(5);
      const occupancy = sim.state.occupancy;
      const ix = createRowIndex(occupancy.slice(), size, 3);
      rebuildRowIndex(ix);
      // The simulator's own index must describe the same sets as a fresh rebuild.
      const own = (sim as unknown as { paper: { rowIndex: RowIndex } }).paper.rowIndex;
      expectConsistent(own, occupancy);
      for (let k = 0; k < 3; k++) expect(own.nonEmptyCount[k]).toBe(ix.nonEmptyCount[k]);
    }
  });
});
