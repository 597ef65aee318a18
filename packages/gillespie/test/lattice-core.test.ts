import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import {
  LatticeSimulator,
  LatticeState,
  compileLatticeModel,
  createLatticeGeometry,
  lotkaVolterraLattice,
  prepareLatticeConfig,
  simulateLattice,
  siteCoords,
  siteIndex,
  type LatticeConfig,
} from '../src/lattice.ts';

describe('lattice geometry', () => {
  it('builds periodic and closed neighbour tables in 1-D, 2-D and 3-D', () => {
    const ring = createLatticeGeometry([5]);
    expect(ring.degree).toBe(2);
    expect([ring.neighbors[0], ring.neighbors[1]]).toEqual([4, 1]);
    const line = createLatticeGeometry([5], 'closed');
    expect([line.neighbors[0], line.neighbors[1]]).toEqual([-1, 1]);
    expect([line.neighbors[8], line.neighbors[9]]).toEqual([3, -1]);
    const g = createLatticeGeometry([3, 4]);
    // site (0, 0): up wraps to (2, 0) = 8, down (1, 0) = 4, left wraps to (0, 3) = 3, right (0, 1) = 1
    expect(Array.from(g.neighbors.subarray(0, 4))).toEqual([8, 4, 3, 1]);
    const box = createLatticeGeometry([2, 3, 4], 'closed');
    expect(box.degree).toBe(6);
    expect(box.size).toBe(24);
    // every neighbour relation is symmetric
    for (const geo of [g, box, createLatticeGeometry([3, 3, 3])]) {
      for (let s = 0; s < geo.size; s++) {
        for (let d = 0; d < geo.degree; d++) {
          const t = geo.neighbors[s * geo.degree + d];
          if (t >= 0) expect(geo.neighbors[t * geo.degree + (d ^ 1)]).toBe(s);
        }
      }
    }
    expect(siteIndex([40, 40], [1, 2])).toBe(42);
    expect(siteIndex([40, 40], [-1, 0], true)).toBe(1560);
    expect(siteCoords([40, 40], 42)).toEqual([1, 2]);
  });

  it('rejects bad shapes and boundaries', () => {
    expect(() => createLatticeGeometry([])).toThrow(/shape must have 1 to 3 axes/);
    expect(() => createLatticeGeometry([2, 2, 2, 2])).toThrow(RangeError);
    expect(() => createLatticeGeometry([0, 3])).toThrow(/positive integers/);
    expect(() => createLatticeGeometry([2.5])).toThrow(RangeError);
    expect(() => createLatticeGeometry([4], 'open' as 'closed')).toThrow(/boundary/);
  });
});

describe('lattice state', () => {
  it('keeps lists, positions and counts consistent and enforces single occupancy', () => {
    const state = new LatticeState(createLatticeGeometry([4, 4]), ['X', 'Y']);
    state.place(5, 'X');
    state.place(6, 'Y');
    expect(() => state.place(5, 'Y')).toThrow(/already occupied/);
    state.move(5, 7);
    state.convert(6, 'X');
    expect(state.count('X')).toBe(2);
    expect(state.count('Y')).toBe(0);
    expect(state.count(0)).toBe(14);
    expect(state.speciesAt(7)).toBe('X');
    expect(Array.from(state.sitesOf('X')).sort()).toEqual([6, 7]);
    state.remove(6);
    state.checkInvariants();
    expect(state.randomSite('Y', createRng(1))).toBe(-1);
    expect(state.randomSite('X', createRng(1))).toBe(7);
    expect(() => state.place(16, 'X')).toThrow(/site must be an integer in \[0, 16\)/);
    expect(() => state.place(0, 'Z')).toThrow(/unknown species "Z"/);
    expect(() => new LatticeState(createLatticeGeometry([2]), ['X', 'X'])).toThrow(/duplicate/);
  });
});

function diffusionOnly(shape: number[], boundary: 'periodic' | 'closed', scheme: 'paper' | 'exact'): LatticeConfig {
  return {
    model: { species: ['A', 'B', 'C'], diffusion: { A: 1, B: 2, C: 0.5 }, reactions: [] },
    shape,
    boundary,
    initial: { A: 7, B: 5, C: 3 },
    scheme,
    dt: 1,
    steps: 20,
  };
}

