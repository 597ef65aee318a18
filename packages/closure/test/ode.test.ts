import { describe, expect, it } from 'vitest';
import {
  type Dopri5Stats,
  integrateDopri5,
  integrateEuler,
  integrateRk4,
  OdeIntegrationError,
  type OdeRhs,
} from '../src/ode.ts';

const decay: OdeRhs = (_t, y, d) => {
  d[0] = -0.7 * y[0]!;
};
const oscillator: OdeRhs = (_t, y, d) => {
  d[0] = y[1]!;
  d[1] = -4 * y[0]!; // ω = 2
};
// non-autonomous: y' = cos t, y = sin t
const forced: OdeRhs = (t, _y, d) => {
  d[0] = Math.cos(t);
};

function grid(t0: number, t1: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => t0 + ((t1 - t0) * k) / (n - 1));
}

function maxErrDecay(out: Float64Array, times: Float64Array): number {
  let e = 0;
  for (let k = 0; k < times.length; k++) e = Math.max(e, Math.abs(out[k]! - 2 * Math.exp(-0.7 * times[k]!)));
  return e;
}

function maxErrOsc(out: Float64Array, times: Float64Array): number {
  let e = 0;
  for (let k = 0; k < times.length; k++) {
    const t = times[k]!;
    e = Math.max(e, Math.abs(out[2 * k]! - Math.cos(2 * t)), Math.abs(out[2 * k + 1]! + 2 * Math.sin(2 * t)));
  }
  return e;
}

describe('shape and initial row', () => {
  it.each([
    ['euler', integrateEuler],
    ['rk4', integrateRk4],
    ['dopri5', integrateDopri5],
  ] as const)('%s returns times.length × n with row 0 = y0', (_name, integrate) => {
    const times = grid(0, 3, 7);
    const out = integrate(oscillator, Float64Array.of(1, 0), times);
    expect(out.length).toBe(14);
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(0);
  });

  it('a single output time returns y0', () => {
    const out = integrateDopri5(decay, Float64Array.of(3), Float64Array.of(5));
    expect(Array.from(out)).toEqual([3]);
  });

  it('does not modify y0', () => {
    const y0 = Float64Array.of(2);
    integrateRk4(decay, y0, grid(0, 1, 3));
    integrateDopri5(decay, y0, grid(0, 1, 3));
    expect(y0[0]).toBe(2);
  });
});

describe('analytic solutions', () => {
  it('exponential decay', () => {
    const times = grid(0, 5, 11);
    const y0 = Float64Array.of(2);
    expect(maxErrDecay(integrateEuler(decay, y0, times, { substeps: 2000 }), times)).toBeLessThan(2e-4);
    expect(maxErrDecay(integrateRk4(decay, y0, times, { substeps: 10 }), times)).toBeLessThan(1e-7);
    expect(maxErrDecay(integrateDopri5(decay, y0, times, { rtol: 1e-10, atol: 1e-12 }), times)).toBeLessThan(1e-9);
  });

  it('harmonic oscillator over several periods', () => {
    const times = grid(0, 10, 41);
    const y0 = Float64Array.of(1, 0);
    expect(maxErrOsc(integrateRk4(oscillator, y0, times, { substeps: 20 }), times)).toBeLessThan(1e-5);
    expect(maxErrOsc(integrateDopri5(oscillator, y0, times, { rtol: 1e-10, atol: 1e-12 }), times)).toBeLessThan(
      1e-8,
    );
  });

  it('non-autonomous right-hand side sees the right times', () => {
    const times = grid(1, 4, 7);
    for (const out of [
      integrateRk4(forced, Float64Array.of(Math.sin(1)), times, { substeps: 20 }),
      integrateDopri5(forced, Float64Array.of(Math.sin(1)), times, { rtol: 1e-10, atol: 1e-12 }),
      integrateDopri5(forced, Float64Array.of(Math.sin(1)), times, { rtol: 1e-10, atol: 1e-12, dense: false }),
    ]) {
      for (let k = 0; k < times.length; k++) expect(out[k]).toBeCloseTo(Math.sin(times[k]!), 7);
    }
  });
});

