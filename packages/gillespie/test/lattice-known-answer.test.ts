import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import { type LatticeConfig, LatticeSimulator, lotkaVolterraLattice, simulateLatticeEnsemble } from '../src/lattice.ts';

/**
 * Known answers of the paper scheme: the final occupancy's CRC-32, the species counts and every event counter of
 * fixed-seed runs, recorded with the kernels of main d5405a8 (before the sweep's "moved" flag moved into the
 * occupancy byte and the post-sweep rebuild stopped writing free-site positions). Kernel optimisations must keep
 * every random stream and every result byte-identical, so these must never change; a deliberate change of the
 * algorithm has to re-record them and say so. The cases reach every path of the sweep: large lattices (deferred
 * list rebuild, > 65,536 sites), a small dense one (deferred), a small sparse one (lists kept in step), periodic
 * (computed neighbours) and closed boundaries (neighbour table, blocked hops), uniform and row-biased picks, and
 * every unimolecular reaction type, a contact that empties sites and a same-species contact; the ensemble cases
 * (also recorded with main's code) measure the observables after every step.
 */

function mixed(shape: number[], boundary: 'periodic' | 'closed', selection: 'uniform' | 'row-biased', initial: Record<string, number>): LatticeConfig {
  return {
    model: {
      species: ['A', 'B', 'C'],
      diffusion: { A: 1, B: 1, C: 0 },
      reactions: [
        { type: 'birth', parent: 'A', rate: 0.05, placement: 'neighbour' },
        { type: 'birth', parent: 'B', offspring: 'A', rate: 0.01, placement: 'anywhere', floor: 1 },
        { type: 'splitting', reactant: 'B', products: ['C', 'B'], rate: 0.02 },
        { type: 'conversion', reactant: 'C', product: 'B', rate: 0.05 },
        { type: 'decay', reactant: 'A', rate: 0.03 },
        { type: 'immigration', product: 'C', rate: 0.0005 },
        { type: 'contact', reactants: ['A', 'B'], products: [null, 'B'], probability: 0.3, rate: 0.1 },
        { type: 'contact', reactants: ['A', 'A'], products: ['A', 'C'], probability: 0.2, rate: 0.1 },
      ],
    },
    shape,
    boundary,
    initial,
    scheme: 'paper',
    dt: 1,
    steps: 1,
    selection,
  };
}

function summary(config: LatticeConfig, seed: number, steps: number): string {
  const sim = new LatticeSimulator(config, createRng(seed, 3));
  for (let t = 1; t <= steps; t++) sim.advanceTo(t);
  sim.state.checkInvariants();
  const e = sim.events;
  const counts = Array.from(sim.state.counts).join(',');
  return `${crc32(sim.state.occupancy).toString(16)} ${counts} ${e.attempts} ${e.hops} ${e.contactReactions} ${e.unimolecular} ${e.nullEvents}`;
}

/**
 * Every replicate's observables (counts, NN and NNN pairs at every step) of a small ensemble, as CRC-32s: the
 * ensemble reads the state's class lists after every step, which a kernel that skips their upkeep must rebuild.
 */
function ensembleSummary(size: number, runs: number, steps: number, selection: 'uniform' | 'row-biased'): string {
  const config = lotkaVolterraLattice({ size, steps, selection, initialPrey: Math.round((size * size) / 5), initialPredators: Math.round((size * size) / 8) });
  const { replicates } = simulateLatticeEnsemble(config, { runs, seed: 'known' });
  return replicates.map((r) => crc32(new Uint8Array(r.observables.buffer)).toString(16)).join(',');
}

