import { createChains, createMachine, createParameters, exactMoments, randomizeChains, sufficientStatistics } from '@srn/boltzmann';
import { type Rng, Xoshiro128 } from '@srn/gillespie/rng';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compiledGibbsApplies, tableGibbs, tablePlan, tablePlanCsr, useCompiledGibbs } from '../src/kernels/table-gibbs.ts';
import { paperMachineSpec } from '../src/index.ts';
import { createRng } from './helpers.ts';

// The table-driven sampler against exact enumeration: the paper machine on 2 × 2 lattices (3 layers, 3^12 states),
// 3000 independent chains, 25 sweeps from noise, one sample per chain. For every statistic,
// z = (mean − exact) / √(Var_exact / chains) is ~N(0, 1) after mixing; |z| < 4.5 over the 10 (+ 6) statistics is a
// family-wise false-alarm rate below 1e-4.
describe('tableGibbs', () => {
  const machine = createMachine(paperMachineSpec(2));
  const theta = createParameters(machine, { hX: -0.7, hY: -1.1, bX1: 0.4, bY1: -0.3, bX2: -0.2, bY2: 0.5, wXX1: 0.8, wYY1: -0.6, wX1X2: -0.9, wY1Y2: 0.7 });
  const P = machine.parameters.count;
  const chains = 3000;

  it('samples the DBM distribution (free chains)', () => {
    const plan = tablePlan(machine);
    expect(plan).not.toBeNull();
    const exact = exactMoments(machine, theta, { covariance: true });
    const rng = createRng(17);
    const states = createChains(machine, chains);
    randomizeChains(machine, states, rng);
    tableGibbs(plan!, theta, states, chains, rng, 25, false);
    const T = sufficientStatistics(machine, states);
    for (let k = 0; k < P; k++) {
      let m = 0;
      for (let c = 0; c < chains; c++) m += T[c * P + k] / chains;
      const z = (m - exact.mean[k]) / Math.sqrt(exact.covariance![k * P + k] / chains);
      expect(Math.abs(z)).toBeLessThan(4.5);
    }
  });

  it('samples the hidden layers given a clamped visible layer', () => {
    const plan = tablePlan(machine)!;
    const visible = Uint8Array.of(1, 0, 2, 1);
    const exact = exactMoments(machine, theta, { visible, covariance: true });
    const rng = createRng(18);
    const states = createChains(machine, chains);
    randomizeChains(machine, states, rng);
    for (let c = 0; c < chains; c++) states.set(visible, c * machine.unitCount);
    tableGibbs(plan, theta, states, chains, rng, 25, true);
    for (let c = 0; c < chains; c++) expect(Array.from(states.subarray(c * machine.unitCount, c * machine.unitCount + 4))).toEqual([1, 0, 2, 1]);
    const T = sufficientStatistics(machine, states);
    for (let k = 0; k < P; k++) {
      let m = 0;
      for (let c = 0; c < chains; c++) m += T[c * P + k] / chains;
      const v = exact.covariance![k * P + k];
      if (v < 1e-12) {
        expect(m).toBeCloseTo(exact.mean[k], 10); // visible statistics are fixed by the clamp
        continue;
      }
      expect(Math.abs((m - exact.mean[k]) / Math.sqrt(v / chains))).toBeLessThan(4.5);
    }
  });

  it('declines machines it cannot tabulate', () => {
    const dense = createMachine({
      layers: [
        { name: 'v', shape: [300], states: ['a', 'b'] },
        { name: 'h', shape: [300], states: ['c', 'd'] },
      ],
      connections: [{ kind: 'dense', lower: 0, upper: 1, couplings: 'all' }],
    });
    expect(tablePlan(dense)).toBeNull(); // (300 + 1)^2 table entries > 65536
  });
});