describe('observed convergence order', () => {
  // error at t = 2 of the oscillator for step h and h/2; the log2 ratio estimates the order
  function order(integrate: typeof integrateEuler, s: number): number {
    const times = Float64Array.of(0, 2);
    const err = (sub: number): number => maxErrOsc(integrate(oscillator, Float64Array.of(1, 0), times, { substeps: sub }), times);
    return Math.log2(err(s) / err(2 * s));
  }

  it('Euler is first order', () => {
    const p = order(integrateEuler, 2000);
    expect(p).toBeGreaterThan(0.9);
    expect(p).toBeLessThan(1.1);
  });

  it('RK4 is fourth order', () => {
    const p = order(integrateRk4, 40);
    expect(p).toBeGreaterThan(3.8);
    expect(p).toBeLessThan(4.2);
  });

  it('DOPRI5 honours its tolerance, and tighter tolerances cost more steps', () => {
    const times = grid(0, 10, 21);
    let lastSteps = 0;
    for (const rtol of [1e-4, 1e-6, 1e-8, 1e-10]) {
      const stats: Dopri5Stats = { accepted: 0, rejected: 0, evaluations: 0 };
      const out = integrateDopri5(oscillator, Float64Array.of(1, 0), times, { rtol, atol: rtol * 1e-3, stats });
      // global error after ~3 periods stays within a modest multiple of the local tolerance
      expect(maxErrOsc(out, times)).toBeLessThan(50 * rtol);
      expect(stats.accepted).toBeGreaterThan(lastSteps);
      lastSteps = stats.accepted;
    }
  });

  it('dense output and clipped steps agree to tolerance', () => {
    const times = grid(0, 10, 101);
    const a = integrateDopri5(oscillator, Float64Array.of(1, 0), times, { rtol: 1e-9, atol: 1e-12 });
    const b = integrateDopri5(oscillator, Float64Array.of(1, 0), times, { rtol: 1e-9, atol: 1e-12, dense: false });
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-7);
  });

  it('maxStep limits the step and initialStep is accepted', () => {
    const stats: Dopri5Stats = { accepted: 0, rejected: 0, evaluations: 0 };
    integrateDopri5(decay, Float64Array.of(1), Float64Array.of(0, 10), { maxStep: 0.1, initialStep: 0.05, stats });
    expect(stats.accepted).toBeGreaterThanOrEqual(100);
  });
});

describe('validation and failures', () => {
  const y0 = Float64Array.of(1);
  const times = Float64Array.of(0, 1);

  it('rejects bad arguments with errors naming them', () => {
    for (const integrate of [integrateEuler, integrateRk4, integrateDopri5]) {
      expect(() => integrate(null as unknown as OdeRhs, y0, times)).toThrow(/rhs/);
      expect(() => integrate(decay, [1] as unknown as Float64Array, times)).toThrow(TypeError);
      expect(() => integrate(decay, new Float64Array(0), times)).toThrow(/y0/);
      expect(() => integrate(decay, Float64Array.of(Number.NaN), times)).toThrow(/y0\[0\]/);
      expect(() => integrate(decay, y0, new Float64Array(0))).toThrow(/times/);
      expect(() => integrate(decay, y0, Float64Array.of(0, 1, 1))).toThrow(/strictly increasing/);
      expect(() => integrate(decay, y0, Float64Array.of(0, 2, 1))).toThrow(RangeError);
      expect(() => integrate(decay, y0, Float64Array.of(0, Number.POSITIVE_INFINITY))).toThrow(/times\[1\]/);
    }
    expect(() => integrateRk4(decay, y0, times, { substeps: 0 })).toThrow(/substeps/);
    expect(() => integrateEuler(decay, y0, times, { substeps: 1.5 })).toThrow(/substeps/);
    expect(() => integrateDopri5(decay, y0, times, { rtol: -1 })).toThrow(/rtol/);
    expect(() => integrateDopri5(decay, y0, times, { atol: Number.NaN })).toThrow(/atol/);
    expect(() => integrateDopri5(decay, y0, times, { rtol: 0, atol: 0 })).toThrow(/both/);
    expect(() => integrateDopri5(decay, y0, times, { maxSteps: 0 })).toThrow(/maxSteps/);
    expect(() => integrateDopri5(decay, y0, times, { maxStep: 0 })).toThrow(/maxStep/);
    expect(() => integrateDopri5(decay, y0, times, { initialStep: -1 })).toThrow(/initialStep/);
  });

  it('a blow-up throws OdeIntegrationError naming the time', () => {
    const blowUp: OdeRhs = (_t, y, d) => {
      d[0] = y[0]! * y[0]!;
    }; // y = 1/(1 − t), singular at t = 1
    const t = Float64Array.of(0, 0.5, 2);
    expect(() => integrateRk4(blowUp, Float64Array.of(1), t, { substeps: 4 })).toThrow(OdeIntegrationError);
    expect(() => integrateRk4(blowUp, Float64Array.of(1), t, { substeps: 4 })).toThrow(/t = 2/);
    expect(() => integrateDopri5(blowUp, Float64Array.of(1), t)).toThrow(OdeIntegrationError);
    try {
      integrateDopri5(blowUp, Float64Array.of(1), t);
    } catch (e) {
      expect((e as OdeIntegrationError).time).toBeGreaterThan(0.99);
      // the last accepted step may end a hair past the singularity before the step size collapses
      expect((e as OdeIntegrationError).time).toBeLessThan(1.001);
    }
  });

  it('a non-finite derivative at the start is reported', () => {
    const bad: OdeRhs = (_t, _y, d) => {
      d[0] = Number.NaN;
    };
    expect(() => integrateDopri5(bad, y0, times)).toThrow(/non-finite derivative at t = 0/);
    expect(() => integrateEuler(bad, y0, times)).toThrow(/non-finite state at t = 1/);
  });

  it('maxSteps budget', () => {
    expect(() => integrateDopri5(oscillator, Float64Array.of(1, 0), Float64Array.of(0, 100), { maxSteps: 5 })).toThrow(
      /maxSteps/,
    );
  });
});
