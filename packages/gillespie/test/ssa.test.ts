import { describe, expect, it } from 'vitest';
import {
  createRng,
  type EnsembleStatistics,
  parseModel,
  type Rng,
  SimulationError,
  SSA_METHODS,
  simulate,
  simulateEnsemble,
} from '../src/index.ts';

/**
 * Scoring as in the SBML discrete stochastic test suite: with n runs, Z = sqrt(n)(mean − μ)/σ is standard normal
 * and Y = sqrt(n/2)(S²/σ² − 1) is approximately standard normal for large n. We accept |Z| < 4 and |Y| < 5 at
 * every grid point: with ~10 correlated points per test and a fixed seed, a correct simulator fails this with
 * probability well below 1e-3, while a wrong rate or combinatorial factor shifts Z by tens.
 */
function score(stats: EnsembleStatistics, species: number, exact: (t: number) => { mean: number; variance: number }) {
  const S = stats.species.length;
  let worstZ = 0;
  let worstY = 0;
  for (let g = 1; g < stats.times.length; g++) {
    const { mean, variance } = exact(stats.times[g]);
    const n = stats.count[g];
    const z = (Math.sqrt(n) * (stats.mean[g * S + species] - mean)) / Math.sqrt(variance);
    const y = Math.sqrt(n / 2) * (stats.sd[g * S + species] ** 2 / variance - 1);
    if (Math.abs(z) > Math.abs(worstZ)) worstZ = z;
    if (Math.abs(y) > Math.abs(worstY)) worstY = y;
  }
  return { worstZ, worstY };
}

const birthDeath = parseModel('X -> 2 X @ 0.8\nX -> 0 @ 1.0\nX = 50');
// Linear birth-death from n0: mean n0 e^{rt}, variance n0 (λ+μ)/(λ−μ) e^{rt}(e^{rt} − 1), r = λ − μ.
const birthDeathExact = (t: number) => {
  const r = 0.8 - 1.0;
  const e = Math.exp(r * t);
  return { mean: 50 * e, variance: ((50 * (0.8 + 1.0)) / r) * e * (e - 1) };
};

const immigrationDeath = parseModel('0 -> X @ 10\nX -> 0 @ 0.5\nX = 0');
// From X(0) = 0, X(t) is Poisson with mean (k/γ)(1 − e^{−γt}).
const immigrationDeathExact = (t: number) => {
  const m = 20 * (1 - Math.exp(-0.5 * t));
  return { mean: m, variance: m };
};

describe.each(SSA_METHODS)('%s method', (method) => {
  it('matches the exact mean and variance of linear birth-death', () => {
    const stats = simulateEnsemble(birthDeath, { runs: 4000, seed: 101, tEnd: 4, steps: 8, method });
    const { worstZ, worstY } = score(stats, 0, birthDeathExact);
    expect(Math.abs(worstZ)).toBeLessThan(4);
    expect(Math.abs(worstY)).toBeLessThan(5);
  });

  it('matches the exact Poisson law of immigration-death over time', () => {
    const stats = simulateEnsemble(immigrationDeath, { runs: 4000, seed: 202, tEnd: 6, steps: 6, method });
    const { worstZ, worstY } = score(stats, 0, immigrationDeathExact);
    expect(Math.abs(worstZ)).toBeLessThan(4);
    expect(Math.abs(worstY)).toBeLessThan(5);
  });
});

describe('stationary immigration-death', () => {
  // After t = 30 = 15 relaxation times the law is Poisson(20) to within e^{-15}. Chi-square over bins with
  // expected counts >= 5 (tails merged); the 0.1% critical value comes from the Wilson-Hilferty approximation.
  it('is Poisson(k/γ) by a chi-square test', () => {
    const runs = 5000;
    const stats = simulateEnsemble(immigrationDeath, { runs, seed: 303, tEnd: 30, steps: 1, keepFinalStates: true });
    const finals = stats.finalStates!;
    const lambda = 20;
    const pmf = (k: number) => Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
    const lo = 9;
    const hi = 32;
    const observed = new Float64Array(hi - lo + 1);
    for (const value of finals) observed[Math.min(hi, Math.max(lo, value)) - lo]++;
    let lowerTail = 0;
    for (let k = 0; k <= lo; k++) lowerTail += pmf(k);
    let upperTail = 0;
    for (let k = hi; k < 200; k++) upperTail += pmf(k);
    let chi2 = 0;
    for (let k = lo; k <= hi; k++) {
      const p = k === lo ? lowerTail : k === hi ? upperTail : pmf(k);
      const expected = runs * p;
      expect(expected).toBeGreaterThan(5);
      chi2 += (observed[k - lo] - expected) ** 2 / expected;
    }
    const df = hi - lo;
    const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
    expect(chi2).toBeLessThan(critical);
  });
});