// The flattened kernels (uniform degrees: every periodic lattice) against the CSR kernels they replace: the same
// draws and comparisons, so identical states from identical streams. Deterministic, not statistical: any difference
// in the neighbour keys, the reachable-key table or the threshold comparison shows up as a differing unit.
describe('tableGibbs flattened neighbourhoods', () => {
  const lateral = createMachine({
    layers: [{ name: 'visible', shape: [6, 6], states: ['X', 'Y'] }],
    connections: [
      { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
      { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
    ],
    parameterization: 'homogeneous',
  });
  const lateralOn = (shape: number[]) =>
    createMachine({
      layers: [{ name: 'visible', shape, states: ['X', 'Y'] }],
      connections: [
        { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
        { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
      ],
      parameterization: 'homogeneous',
    });
  const lateral6 = createMachine({
    layers: [{ name: 'visible', shape: [5, 5], states: ['X', 'Y'] }],
    connections: [
      { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
      { lower: 0, upper: 0, field: [[0, 2]], couplings: [['X', 'Y']], weightPrefix: 'm' },
    ],
    parameterization: 'homogeneous',
  });
  const cases = [
    { name: 'paper DBM (3 layers, 2 × 2 fields)', machine: createMachine(paperMachineSpec(6)), theta: [-0.7, -1.1, 0.4, -0.3, -0.2, 0.5, 0.8, -0.6, -0.9, 0.7] },
    { name: 'lateral Potts machine (12 neighbours)', machine: lateral, theta: [-1.2, -1.6, 0.6, -0.8, -0.5, 0.4, -0.3, -0.2] },
    { name: 'lateral machine with 6 neighbours (slots padded to 8)', machine: lateral6, theta: [-1.1, -1.4, 0.5, -0.7, -0.6, 0.3, 0.4] },
    // Twelve slots (the kernel unrolled for 12 neighbours of two-state sources) on a non-square lattice.
    { name: 'lateral Potts machine on 5 × 7', machine: lateralOn([5, 7]), theta: [-0.4, -0.6, 0.9, -0.8, -0.5, 0.7, -0.6, 0.5] },
  ];
  for (const { name, machine, theta } of cases) {
    it(`matches the CSR kernel state for state: ${name}`, () => {
      const flat = tablePlan(machine)!;
      const csr = tablePlanCsr(machine)!;
      expect(flat.layers.every((l) => l.deg > 0)).toBe(true);
      expect(csr.layers.every((l) => l.deg === -1)).toBe(true);
      const th = Float64Array.from(theta);
      const chains = 7;
      const a = createChains(machine, chains);
      randomizeChains(machine, a, createRng(3));
      const b = a.slice();
      const ra = createRng(4);
      const rb = createRng(4);
      tableGibbs(flat, th, a, chains, ra, 6, false);
      tableGibbs(csr, th, b, chains, rb, 6, false);
      expect(Array.from(a)).toEqual(Array.from(b));
      tableGibbs(flat, th, a, chains, ra, 3, true);
      tableGibbs(csr, th, b, chains, rb, 3, true);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(ra.nextUint32()).toBe(rb.nextUint32());
    });
  }
});

// The compiled (WebAssembly) kernel against the JavaScript kernels: the same xoshiro128** recurrence, key sums and
// threshold comparisons, so identical states and generator states from identical inputs. Deterministic: any
// difference in the module's instructions (a slot offset, the generator update, a comparison) shows up as a
// differing unit or generator word within a few sweeps.
describe('tableGibbs compiled kernel', () => {
  afterEach(() => {
    useCompiledGibbs(true);
  });
  const lateral12 = createMachine({
    layers: [{ name: 'visible', shape: [6, 7], states: ['X', 'Y'] }],
    connections: [
      { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
      { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
    ],
    parameterization: 'homogeneous',
  });
  // Three visible species (slot stride 4 in the hidden layer's kernel; the visible layer itself is not two-state, so
  // free sweeps fall back to JavaScript while clamped sweeps compile).
  const threeSpecies = createMachine({
    layers: [
      { name: 'visible', shape: [5, 5], states: ['A', 'B', 'C'] },
      { name: 'hidden', shape: [5, 5], states: ['H1', 'H2'] },
    ],
    connections: [{ lower: 0, upper: 1, field: [[0, 0], [0, 1], [1, 0], [0, -1], [-1, 0]], couplings: 'all' }],
    parameterization: 'homogeneous',
  });
  const random = (n: number, seed: number) => {
    const r = createRng(seed);
    return Float64Array.from({ length: n }, () => 2 * r.nextFloat64() - 1);
  };
  const cases = [
    { name: 'paper DBM on 6 × 6 (4 and 8 slots)', machine: createMachine(paperMachineSpec(6)), compiled: [true, true] },
    { name: 'paper DBM on 40 × 40', machine: createMachine(paperMachineSpec(40)), compiled: [true, true] },
    { name: 'lateral Potts machine on 6 × 7 (12 slots)', machine: lateral12, compiled: [true, true] },
    { name: 'three visible species, 5 × 5 (stride 4)', machine: threeSpecies, compiled: [false, true] },
  ];
  for (const { name, machine, compiled } of cases) {
    it(`matches the JavaScript kernels state for state: ${name}`, () => {
      const plan = tablePlan(machine)!;
      expect([compiledGibbsApplies(plan, false, createRng(1)), compiledGibbsApplies(plan, true, createRng(1))]).toEqual(compiled);
      const th = random(machine.parameters.count, 5);
      // Chain counts that grow the module's memory (the largest needs more than its first 64 KiB page for 6 × 6) and
      // shrink again, so the views of the grown memory are exercised too.
      for (const chains of [3, 700, 1]) {
        const a = createChains(machine, chains);
        randomizeChains(machine, a, createRng(chains));
        const b = a.slice();
        const ra = createRng(6, chains);
        const rb = createRng(6, chains);
        for (const clamp of [false, true, false]) {
          useCompiledGibbs(true);
          tableGibbs(plan, th, a, chains, ra, 4, clamp);
          useCompiledGibbs(false);
          tableGibbs(plan, th, b, chains, rb, 4, clamp);
          expect(Array.from(ra.getState())).toEqual(Array.from(rb.getState()));
          expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        }
        if (machine.unitCount > 1000) break; // the 40 × 40 machine: a few chains are enough
      }
    });
  }

  it('falls back to JavaScript for a generator that is not xoshiro128** (the same stream through a wrapper)', () => {
    const machine = createMachine(paperMachineSpec(6));
    const plan = tablePlan(machine)!;
    expect(compiledGibbsApplies(plan, false, createRng(9))).toBe(true);
    const a = createChains(machine, 4);
    randomizeChains(machine, a, createRng(1));
    const b = a.slice();
    const ra = createRng(9);
    const inner = createRng(9);
    const rb: Rng = {
      nextUint32: () => inner.nextUint32(),
      nextFloat64: () => inner.nextFloat64(),
      stream: (i) => inner.stream(i),
      getState: () => inner.getState(),
      setState: (s) => inner.setState(s),
    };
    expect(compiledGibbsApplies(plan, false, rb)).toBe(false);
    // A subclass of the generator (which could draw differently) is not stepped by the module either.
    class Counting extends Xoshiro128 {}
    expect(compiledGibbsApplies(plan, false, new Counting(9n, 0))).toBe(false);
    const th = random(machine.parameters.count, 8);
    tableGibbs(plan, th, a, 4, ra, 5, false);
    tableGibbs(plan, th, b, 4, rb, 5, false);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(ra.nextUint32()).toBe(inner.nextUint32());
  });

  it('SRN_GIBBS_KERNEL=js selects the JavaScript kernels at start-up', async () => {
    vi.stubEnv('SRN_GIBBS_KERNEL', 'js');
    vi.resetModules();
    try {
      const fresh = await import('../src/kernels/table-gibbs.ts');
      // the generator class of the freshly loaded modules (the kernel checks for exactly that class)
      const { createRng: freshRng } = await import('@srn/gillespie/rng');
      const plan = fresh.tablePlan(createMachine(paperMachineSpec(4)))!;
      expect(fresh.compiledGibbsApplies(plan, false, freshRng(1))).toBe(false);
      fresh.useCompiledGibbs(true);
      expect(fresh.compiledGibbsApplies(plan, false, freshRng(1))).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
