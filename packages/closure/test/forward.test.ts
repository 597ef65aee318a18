import { describe, expect, it } from 'vitest';
import { createDbd, DbdDivergenceError, evaluateRhs, integrateParameters, paperMachineSpec, paperTheta0 } from '../src/index.ts';
import { createMachine } from '@srn/boltzmann';

// Forward integration of a known F. F_hX(x) = −k (hX − h*) is linear in the domain coordinate hX, so the Q3 C1
// element represents it exactly (setFromDerivatives with value and first derivative; cubic Hermite reproduces
// polynomials of degree ≤ 3 per coordinate). Analytic solution: hX(t) = h* + (hX(0) − h*) e^{−kt}.
const k = 0.05;
const hStar = -1.0;

function linearModel() {
  const model = createDbd({ machine: paperMachineSpec(4), theta0: paperTheta0(createMachine(paperMachineSpec(4))) });
  const iX = model.domain.indexOf('hX');
  const f = model.functions[model.names.indexOf('hX')];
  const d = model.domain.length;
  const lower = new Array(d).fill(-1);
  const upper = new Array(d).fill(1);
  lower[iX] = -2;
  upper[iX] = 25; // hX from θ(0) = −2.64 up to ≈ 0: the vertices hX(0) − 0.05 + n·0.1
  f.setFromDerivatives(lower, upper, (x, out) => {
    out.fill(0);
    out[0] = -k * (x[iX] - hStar);
    out[1 << (d - 1 - iX)] = -k; // ∂F/∂x_iX, the DER dof of dimension iX
  });
  // F_wXX1 ≡ 0.01 (constant): wXX1(t) = 0.01 t, which moves along another domain axis (it is in the grid box).
  const g = model.functions[model.names.indexOf('wXX1')];
  const iW = model.domain.indexOf('wXX1');
  const lo2 = new Array(d).fill(-1);
  const up2 = new Array(d).fill(1);
  lo2[iX] = -2;
  up2[iX] = 25;
  lo2[iW] = -1;
  up2[iW] = 10;
  g.setFromDerivatives(lo2, up2, (_x, out) => {
    out.fill(0);
    out[0] = 0.01;
  });
  upper[iW] = 10;
  f.setFromDerivatives(lower, upper, (x, out) => {
    out.fill(0);
    out[0] = -k * (x[iX] - hStar);
    out[1 << (d - 1 - iX)] = -k;
  });
  return model;
}

describe('integrateParameters', () => {
  const model = linearModel();
  const times = Float64Array.from({ length: 51 }, (_, t) => t);
  const P = model.names.length;
  const iX = model.names.indexOf('hX');
  const iW = model.names.indexOf('wXX1');
  const h0 = model.theta0[iX];
  const exact = (t: number) => hStar + (h0 - hStar) * Math.exp(-k * t);

  it('RK4 and Dormand–Prince reproduce the analytic solution', () => {
    for (const [method, tol] of [
      ['rk4', 1e-7], // RK4 with 4 substeps of 0.25: local error (k h)^5/120 ≈ 3e-12 per step
      ['dopri5', 1e-6], // adaptive, rtol 1e-8
    ] as const) {
      const r = integrateParameters(model, times, { method, substeps: 4, rtol: 1e-8, atol: 1e-10 });
      expect(r.names).toEqual([...model.names]);
      for (let t = 0; t < times.length; t++) {
        expect(Math.abs(r.theta[t * P + iX] - exact(t))).toBeLessThan(tol);
        expect(r.theta[t * P + iW]).toBeCloseTo(0.01 * t, 10);
        expect(r.theta[t * P + model.names.indexOf('hY')]).toBe(model.theta0[model.names.indexOf('hY')]);
      }
    }
  });

  it('Euler (the paper scheme) is the exact geometric recursion and converges at first order with substeps', () => {
    const one = integrateParameters(model, times);
    // Explicit Euler with Δt = 1 on a linear ODE: hX(t) − h* = (1 − k)^t (hX(0) − h*), exactly (up to round-off).
    for (let t = 0; t < times.length; t++) {
      expect(one.theta[t * P + iX]).toBeCloseTo(hStar + (h0 - hStar) * (1 - k) ** t, 10);
    }
    const err = (n: number) => {
      const r = integrateParameters(model, times, { substeps: n });
      return Math.abs(r.theta[50 * P + iX] - exact(50));
    };
    const e1 = err(1);
    const e10 = err(10);
    expect(e10).toBeLessThan(e1 / 8); // first order: ratio ≈ 10
    expect(e10).toBeGreaterThan(e1 / 12);
  });

  it('evaluateRhs returns F(x(θ)) and the untrained model stays at θ(0)', () => {
    const out = evaluateRhs(model, model.theta0, new Float64Array(P));
    expect(out[iX]).toBeCloseTo(-k * (h0 - hStar), 12);
    const flat = createDbd({ machine: paperMachineSpec(4), theta0: paperTheta0(createMachine(paperMachineSpec(4))) });
    const r = integrateParameters(flat, Float64Array.of(0, 1, 2), { method: 'rk4' });
    expect(Array.from(r.theta.slice(2 * P))).toEqual(Array.from(paperTheta0(createMachine(paperMachineSpec(4)))));
    expect(r.theta[0]).toBeCloseTo(Math.log(1 / 14), 12);
  });

  it('reports divergence and validates its arguments', () => {
    const wild = createDbd({ machine: paperMachineSpec(4), theta0: paperTheta0(createMachine(paperMachineSpec(4))) });
    const f = wild.functions[0];
    const d = wild.domain.length;
    f.setFromDerivatives(new Array(d).fill(-2), new Array(d).fill(2), (_x, out) => {
      out.fill(0);
      out[0] = 1e308;
    });
    expect(() => integrateParameters(wild, Float64Array.of(0, 1, 2, 3))).toThrow(DbdDivergenceError);
    expect(() => integrateParameters(model, Float64Array.of(0, 2, 1))).toThrow(/times must be finite and strictly increasing/);
    expect(() => integrateParameters(model, times, { method: 'euler2' as 'euler' })).toThrow(/options.method/);
    expect(() => integrateParameters(model, times, { substeps: 0 })).toThrow(/options.substeps/);
    expect(() => integrateParameters({} as never, times)).toThrow(TypeError);
  });
});
