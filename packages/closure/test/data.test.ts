import { createMachine, type MachineSpec } from '@srn/boltzmann';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/container.ts';
import { prepareData, snapshotInto } from '../src/data.ts';
import { createRng } from './helpers.ts';

// The trainer keeps the data packed (the fewest of 1, 2, 4, 8 bits per site that hold the codes 0 … S) and reads it a
// snapshot at a time: every snapshot must read back exactly, raw and through the species → state map, whatever the
// bit width, lattice size (also sizes that are not a multiple of the codes per byte, so snapshots start mid-byte) and
// time point.

/** One visible layer of `species.length` states on a 1-D lattice of n sites. */
function chainSpec(n: number, species: string[]): MachineSpec {
  return { layers: [{ name: 'visible', shape: [n], states: species }], connections: [], parameterization: 'homogeneous' };
}

function trajectories(count: number, T: number, n: number, species: string[], seed: number): LatticeTrajectory[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => ({
    shape: [n],
    species: species.slice(),
    times: Float64Array.from({ length: T }, (_, t) => t),
    occupancy: Uint8Array.from({ length: T * n }, () => Math.floor(rng.nextFloat64() * (species.length + 1))),
  }));
}

describe('prepared data', () => {
  for (const [S, bits] of [
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 4],
    [15, 4],
    [16, 8],
  ] as const) {
    for (const n of [7, 8, 13]) {
      it(`${S} species on ${n} sites: ${bits} bits per site, every snapshot reads back (raw and mapped)`, () => {
        const species = Array.from({ length: S }, (_, k) => `S${k}`);
        // The machine lists the states in reverse, so the map is not the identity.
        const machine = createMachine(chainSpec(n, species.slice().reverse()));
        const runs = trajectories(3, 5, n, species, 100 * S + n);
        const data = prepareData({ trajectories: runs }, machine, 1);
        expect(data.bits).toBe(bits);
        expect(data.packed[0].length).toBe(Math.ceil((5 * n * bits) / 8));
        let crc = 0;
        for (const r of runs) crc = crc32(r.occupancy, 0, r.occupancy.length, crc);
        expect(data.fingerprint.crc).toBe(crc);
        const raw = new Uint8Array(n + 2);
        const mapped = new Uint8Array(n + 2);
        runs.forEach((r, i) => {
          const map = data.maps[i];
          expect(Array.from(map)).toEqual([0, ...species.map((_, k) => S - k)]);
          for (let t = 0; t < 5; t++) {
            snapshotInto(data, i, t, raw, 1);
            snapshotInto(data, i, t, mapped, 2, map);
            const want = r.occupancy.subarray(t * n, (t + 1) * n);
            expect(Array.from(raw.subarray(1, n + 1))).toEqual(Array.from(want));
            expect(Array.from(mapped.subarray(2, n + 2))).toEqual(Array.from(want, (c) => map[c]));
          }
        });
      });
    }
  }
});
