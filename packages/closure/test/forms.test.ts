import { createChains, createMachine, gibbs, type Machine, randomizeChains } from '@srn/boltzmann';
import { createRng } from '@srn/gillespie';
import { type BoltzmannParameters, createBoltzmannSampler, createLatticeGeometry } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { fitBoltzmannLattice } from '../src/baselines/index.ts';
import {
  buildMachineSpec,
  createDbdTrainer,
  crossMachineSpec,
  defaultDomain,
  defaultFeDomain,
  fitTheta0,
  initialOffsetsFromData,
  lateralMachineSpec,
  ModelFormError,
  paperMachineSpec,
  predictMoments,
} from '../src/index.ts';

/**
 * Fixtures: the outputs of the builders these presets replace, copied from main d5405a8 —
 * `machineSpecFor` of apps/bench/src/lv/train-stage.ts (couplings 'lateral' and 'cross') and the former body of
 * `paperMachineSpec` (model.ts), written out for L = 8. Compared as JSON text, so key order counts too (the trainer
 * compares machine specs by their JSON).
 */
const L = 8;
const layer = (n: number) => ({ name: n === 0 ? 'visible' : `hidden${n}`, shape: [L, L], states: n === 0 ? ['X', 'Y'] : [`X${n}`, `Y${n}`] });
const TODAY_LATERAL = {
  layers: [layer(0)],
  connections: [
    { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
    { lower: 0, upper: 0, field: [[0, 2], [2, 0], [1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
  ],
  parameterization: 'homogeneous',
};
const TODAY_CROSS = {
  layers: [layer(0), layer(1), layer(2)],
  connections: [
    { lower: 0, upper: 1, field: '2x2', couplings: 'all' },
    { lower: 1, upper: 2, field: '2x2', couplings: 'all' },
  ],
  parameterization: 'homogeneous',
};
const TODAY_PAPER = {
  layers: [layer(0), layer(1), layer(2)],
  connections: [
    { lower: 0, upper: 1, field: '2x2' },
    { lower: 1, upper: 2, field: '2x2' },
  ],
  parameterization: 'homogeneous',
};

describe('buildMachineSpec: presets equal today’s machines', () => {
  it('paperMachineSpec, the LV lateral and cross machines are built by buildMachineSpec and equal today’s specs', () => {
    expect(JSON.stringify(paperMachineSpec(L))).toBe(JSON.stringify(TODAY_PAPER));
    expect(JSON.stringify(buildMachineSpec({ kind: 'hidden', layers: 2 }, { shape: [L, L], species: ['X', 'Y'] }))).toBe(
      JSON.stringify(TODAY_PAPER),
    );
    expect(JSON.stringify(lateralMachineSpec(L))).toBe(JSON.stringify(TODAY_LATERAL));
    expect(JSON.stringify(crossMachineSpec(L))).toBe(JSON.stringify(TODAY_CROSS));
    // paperMachineSpec keeps its other arguments: one layer (no connections) and other species
    expect(paperMachineSpec(4, 1)).toEqual({ layers: [{ name: 'visible', shape: [4, 4], states: ['X', 'Y'] }], connections: [], parameterization: 'homogeneous' });
    expect(createMachine(paperMachineSpec(4, 2, ['A'])).parameters.names).toEqual(['hA', 'bA1', 'wAA1']);
  });

  it('the default FE domain stays today’s six for the paper, cross and lateral machines', () => {
    expect(defaultFeDomain(createMachine(paperMachineSpec(L)))).toEqual(['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    expect(defaultDomain(createMachine(paperMachineSpec(L)))).toEqual(['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    // PAPER_DOMAIN and LATERAL_DOMAIN of apps/bench/src/lv/train-stage.ts
    expect(defaultFeDomain(createMachine(crossMachineSpec(L)))).toEqual(['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    expect(defaultFeDomain(createMachine(lateralMachineSpec(L)))).toEqual(['hX', 'hY', 'nXX', 'nYY', 'nXY', 'mXY']);
    expect(defaultFeDomain(createMachine(lateralMachineSpec(L)), { maxInputs: 3 })).toEqual(['hX', 'hY', 'nXX']);
    expect(defaultFeDomain(createMachine(crossMachineSpec(L)), { maxInputs: 10 })).toEqual([
      'hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2', 'wXY1', 'wYX1', 'wX1Y2', 'wY1X2',
    ]);
    expect(() => defaultFeDomain(createMachine(paperMachineSpec(4)), { maxInputs: 0 })).toThrow(/options.maxInputs/);
  });
});

describe('buildMachineSpec: forms in 1-3 dimensions', () => {
  it('visible forms: biases, NN couplings of every ordered pair, NNN at lattice distance 2', () => {
    const one = createMachine(buildMachineSpec({ kind: 'visible' }, { shape: [12], species: ['A'] }));
    expect(one.parameters.names).toEqual(['hA', 'nAA']);
    expect(one.connections[0].offsets).toEqual([[1]]);
    const nnn1 = createMachine(buildMachineSpec({ kind: 'visible', nnn: true }, { shape: [12], species: ['A'] }));
    expect(nnn1.parameters.names).toEqual(['hA', 'nAA', 'mAA']);
    expect(nnn1.connections[1].offsets).toEqual([[2]]);
    const three = createMachine(buildMachineSpec({ kind: 'visible', nnn: true }, { shape: [5, 6, 7], species: ['A', 'B', 'C'] }));
    expect(three.connections[0].offsets).toEqual([[0, 0, 1], [0, 1, 0], [1, 0, 0]]);
    // 3 axial distance-2 offsets and 6 diagonals: every site has 2·9 = 18 sites at lattice distance 2
    expect(three.connections[1].offsets.length).toBe(9);
    expect(three.parameters.count).toBe(3 + 9 + 9);
    const same = createMachine(buildMachineSpec({ kind: 'visible', couplings: 'same' }, { shape: [6, 6], species: ['X', 'Y'] }));
    expect(same.parameters.names).toEqual(['hX', 'hY', 'nXX', 'nYY']);
    const free = createMachine(buildMachineSpec({ kind: 'visible', couplings: false }, { shape: [6], species: ['X', 'Y'] }));
    expect(free.parameters.names).toEqual(['hX', 'hY']);
  });

  it('hidden forms: the 2019 A + A hidden model (1-D, hidden unit on two consecutive sites) and 3-D stacks', () => {
    const aa = createMachine(buildMachineSpec({ kind: 'hidden', layers: 1 }, { shape: [10], species: ['A'] }));
    expect(aa.parameters.names).toEqual(['hA', 'bA1', 'wAA1']);
    // every hidden unit j is joined to exactly the visible units j − 1 and j (periodic)
    const C = aa.connections[0];
    for (let j = 0; j < 10; j++) {
      const lows = Array.from(C.upperAdj.subarray(C.upperPtr[j], C.upperPtr[j + 1])).sort((a, b) => a - b);
      expect(lows).toEqual(j === 0 ? [0, 9] : [j - 1, j]);
    }
    const deep = createMachine(buildMachineSpec({ kind: 'hidden', layers: 2, field: '3x3', couplings: 'all', lateral: true }, { shape: [3, 3, 3], species: ['A', 'B'] }));
    expect(deep.layers.map((l) => l.name)).toEqual(['visible', 'hidden1', 'hidden2']);
    expect(deep.connections[0].offsets.length).toBe(27);
    expect(deep.parameters.names.filter((n) => n.startsWith('n'))).toEqual(['nAA', 'nAB', 'nBA', 'nBB']);
    expect(defaultFeDomain(deep)).toEqual(['hA', 'hB', 'wAA1', 'wBB1', 'wA1A2', 'wB1B2']);
  });

  it('visible triplets (1-D): the 2019 visible A + A model h, J, K', () => {
    const aa = createMachine(buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [10], species: ['A'] }));
    expect(aa.parameters.names).toEqual(['hA', 'nAA', 'kAAA']);
    expect(defaultFeDomain(aa)).toEqual(['hA', 'nAA', 'kAAA']);
    const two = createMachine(buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [10], species: ['A', 'B'] }));
    expect(two.parameters.count).toBe(2 + 4 + 8);
    // same-species first; of the mirror pairs nAB/nBA and kAAB/kBAA only the first
    expect(defaultFeDomain(two, { maxInputs: 10 })).toEqual(['hA', 'hB', 'nAA', 'nBB', 'kAAA', 'kBBB', 'nAB', 'kAAB', 'kABA', 'kABB']);
    expect(() => buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [5, 5], species: ['A'] })).toThrow(ModelFormError);
    expect(() => buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [5, 5], species: ['A'] })).toThrow(/form.triplets needs a 1-D lattice/);
  });

  it('rejects bad forms and geometries naming the field', () => {
    const g = { shape: [8], species: ['A'] };
    expect(() => buildMachineSpec({ kind: 'visible' }, { ...g, boundary: 'closed' })).toThrow(ModelFormError);
    expect(() => buildMachineSpec({ kind: 'visible' }, { ...g, boundary: 'closed' })).toThrow(/geometry.boundary 'closed'/);
    expect(() => buildMachineSpec({ kind: 'visible' }, { shape: [2, 2, 2, 2], species: ['A'] })).toThrow(/geometry.shape/);
    expect(() => buildMachineSpec({ kind: 'visible' }, { shape: [0], species: ['A'] })).toThrow(/geometry.shape\[0\]/);
    expect(() => buildMachineSpec({ kind: 'visible' }, { shape: [8], species: ['A', 'A'] })).toThrow(/geometry.species/);
    expect(() => buildMachineSpec({ kind: 'nope' } as never, g)).toThrow(/form.kind/);
    // ±2 along an axis of 3 sites is ∓1: distance-2 couplings need 5 sites per axis, NN couplings 3
    expect(() => buildMachineSpec({ kind: 'visible', nnn: true }, { shape: [5, 4], species: ['A'] })).toThrow(/geometry.shape\[1\] must be >= 5/);
    expect(() => buildMachineSpec({ kind: 'visible' }, { shape: [2], species: ['A'] })).toThrow(ModelFormError);
    expect(() => buildMachineSpec({ kind: 'hidden', layers: 1, lateral: true }, { shape: [4, 2], species: ['A'] })).toThrow(/geometry.shape\[1\] must be >= 3/);
    expect(() => buildMachineSpec(null as never, g)).toThrow(/form must be/);
    expect(() => buildMachineSpec({ kind: 'visible', couplings: 'cross' }, g)).toThrow(/form.couplings 'cross' needs at least two species/);
    expect(() => buildMachineSpec({ kind: 'visible', nnnCouplings: 'all' }, g)).toThrow(/form.nnnCouplings needs form.nnn/);
    expect(() => buildMachineSpec({ kind: 'hidden', layers: -1 }, g)).toThrow(/form.layers/);
    expect(() => buildMachineSpec({ kind: 'hidden', layers: 1, couplings: 'cross' as 'all' }, g)).toThrow(/form.couplings/);
  });
});