describe('diffusion only', () => {
  for (const scheme of ['paper', 'exact'] as const) {
    for (const [shape, boundary] of [
      [[20], 'closed'],
      [[5, 4], 'periodic'],
      [[3, 3, 3], 'closed'],
      [[4, 3, 2], 'periodic'],
    ] as const) {
      it(`${scheme}, ${shape.join('x')} ${boundary}: exclusive occupancy, conservation, particles move`, () => {
        const sim = new LatticeSimulator(diffusionOnly([...shape], boundary, scheme), createRng(11, 3));
        const start = sim.state.occupancy.slice();
        for (let t = 1; t <= 30; t++) {
          sim.advanceTo(t);
          sim.state.checkInvariants(); // every site in exactly one list: single occupancy
          expect([sim.state.count('A'), sim.state.count('B'), sim.state.count('C')]).toEqual([7, 5, 3]);
        }
        expect(sim.events.hops).toBeGreaterThan(0);
        expect(sim.events.contactReactions + sim.events.unimolecular).toBe(0);
        expect(Array.from(sim.state.occupancy)).not.toEqual(Array.from(start));
      });
    }
  }

  it('a full lattice cannot move; the runs are reproducible from the seed', () => {
    const full: LatticeConfig = { ...diffusionOnly([3, 5], 'periodic', 'exact'), initial: { A: 7, B: 5, C: 3 } };
    const sim = new LatticeSimulator(full, createRng(2));
    sim.advanceTo(10);
    expect(sim.events.hops).toBe(0);
    const a = simulateLattice(lotkaVolterraLattice({ steps: 30 }), createRng(9, 4));
    const b = simulateLattice(lotkaVolterraLattice({ steps: 30 }), createRng(9, 4));
    expect(a.trajectory!.occupancy).toEqual(b.trajectory!.occupancy);
    expect(a.trajectory!.occupancy.length).toBe(30 * 1600);
  });
});

describe('validation', () => {
  const base = lotkaVolterraLattice({ steps: 5 });
  it('names the bad argument and value', () => {
    expect(() => compileLatticeModel({ species: ['A'], reactions: [{ type: 'decay', reactant: 'B', rate: 1 }] })).toThrow(
      /model.reactions\[0\].reactant must name a species \(A\); got "B"/,
    );
    expect(() => compileLatticeModel({ species: ['A'], reactions: [{ type: 'decay', reactant: 'A', rate: -1 }] })).toThrow(
      /model.reactions\[0\].rate must be a finite non-negative number; got -1/,
    );
    expect(() =>
      compileLatticeModel({ species: ['A', 'B'], reactions: [{ type: 'contact', reactants: ['A', 'B'], products: ['B', 'B'], probability: 1.5 }] }),
    ).toThrow(/probability must be in \[0, 1\]; got 1.5/);
    expect(() =>
      compileLatticeModel({ species: ['A'], reactions: [{ type: 'birth', parent: 'A', rate: 1, placement: 'neighbour', floor: 1 }] }),
    ).toThrow(/floor needs placement 'anywhere'/);
    expect(() => compileLatticeModel({ species: ['A'], reactions: [{ type: 'split', rate: 1 } as never] })).toThrow(/type must be/);
    expect(() => prepareLatticeConfig({ ...base, dt: 0 })).toThrow(/config.dt must be a positive finite number; got 0/);
    expect(() => prepareLatticeConfig({ ...base, steps: 1.5 })).toThrow(/config.steps must be a positive integer; got 1.5/);
    expect(() => prepareLatticeConfig({ ...base, scheme: 'fast' as 'exact' })).toThrow(/config.scheme/);
    expect(() => prepareLatticeConfig({ ...base, initial: { X: 2000 } })).toThrow(/places 2000 particles on 1600 sites/);
    expect(() => prepareLatticeConfig({ ...base, initial: { Z: 1 } })).toThrow(/unknown species "Z"/);
    expect(() => prepareLatticeConfig({ ...base, scheme: 'exact', selection: 'row-biased' })).toThrow(/needs scheme 'paper'/);
    const noRate = structuredClone(base);
    delete (noRate.model.reactions[2] as { rate?: number }).rate;
    expect(() => prepareLatticeConfig({ ...noRate, scheme: 'exact' })).toThrow(/has no rate/);
    expect(() => new LatticeSimulator(base, null as never)).toThrow(TypeError);
    const sim = new LatticeSimulator(base, createRng(1));
    sim.advanceTo(2);
    expect(() => sim.advanceTo(1)).toThrow(/not before the current time 2/);
    expect(() => lotkaVolterraLattice({ size: -4 })).toThrow(/options.size/);
  });
});