const CASES: [string, () => string][] = [
  ['LV ensemble 40 × 40 uniform, 6 runs × 300 steps', () => ensembleSummary(40, 6, 300, 'uniform')],
  ['LV ensemble 40 × 40 row-biased, 6 runs × 300 steps', () => ensembleSummary(40, 6, 300, 'row-biased')],
  ['LV ensemble 16 × 16 uniform, 6 runs × 200 steps', () => ensembleSummary(16, 6, 200, 'uniform')],
  ['LV ensemble 16 × 16 row-biased, 6 runs × 200 steps', () => ensembleSummary(16, 6, 200, 'row-biased')],
  ['LV 1000 × 1000 uniform, 4 steps', () => summary(lotkaVolterraLattice({ size: 1000, steps: 1 }), 1, 4)],
  ['LV 1000 × 1000 row-biased, 4 steps', () => summary(lotkaVolterraLattice({ size: 1000, steps: 1, selection: 'row-biased' }), 1, 4)],
  ['LV 40 × 40 uniform, 300 steps', () => summary(lotkaVolterraLattice({ steps: 1 }), 5, 300)],
  ['LV 40 × 40 row-biased, 300 steps', () => summary(lotkaVolterraLattice({ steps: 1, selection: 'row-biased' }), 5, 300)],
  ['mixed 300 × 300 periodic uniform, 6 steps', () => summary(mixed([300, 300], 'periodic', 'uniform', { A: 9000, B: 4000, C: 2000 }), 2, 6)],
  ['mixed 300 × 300 closed row-biased, 6 steps', () => summary(mixed([300, 300], 'closed', 'row-biased', { A: 9000, B: 4000, C: 2000 }), 2, 6)],
  ['mixed 20 × 20 dense periodic uniform, 40 steps', () => summary(mixed([20, 20], 'periodic', 'uniform', { A: 120, B: 60, C: 40 }), 4, 40)],
  ['mixed 20 × 20 dense closed row-biased, 40 steps', () => summary(mixed([20, 20], 'closed', 'row-biased', { A: 120, B: 60, C: 40 }), 4, 40)],
  ['mixed 30 × 30 sparse periodic uniform, 60 steps', () => summary(mixed([30, 30], 'periodic', 'uniform', { A: 60, B: 30, C: 20 }), 6, 60)],
  ['mixed 40 × 30 × 30 periodic uniform, 5 steps', () => summary(mixed([40, 30, 30], 'periodic', 'uniform', { A: 4000, B: 2000, C: 1000 }), 8, 5)],
];

const KNOWN: Record<string, string> = {
  'LV ensemble 40 × 40 uniform, 6 runs × 300 steps': '9a3edd7d,49fdd5c,5c3e5f1b,e74287c4,e0df4921,ae9a6c16',
  'LV ensemble 40 × 40 row-biased, 6 runs × 300 steps': 'bdf94afe,7efdcd39,7509e983,fa622fe3,5c8a70ef,caa9a583',
  'LV ensemble 16 × 16 uniform, 6 runs × 200 steps': 'cb2a8570,51e5d866,21da9faa,4877dfcd,2cb192b4,dd1ce70e',
  'LV ensemble 16 × 16 row-biased, 6 runs × 200 steps': '31aabb1,d9578f0b,a40c6c8,295de2d7,48e5559b,66915ead',
  'LV 1000 × 1000 uniform, 4 steps': 'fba8c89b 883287,58678,58035 473940 417849 9850 20343 0',
  'LV 1000 × 1000 row-biased, 4 steps': '9133add 883047,58820,58133 474564 418261 9953 20593 0',
  'LV 40 × 40 uniform, 300 steps': 'e2ae83f4 1132,412,56 82340 66280 1226 2808 0',
  'LV 40 × 40 row-biased, 300 steps': 'ab3d977b 1053,472,75 134232 79701 2136 4669 0',
  'mixed 300 × 300 periodic uniform, 6 steps': '921d849e 74328,7818,4726,3128 77229 63125 2376 5784 0',
  'mixed 300 × 300 closed row-biased, 6 steps': '4bad8aa3 74234,7862,4756,3148 77545 63127 2432 5952 0',
  'mixed 20 × 20 dense periodic uniform, 40 steps': 'c7a4fe19 173,8,175,44 5945 3031 200 356 0',
  'mixed 20 × 20 dense closed row-biased, 40 steps': '6abeae55 164,5,164,67 5743 2623 192 348 0',
  'mixed 30 × 30 sparse periodic uniform, 60 steps': '3d1ca2c1 666,23,159,52 7664 5980 153 509 0',
  'mixed 40 × 30 × 30 periodic uniform, 5 steps': '4c5dcda4 28806,3460,2294,1440 29722 23616 1018 2212 0',
};

describe('paper scheme known answers (byte-identical to the recorded kernels)', () => {
  for (const [name, run] of CASES) {
    it(name, () => {
      const got = run();
      if (process.env.SRN_RECORD_KNOWN) console.log(`  ${JSON.stringify(name)}: ${JSON.stringify(got)},`);
      expect(got).toBe(KNOWN[name]);
    });
  }
});