/**
 * Mean and standard error of the mean of per-lattice values (independent lattices).
 */
function meanSe(xs: number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n) };
}

/**
 * R independent data sets of M lattices each (sampled with `sampler`, `sweeps` Gibbs sweeps from a random start),
 * each fitted by `fitTheta0`. The spread s of the R estimates measures the estimator's own spread, so
 * (mean − truth)/(s/√R) is Student-t with R − 1 degrees of freedom for the consistent, asymptotically normal
 * pseudo-likelihood estimator; |t| < 5 with R = 8 fails by chance with probability 0.0016 per parameter. The spread
 * must also be below `maxSd`, so a fit that ignored the data (spread O(1)) fails.
 */
function expectRecovered(
  machine: Machine,
  sampler: { sample(sweeps: number, rng: ReturnType<typeof createRng>): Uint8Array },
  expected: Record<string, number>,
  seed: number,
  maxSd: number,
): void {
  const R = 8;
  const M = 12;
  expect(machine.parameters.names).toEqual(Object.keys(expected));
  const estimates = machine.parameters.names.map(() => [] as number[]);
  for (let r = 0; r < R; r++) {
    const lattices = Array.from({ length: M }, (_, m) => sampler.sample(150, createRng(seed, r * M + m)));
    const theta = fitTheta0(machine, lattices);
    for (let p = 0; p < theta.length; p++) estimates[p]!.push(theta[p]!);
  }
  machine.parameters.names.forEach((name, p) => {
    const { mean, se } = meanSe(estimates[p]!);
    if (process.env.FORMS_DEBUG) console.log(name, se * Math.sqrt(R), (mean - expected[name]!) / se);
    expect(se * Math.sqrt(R), name).toBeLessThan(maxSd);
    expect(Math.abs(mean - expected[name]!) / se, name).toBeLessThan(5);
  });
}

