import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import {
  compileObservables,
  createLatticeGeometry,
  defaultObservables,
  LatticeObserver,
  type LatticeObservable,
  LatticeSimulator,
  LatticeState,
  measureObservables,
  measureObservablesState,
  observableNames,
  siteIndex,
} from '../src/lattice.ts';

function measure(shape: number[], boundary: 'periodic' | 'closed', species: string[], obs: LatticeObservable[], occ: Uint8Array): number[] {
  const compiled = compileObservables(createLatticeGeometry(shape, boundary), species, obs);
  const row = new Float64Array(obs.length);
  measureObservables(compiled, occ, row);
  return Array.from(row);
}

/** Builds an occupancy from rows of characters: '.' empty, 'A' code 1, 'B' code 2 (row-major, axis 0 = rows). */
function grid(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '.' ? 0 : c.charCodeAt(0) - 64));
}

describe('observables as data', () => {
  it('names the defaults like the reference CSV and unnamed observables by kind', () => {
    expect(observableNames(defaultObservables(['X', 'Y'], 2))).toEqual(['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']);
    expect(
      observableNames([
        { type: 'count', species: 'A' },
        { type: 'pair', species: ['A', 'B'], displacements: [[0, 3], [1, -1]] },
        { type: 'run', species: 'A', length: 3 },
        { type: 'run', species: 'A', length: 4, axis: 1 },
        { type: 'pair', species: ['A', 'A'], displacements: 'nn', name: 'bonds' },
      ]),
    ).toEqual(['n_A', 'pair[0 3][1 -1]_AB', 'run3_A', 'run4_A_axis1', 'bonds']);
  });

  it('counts 1-D pairs and runs on a closed chain without wrapping, and with wrapping on a ring', () => {
    // A A A . A A on a closed chain: NN_AA bonds (0,1), (1,2), (4,5) → 3; distance-2 pairs (0,2), (2,4) → 2;
    // runs of 3: [0..2] → 1; runs of 2: (0,1), (1,2), (4,5) → 3.
    const occ = grid(['AAA.AA']);
    const obs: LatticeObservable[] = [
      { type: 'count', species: 'A' },
      { type: 'pair', species: ['A', 'A'], displacements: 'nn' },
      { type: 'pair', species: ['A', 'A'], displacements: 'nnn' },
      { type: 'run', species: 'A', length: 3 },
      { type: 'run', species: 'A', length: 2 },
    ];
    expect(measure([6], 'closed', ['A'], obs, occ)).toEqual([5, 3, 2, 1, 3]);
    // On the ring site 5 touches site 0: one more NN bond (5,0); NNN adds (4,0) and (5,1); runs of 3 add
    // [4,5,0] and [5,0,1]; runs of 2 add (5,0).
    expect(measure([6], 'periodic', ['A'], obs, occ)).toEqual([5, 4, 4, 3, 4]);
  });

  it('counts mixed-species pairs in both orders at explicit displacements, boundary-aware in 2-D', () => {
    const rows = ['AB..', '.A.B', 'B..A'];
    const occ = grid(rows);
    const obs: LatticeObservable[] = [
      { type: 'pair', species: ['A', 'B'], displacements: 'nn' },
      { type: 'pair', species: ['B', 'A'], displacements: [[0, 1]] },
      { type: 'pair', species: ['A', 'A'], displacements: [[1, 1]] },
      { type: 'run', species: 'A', length: 2, axis: 0 },
    ];
    // Reference by brute force over coordinates with explicit wrap / no wrap.
    const brute = (periodic: boolean): number[] => {
      const shape = [3, 4];
      const at = (i: number, j: number): number => {
        const s = siteIndex(shape, [i, j], periodic);
        return s < 0 ? 0 : occ[s];
      };
      let nnAB = 0;
      let hAB = 0;
      let diagAA = 0;
      let run = 0;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 4; j++) {
          const a = occ[i * 4 + j];
          for (const [di, dj] of [[0, 1], [1, 0]]) {
            const b = at(i + di, j + dj);
            if ((a === 1 && b === 2) || (a === 2 && b === 1)) nnAB++;
          }
          const r = at(i, j + 1);
          if ((a === 1 && r === 2) || (a === 2 && r === 1)) hAB++;
          if (a === 1 && at(i + 1, j + 1) === 1) diagAA++;
          if (a === 1 && at(i + 1, j) === 1) run++;
        }
      }
      return [nnAB, hAB, diagAA, run];
    };
    const closed = measure([3, 4], 'closed', ['A', 'B'], obs, occ);
    const periodic = measure([3, 4], 'periodic', ['A', 'B'], obs, occ);
    expect(closed).toEqual(brute(false));
    expect(periodic).toEqual(brute(true));
    // Hand count of the closed lattice: NN A-B bonds (0,0)-(0,1), (0,1)-(1,1), (1,3)-(2,3) → 3; horizontal A-B
    // (0,0)-(0,1) → 1; diagonal A-A (0,0)-(1,1) → 1; vertical A-A runs of 2: none.
    expect(closed).toEqual([3, 1, 1, 0]);
    // Periodic: two more NN A-B bonds across the edges, (2,0)B-(0,0)A vertically and (2,3)A-(2,0)B horizontally.
    expect(periodic[0]).toBe(5);
  });

  it('LatticeObserver on a closed lattice no longer wraps; on a periodic one it matches the defaults', () => {
    const occ = grid(['A..A']);
    const row = new Float64Array(3);
    new LatticeObserver([4], ['A'], false).measureOccupancy(occ, row, 0);
    expect(Array.from(row)).toEqual([2, 0, 0]);
    new LatticeObserver([4], ['A'], true).measureOccupancy(occ, row, 0);
    expect(Array.from(row)).toEqual([2, 1, 0]);
  });

  it('gives the same values from the sparse pass over a live state as from the dense pass over its occupancy', () => {
    for (const [shape, boundary] of [
      [[37], 'closed'],
      [[9, 7], 'periodic'],
      [[4, 5, 6], 'closed'],
    ] as [number[], 'periodic' | 'closed'][]) {
      const g = createLatticeGeometry(shape, boundary);
      const species = ['A', 'B'];
      const obs: LatticeObservable[] = [
        ...defaultObservables(species, shape.length),
        { type: 'run', species: 'A', length: 2 },
        { type: 'run', species: 'B', length: 3, axis: shape.length - 1 },
        { type: 'pair', species: ['B', 'A'], displacements: [shape.map((_, k) => (k === 0 ? 2 : -1))] },
      ];
      const compiled = compileObservables(g, species, obs);
      const state = new LatticeState(g, species);
      const rng = createRng(9);
      for (let i = 0; i < g.size; i++) {
        const u = rng.nextFloat64();
        if (u < 0.4) state.place(i, 'A');
        else if (u < 0.7) state.place(i, 'B');
      }
      const dense = new Float64Array(obs.length);
      const sparse = new Float64Array(obs.length + 2);
      measureObservables(compiled, state.occupancy, dense);
      measureObservablesState(compiled, state, sparse, 2);
      expect(Array.from(sparse.subarray(2))).toEqual(Array.from(dense));
    }
  });

  it('gives the dense pass values from the row index of a row-biased simulator (stale lists), 1 to 5 species', () => {
    // The row-index pass tallies neighbour codes in packed lanes for up to three species (lanes of 30, 15 and 10
    // bits, unpacked every ⌊(2^w − 1) / T⌋ sites) and branches per neighbour above that. The 150 × 150 lattice holds
    // more than 10,922 sites of one species with two species (so the 15-bit lanes are unpacked mid-pass), the 30 × 30
    // one more than 341 with three (10-bit lanes, T = 3 for NNN); closed boundaries exercise the −1 table entries.
    const cases: [number[], 'periodic' | 'closed', number][] = [
      [[37], 'closed', 1],
      [[150, 150], 'periodic', 2],
      [[30, 30], 'closed', 3],
      [[9, 7], 'periodic', 4],
      [[4, 5, 6], 'closed', 5],
    ];
    for (const [shape, boundary, S] of cases) {
      const species = ['A', 'B', 'C', 'D', 'E'].slice(0, S);
      const g = createLatticeGeometry(shape, boundary);
      const rng = createRng(11);
      const occupancy = new Uint8Array(g.size);
      for (let i = 0; i < g.size; i++) {
        const u = rng.nextFloat64();
        // dense: mostly species 1, so one species has many sites
        occupancy[i] = u < 0.15 ? 0 : u < 0.7 ? 1 : 1 + Math.floor(rng.nextFloat64() * S);
      }
      const config = {
        model: { species, diffusion: Object.fromEntries(species.map((k) => [k, 1])), reactions: [] },
        shape,
        boundary,
        initial: {},
        scheme: 'paper' as const,
        selection: 'row-biased' as const,
        dt: 1,
        steps: 3,
      };
      const obs: LatticeObservable[] = [
        ...defaultObservables(species, shape.length),
        { type: 'run', species: 'A', length: 2 },
        { type: 'pair', species: [species[S - 1], 'A'], displacements: [shape.map((_, k) => (k === 0 ? 2 : -1))] },
      ];
      const compiled = compileObservables(g, species, obs);
      const sim = new LatticeSimulator(config, createRng(3), occupancy);
      for (const t of [0, 2]) {
        if (t > 0) sim.advanceTo(t);
        expect(sim.state.listsStale && sim.state.rowIndex !== null).toBe(true);
        const dense = new Float64Array(obs.length);
        const fromIndex = new Float64Array(obs.length);
        measureObservables(compiled, sim.state.occupancy, dense);
        measureObservablesState(compiled, sim.state, fromIndex);
        expect(Array.from(fromIndex), `${shape} ${boundary} S = ${S} t = ${t}`).toEqual(Array.from(dense));
        sim.state.checkInvariants(); // rebuilds the lists: the list pass must agree as well
        const fromLists = new Float64Array(obs.length);
        measureObservablesState(compiled, sim.state, fromLists);
        expect(Array.from(fromLists)).toEqual(Array.from(dense));
      }
    }
  });

  it('refuses bad observables with errors naming the index and value', () => {
    const g = createLatticeGeometry([5, 5]);
    expect(() => compileObservables(g, ['A'], [{ type: 'count', species: 'Z' }])).toThrow(/observables\[0\]\.species.*"Z"/);
    expect(() => compileObservables(g, ['A'], [{ type: 'run', species: 'A', length: 6 }])).toThrow(/observables\[0\]\.length.*\[1, 5\].*6/);
    expect(() => compileObservables(g, ['A'], [{ type: 'run', species: 'A', length: 2, axis: 2 }])).toThrow(/observables\[0\]\.axis/);
    expect(() => compileObservables(g, ['A'], [{ type: 'pair', species: ['A', 'A'], displacements: [[0, 0]] }])).toThrow(
      /observables\[0\]\.displacements.*\[0,0\]/,
    );
    expect(() => compileObservables(g, ['A'], [{ type: 'pair', species: ['A', 'A'], displacements: [[1]] }])).toThrow(/2 integers/);
    expect(() =>
      compileObservables(g, ['A'], [
        { type: 'count', species: 'A' },
        { type: 'count', species: 'A' },
      ]),
    ).toThrow(/observables\[1\] repeats the column name "n_A"/);
    expect(() => compileObservables(g, ['A'], [{ type: 'count', species: 'A', name: 'a,b' }])).toThrow(/observables\[0\]\.name/);
    expect(() => compileObservables(g, ['A'], [{ type: 'moment' } as unknown as LatticeObservable])).toThrow(/observables\[0\]\.type/);
    const compiled = compileObservables(g, ['A'], [{ type: 'count', species: 'A' }]);
    expect(() => measureObservables(compiled, new Uint8Array(24), new Float64Array(1))).toThrow(/occupancy.*25/);
    expect(() => measureObservables(compiled, new Uint8Array(25), new Float64Array(1), 1)).toThrow(/out/);
  });
});
