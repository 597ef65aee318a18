import { describe, expect, it } from 'vitest';
import { createRng } from '../src/rng.ts';
import { type LatticeConfig, prepareLatticeConfig, simulateLattice } from '../src/lattice.ts';

describe('paper scheme: a same-species contact reaction is tested once per collision', () => {
  it('A + A -> 0 on a 3-site ring fires with 1 - (1 - p/2)^2 in one sweep', () => {
    // On a ring of 3 sites two particles are always neighbours. In one sweep each particle (if still there) attempts
    // one hop in a random direction: towards the other particle with probability 1/2, where the collision fires
    // A + A -> 0 with probability p; otherwise it hops onto the empty site. So P(annihilated after one step) =
    // 1 - (1 - p/2)^2 = 0.4375 for p = 0.5. Testing the reaction twice per collision (the registered-twice bug)
    // gives 1 - (1 - (1 - (1 - p)^2)/2)^2 = 0.609, 15 standard errors away with 2,000 runs.
    const p = 0.5;
    const config: LatticeConfig = {
      model: { species: ['A'], diffusion: { A: 1 }, reactions: [{ type: 'contact', reactants: ['A', 'A'], products: [null, null], probability: p }] },
      shape: [3],
      boundary: 'periodic',
      initial: { shape: [3], species: ['A'], occupancy: Uint8Array.of(1, 1, 0) },
      scheme: 'paper',
      dt: 1,
      steps: 2,
    };
    const prepared = prepareLatticeConfig(config);
    const runs = 2000;
    let annihilated = 0;
    for (let run = 0; run < runs; run++) {
      const result = simulateLattice(prepared, createRng(7, run), { recordSnapshots: false });
      if (result.counts[1] === 0) annihilated++;
    }
    const expected = 1 - (1 - p / 2) ** 2;
    const z = (annihilated / runs - expected) / Math.sqrt((expected * (1 - expected)) / runs);
    // |z| < 4.5: a false alarm about once in 150,000 runs of this test.
    expect(Math.abs(z)).toBeLessThan(4.5);
  });
});