describe('fitTheta0: θ(0) from t = 0 lattices', () => {
  it('fully visible, no couplings: h_a = ln(n_a / n_0) exactly (pseudo-likelihood is the likelihood)', () => {
    const geometry = createLatticeGeometry([20, 20]);
    const sampler = createBoltzmannSampler(geometry, ['X', 'Y'], { h: { X: -1, Y: 0.4 }, J: {}, K: {} });
    const lattices = Array.from({ length: 3 }, (_, m) => sampler.sample(2, createRng(3, m)));
    const n = [0, 0, 0];
    for (const occ of lattices) for (const c of occ) n[c]!++;
    const machine = createMachine(buildMachineSpec({ kind: 'visible', couplings: false }, { shape: [20, 20], species: ['X', 'Y'] }));
    const theta = fitTheta0(machine, lattices, { tolerance: 1e-10 });
    expect(theta[0]).toBeCloseTo(Math.log(n[1]! / n[0]!), 6);
    expect(theta[1]).toBeCloseTo(Math.log(n[2]! / n[0]!), 6);
  });

  it('one species: the same pseudo-likelihood as fitBoltzmannLattice (hA = h, nAA = J)', () => {
    const geometry = createLatticeGeometry([300]);
    const truth: BoltzmannParameters = { h: { A: -0.4 }, J: { 'A-A': 0.7 }, K: {} };
    const sampler = createBoltzmannSampler(geometry, ['A'], truth);
    const lattices = Array.from({ length: 4 }, (_, m) => sampler.sample(100, createRng(4, m)));
    const machine = createMachine(buildMachineSpec({ kind: 'visible' }, { shape: [300], species: ['A'] }));
    const theta = fitTheta0(machine, lattices, { tolerance: 1e-9 });
    const reference = fitBoltzmannLattice(geometry, ['A'], lattices, { tolerance: 1e-9 });
    // Both minimise the same concave function to a gradient below 1e-9 per site; the curvature is O(0.1), so the
    // maximisers agree to well within 1e-6.
    expect(theta[0]).toBeCloseTo(reference.params.h.A!, 6);
    expect(theta[1]).toBeCloseTo(reference.params.J['A-A']!, 6);
  });

  it('1-D with triplets: the same pseudo-likelihood as fitBoltzmannLattice (hA = h, nAA = J, kAAA = K)', () => {
    const geometry = createLatticeGeometry([300]);
    const sampler = createBoltzmannSampler(geometry, ['A'], { h: { A: 0.3 }, J: { 'A-A': -0.6 }, K: { 'A-A-A': 0.5 } });
    const lattices = Array.from({ length: 4 }, (_, m) => sampler.sample(100, createRng(9, m)));
    const machine = createMachine(buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [300], species: ['A'] }));
    const theta = fitTheta0(machine, lattices, { tolerance: 1e-9 });
    const reference = fitBoltzmannLattice(geometry, ['A'], lattices, { triplets: true, tolerance: 1e-9 });
    expect(theta[0]).toBeCloseTo(reference.params.h.A!, 6);
    expect(theta[1]).toBeCloseTo(reference.params.J['A-A']!, 6);
    expect(theta[2]).toBeCloseTo(reference.params.K['A-A-A']!, 6);
  });

  it('2-D, two species, with NNN couplings: recovers h, every ordered NN pair (n_ab = n_ba = J_ab) and m = 0', () => {
    const shape = [24, 24];
    const truth: BoltzmannParameters = { h: { X: -1, Y: -0.5 }, J: { 'X-X': 0.5, 'X-Y': -0.4, 'Y-Y': 0.3 }, K: {} };
    const expected: Record<string, number> = { hX: -1, hY: -0.5, nXX: 0.5, nXY: -0.4, nYX: -0.4, nYY: 0.3, mXX: 0, mXY: 0, mYX: 0, mYY: 0 };
    const machine = createMachine(buildMachineSpec({ kind: 'visible', nnn: true }, { shape, species: ['X', 'Y'] }));
    // measured spreads 0.02-0.12
    expectRecovered(machine, createBoltzmannSampler(createLatticeGeometry(shape), ['X', 'Y'], truth), expected, 33, 0.15);
  });

  it('1-D, two species, with triplets: recovers h, J and K (n_ab = n_ba = J_ab, k_abc = k_cba = K_abc)', () => {
    const N = 1000;
    const truth: BoltzmannParameters = {
      h: { A: -0.5, B: -0.8 },
      J: { 'A-A': -0.4, 'A-B': 0.3, 'B-B': 0.2 },
      K: { 'A-A-A': 0.5, 'A-A-B': -0.3, 'A-B-A': 0.2, 'A-B-B': 0, 'B-A-B': -0.2, 'B-B-B': 0.4 },
    };
    const machine = createMachine(buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [N], species: ['A', 'B'] }));
    // ordered machine parameters from the symmetric truth (K of a triple equals that of its mirror)
    const expected: Record<string, number> = { hA: -0.5, hB: -0.8, nAA: -0.4, nAB: 0.3, nBA: 0.3, nBB: 0.2 };
    for (const name of machine.parameters.names.filter((x) => x.startsWith('k'))) {
      const letters = name.slice(1).split('');
      expected[name] = (truth.K[letters.join('-')] ?? truth.K[[...letters].reverse().join('-')])!;
    }
    // these estimates spread more (1-D: fewer neighbours per site): measured 0.06-0.19
    expectRecovered(machine, createBoltzmannSampler(createLatticeGeometry([N]), ['A', 'B'], truth), expected, 34, 0.4);
  });

  it('hidden (2019 A + A hidden model): the fitted θ(0) reproduces the data’s density and NN pair density', () => {
    // Truth: a 1-D Ising-type chain with attractive J. Summing out a hidden unit on two consecutive sites gives
    // an NN pair term log(1 + e^{b + w(x + y)}), convex in x + y, so the hidden model contains every J ≥ 0.
    const N = 64;
    const geometry = createLatticeGeometry([N]);
    const sampler = createBoltzmannSampler(geometry, ['A'], { h: { A: -1.3 }, J: { 'A-A': 1.2 }, K: {} });
    const M = 80;
    const lattices = Array.from({ length: M }, (_, m) => sampler.sample(60, createRng(5, m)));
    const machine = createMachine(buildMachineSpec({ kind: 'hidden', layers: 1 }, { shape: [N], species: ['A'] }));
    const theta = fitTheta0(machine, lattices, { rng: createRng(6), iterations: 600, batchSize: 20 });
    // Per-lattice density and NN pair density of the data and of C independent chains of the fitted machine.
    const moments = (occ: Uint8Array) => {
      let n = 0;
      let pairs = 0;
      for (let i = 0; i < N; i++) {
        n += occ[i]!;
        pairs += occ[i]! * occ[(i + 1) % N]!;
      }
      return [n / N, pairs / N, pairs / N - (n / N) ** 2];
    };
    const data = lattices.map(moments);
    const C = 200;
    const states = createChains(machine, C);
    randomizeChains(machine, states, createRng(7));
    gibbs(machine, theta, states, createRng(8), { sweeps: 200 });
    const model = Array.from({ length: C }, (_, c) => moments(states.subarray(c * machine.unitCount, c * machine.unitCount + N)));
    // z of the difference of two independent means (data: M lattices; model: C chains). The maximum-likelihood fit
    // matches the data's moments up to the data's own sampling error and the averaged CD noise, both of the order of
    // the data's standard error, hence |z| < 4.5.
    // Power: the third moment, the NN pair density in excess of the squared density, is ≈ 0 for independent sites
    // (−ρ(1 − ρ)/N exactly) but many standard errors above 0 in the data, so a fit that ignored the couplings fails.
    const excess = meanSe(data.map((x) => x[2]!));
    if (process.env.FORMS_DEBUG) console.log('independent', excess.mean / excess.se);
    expect(excess.mean / excess.se).toBeGreaterThan(10);
    for (const k of [0, 1, 2]) {
      const d = meanSe(data.map((x) => x[k]!));
      const m = meanSe(model.map((x) => x[k]!));
      const z = (m.mean - d.mean) / Math.hypot(d.se, m.se);
      if (process.env.FORMS_DEBUG) console.log(k, d, m, z);
      expect(Math.abs(z), ['density', 'NN pair density', 'excess'][k]).toBeLessThan(4.5);
    }
  });

  it('initialOffsetsFromData: visible mean occupancy per species, hidden 1/(K + 1)', () => {
    const machine = createMachine(paperMachineSpec(4));
    const a = new Uint8Array(16);
    a[0] = 1;
    a[5] = 2;
    a[6] = 2;
    const b = new Uint8Array(16);
    b[3] = 1;
    // 4 occupied sites of 2 lattices × 16 sites × 2 species
    expect(initialOffsetsFromData(machine, [a, b])).toEqual([4 / 64, 1 / 3, 1 / 3]);
  });

  it('rejects bad input naming the argument', () => {
    const machine = createMachine(buildMachineSpec({ kind: 'visible' }, { shape: [8], species: ['A'] }));
    const hidden = createMachine(buildMachineSpec({ kind: 'hidden', layers: 1 }, { shape: [8], species: ['A'] }));
    const occ = new Uint8Array(8);
    expect(() => fitTheta0(machine, [])).toThrow(/lattices must be a non-empty array/);
    expect(() => fitTheta0(machine, [new Uint8Array(7)])).toThrow(/lattices\[0\] must be a Uint8Array of length 8/);
    expect(() => fitTheta0(machine, [Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 0)])).toThrow(/lattices\[0\]\[3\] = 2/);
    expect(() => fitTheta0(machine, [occ], { iterations: 0 })).toThrow(/options.iterations/);
    expect(() => fitTheta0(hidden, [occ])).toThrow(/options.rng/);
    expect(() => fitTheta0({} as never, [occ])).toThrow(/machine must be a Machine/);
    expect(() => initialOffsetsFromData(machine, [occ, new Uint8Array(3)])).toThrow(/lattices\[1\]/);
  });
});