function logFactorial(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

describe('agreement between methods on Lotka-Volterra', () => {
  // No closed form here: compare each method's ensemble with the direct method's by a two-sample z-score
  // (independent seeds), |z| < 4 at every grid time for both species.
  it('gives the same means for direct, nrm and cr', () => {
    const lv = parseModel('X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100');
    const options = { runs: 1500, tEnd: 4, steps: 4 };
    const reference = simulateEnsemble(lv, { ...options, seed: 1, method: 'direct' });
    for (const [method, seed] of [['nrm', 2], ['cr', 3]] as const) {
      const other = simulateEnsemble(lv, { ...options, seed, method });
      for (let i = 2; i < reference.mean.length; i++) {
        const se = Math.sqrt((reference.sd[i] ** 2 + other.sd[i] ** 2) / options.runs);
        expect(Math.abs(reference.mean[i] - other.mean[i]) / se).toBeLessThan(4);
      }
    }
  });
});

describe('simulate', () => {
  const lv = parseModel('X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100');

  it('is reproducible and the specialised direct kernel equals the generic one', () => {
    const a = simulate(lv, { tEnd: 5, steps: 50, rng: createRng(8) });
    const b = simulate(lv, { tEnd: 5, steps: 50, rng: createRng(8), specialise: false });
    expect(a.events).toBeGreaterThan(100);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    const general = parseModel('S -> P @ 4 * S / (2 + S)\nP -> 0 @ 0.3\nS = 40');
    const c = simulate(general, { tEnd: 20, steps: 20, rng: createRng(9) });
    const d = simulate(general, { tEnd: 20, steps: 20, rng: createRng(9), specialise: false });
    expect(Array.from(c.values)).toEqual(Array.from(d.values));
  });

  it('selects the same reactions in the specialised kernel for 1 to 20 reactions (unrolled and looped search)', () => {
    // A ring of n species with conversions A_i -> A_{i+1} at different rates; every second species starts empty,
    // so zero propensities sit between positive ones (the round-off guard's case). The event logs (time and
    // reaction of every event) must agree exactly with the generic kernel's.
    // 1-8 reactions run the branch-free kernel, 9-16 the unrolled switch, 17 and more the looped search.
    for (const n of [1, 2, 3, 6, 8, 9, 16, 17, 20]) {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`A${i} -> A${(i + 1) % n} @ ${0.5 + (i % 4) * 0.75}`);
      for (let i = 0; i < n; i++) lines.push(`A${i} = ${i % 2 === 0 ? 7 + i : 0}`);
      const model = parseModel(lines.join('\n'));
      const a = simulate(model, { tEnd: 3, steps: 3, rng: createRng(31 + n), logEvents: 2000 });
      const b = simulate(model, { tEnd: 3, steps: 3, rng: createRng(31 + n), logEvents: 2000, specialise: false });
      expect(a.events).toBeGreaterThan(5);
      expect(Array.from(a.eventLog!.reactions)).toEqual(Array.from(b.eventLog!.reactions));
      expect(Array.from(a.eventLog!.times)).toEqual(Array.from(b.eventLog!.times));
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
    }
  });

  it('gives the same run through the inline generator and through any Rng, and leaves the generator in step', () => {
    // The generated kernel runs xoshiro128** on local variables when handed a Xoshiro128 and calls the methods of
    // any other Rng; a structural wrapper of the same generator must see the same draws, events and final state.
    // LV runs the branch-free kernel, a ring of 12 conversions the switch kernel.
    const ring = parseModel(
      [...Array(6).keys()].flatMap((i) => [`A${i} -> A${(i + 1) % 6} @ ${1 + i * 0.25}`, `A${(i + 1) % 6} -> A${i} @ 0.5`, `A${i} = ${5 * i}`]).join('\n'),
    );
    for (const model of [lv, ring]) {
      const inline = createRng(12);
      const wrappedSource = createRng(12);
      const wrapped: Rng = {
        nextUint32: () => wrappedSource.nextUint32(),
        nextFloat64: () => wrappedSource.nextFloat64(),
        stream: (i) => wrappedSource.stream(i),
        getState: () => wrappedSource.getState(),
        setState: (state) => wrappedSource.setState(state),
      };
      const generic = createRng(12);
      const a = simulate(model, { tEnd: 8, steps: 8, rng: inline, logEvents: 100_000 });
      const b = simulate(model, { tEnd: 8, steps: 8, rng: wrapped, logEvents: 100_000 });
      const c = simulate(model, { tEnd: 8, steps: 8, rng: generic, logEvents: 100_000, specialise: false });
      expect(a.events).toBeGreaterThan(500);
      for (const other of [b, c]) {
        expect(Array.from(other.eventLog!.times)).toEqual(Array.from(a.eventLog!.times));
        expect(Array.from(other.eventLog!.reactions)).toEqual(Array.from(a.eventLog!.reactions));
        expect(Array.from(other.values)).toEqual(Array.from(a.values));
      }
      expect(Array.from(inline.getState())).toEqual(Array.from(wrappedSource.getState()));
      expect(Array.from(inline.getState())).toEqual(Array.from(generic.getState()));
    }
  });

  it('records the grid and logs events on request', () => {
    const run = simulate(lv, { tEnd: 2, steps: 4, rng: createRng(1), logEvents: 10 });
    expect(Array.from(run.times)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(Array.from(run.values.slice(0, 2))).toEqual([50, 100]);
    expect(run.status).toBe('completed');
    expect(run.eventLog!.times).toHaveLength(10);
    const times = Array.from(run.eventLog!.times);
    expect(times).toEqual([...times].sort((p, q) => p - q));
    expect(run.eventsPerSecond).toBeGreaterThan(0);
  });

  it('stops runaway runs at the population or event cap and flags them', () => {
    const runaway = parseModel('X -> 2 X @ 1\nX = 10');
    const capped = simulate(runaway, { tEnd: 100, steps: 100, rng: createRng(2), maxPopulation: 1000 });
    expect(capped.status).toBe('population-cap');
    expect(capped.stoppedAt).toBeLessThan(100);
    expect(Number.isNaN(capped.values[capped.values.length - 1])).toBe(true);
    const eventCapped = simulate(runaway, { tEnd: 100, steps: 10, rng: createRng(2), maxEvents: 5 });
    expect(eventCapped.status).toBe('event-cap');
    expect(eventCapped.events).toBe(5);
    const stats = simulateEnsemble(runaway, { runs: 20, seed: 4, tEnd: 50, steps: 5, maxPopulation: 500 });
    expect(stats.flagged).toHaveLength(20);
    expect(stats.flagged[0].status).toBe('population-cap');
    expect(stats.count[0]).toBe(20);
    expect(stats.count[5]).toBe(0);
  });

  it('stops when every propensity is zero and keeps the final state on the rest of the grid', () => {
    const run = simulate(parseModel('X -> 0 @ 5\nX = 3'), { tEnd: 100, steps: 10, rng: createRng(3) });
    expect(run.status).toBe('completed');
    expect(run.events).toBe(3);
    expect(run.values[10]).toBe(0);
  });

  it('throws SimulationError naming the reaction for an infinite or negative propensity', () => {
    const division = parseModel('X -> 0 @ 2 / (X - 5)\nX = 10');
    expect(() => simulate(division, { tEnd: 100, rng: createRng(1) })).toThrow(SimulationError);
    expect(() => simulate(division, { tEnd: 100, rng: createRng(1) })).toThrow(/reaction 'r1'/);
    const negative = parseModel('grow: 0 -> X @ 5.5 - X\nX = 0');
    for (const method of SSA_METHODS) {
      expect(() => simulate(negative, { tEnd: 100, rng: createRng(1), method })).toThrow(/reaction 'grow' has propensity -0.5/);
    }
  });

  it('validates its options', () => {
    const rng = createRng(1);
    expect(() => simulate(lv, { tEnd: 0, rng })).toThrow(/tEnd/);
    expect(() => simulate(lv, { tEnd: 1, steps: 0, rng })).toThrow(/steps/);
    expect(() => simulate(lv, { tEnd: 1, method: 'tau' as 'direct', rng })).toThrow(/method must be one of/);
    expect(() => simulate(lv, { tEnd: 1, maxEvents: -1, rng })).toThrow(/maxEvents/);
    expect(() => simulate(lv, { tEnd: 1, rng: {} as never })).toThrow(TypeError);
    expect(() => simulateEnsemble(lv, { tEnd: 1, runs: 0, seed: 1 })).toThrow(/runs/);
    expect(() => simulateEnsemble(lv, { tEnd: 1, runs: 1, seed: -4 })).toThrow(/seed/);
    expect(() => simulateEnsemble(lv, { tEnd: 1, runs: 1, seed: 1, covariance: ['Q'] })).toThrow(/unknown species 'Q'/);
  });
});

describe('ensemble covariance', () => {
  // Two independent immigration-death species: covariance 0 (se ≈ σ²/sqrt(n)), variance = mean.
  it('estimates the covariance matrix of chosen species', () => {
    const model = parseModel('0 -> A @ 10\nA -> 0 @ 1\n0 -> B @ 5\nB -> 0 @ 1');
    const runs = 3000;
    const stats = simulateEnsemble(model, { runs, seed: 5, tEnd: 10, steps: 1, covariance: ['A', 'B'] });
    const cov = stats.covariance!.values.slice(4, 8);
    expect(Math.abs(cov[1]) / Math.sqrt((10 * 5) / runs)).toBeLessThan(4);
    expect(cov[1]).toBeCloseTo(cov[2], 12);
    expect(Math.abs(cov[0] - stats.sd[2] ** 2)).toBeLessThan(1e-9 * cov[0]);
  });
});