describe('forms end to end (tiny)', () => {
  it('a 1-D visible h/J/K model: θ(0) fitted, default domain, trained a few steps, moments predicted', () => {
    // Smoke test of the wiring (the triplet machine through the trainer's generic Gibbs path and predictMoments);
    // the learning itself is tested elsewhere. Data: 1-D trajectories of independent sites at density 0.3.
    const N = 30;
    const T = 6;
    const rng = createRng(12);
    const trajectories = Array.from({ length: 4 }, () => ({
      shape: [N],
      species: ['A'],
      times: Float64Array.from({ length: T }, (_, t) => t),
      occupancy: Uint8Array.from({ length: T * N }, () => (rng.nextFloat64() < 0.3 ? 1 : 0)),
    }));
    const spec = buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [N], species: ['A'] });
    const machine = createMachine(spec);
    const theta0 = fitTheta0(machine, trajectories.map((tr) => tr.occupancy.subarray(0, N)));
    // independent sites: h ≈ ln(0.3 / 0.7), couplings ≈ 0 within the estimator's spread (120 sites: ± ~0.5)
    expect(Math.abs(theta0[0]! - Math.log(0.3 / 0.7))).toBeLessThan(1);
    const trainer = createDbdTrainer(
      { machine: spec, theta0: Array.from(theta0), domain: defaultFeDomain(machine), steps: 3, window: 2, horizonStart: 2, batchSize: 2, asleepChains: 2, awakeSweeps: 1, asleepSweeps: 1 },
      { trajectories },
      createRng(13),
    );
    for (let i = 0; i < 3; i++) trainer.step();
    const model = trainer.model();
    expect(model.domain).toEqual(['hA', 'nAA', 'kAAA']);
    const trajectory = trainer.parameterTrajectory();
    const prediction = predictMoments(model, trajectory, { rng: createRng(14), chains: 10, filter: false });
    expect(prediction.mean.A!.length).toBe(trajectory.theta.length / model.names.length);
    for (const v of prediction.mean.A!) expect(v).toBeGreaterThan(0);
    expect(() => predictMoments(model, trainer.parameterTrajectory(), { rng: createRng(14), finalProbabilities: true })).toThrow(
      /visible triplets/,
    );
  });
});
