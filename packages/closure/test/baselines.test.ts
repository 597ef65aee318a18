import { describe, expect, it } from 'vitest';
import {
  BASELINE_COLUMNS,
  meanFieldFixedPoint,
  meanFieldLotkaVolterra,
  meanFieldRhs,
  PAIR_STATE_NAMES,
  pairApproximationLotkaVolterra,
  pairApproximationRhs,
  pairInitialState,
  resolveLotkaVolterraRates,
} from '../src/baselines/index.ts';

const grid = (t1: number, dt = 1): Float64Array => Float64Array.from({ length: Math.round(t1 / dt) + 1 }, (_, k) => k * dt);

describe('parameters', () => {
  it('defaults are the paper values', () => {
    const p = resolveLotkaVolterraRates();
    expect(p).toMatchObject({ kr1: 0.025, kr2: 0.06, predationRate: 0.2, hopRate: 1, L: 40, X0: 100, Y0: 100, N: 1600, z: 4 });
    expect(p.birth).toBe('free-site');
  });

  it('rejects bad parameters naming the field', () => {
    const t = grid(2);
    expect(() => meanFieldLotkaVolterra({ kr1: -1 }, t)).toThrow(/params.kr1/);
    expect(() => meanFieldLotkaVolterra({ predationRate: Number.NaN }, t)).toThrow(/params.predationRate/);
    expect(() => meanFieldLotkaVolterra({ L: 2.5 }, t)).toThrow(/params.L/);
    expect(() => meanFieldLotkaVolterra({ X0: 1000, Y0: 1000 }, t)).toThrow(/X0 \+ params.Y0/);
    expect(() => pairApproximationLotkaVolterra({ birth: 'nowhere' as 'free-site' }, t)).toThrow(/params.birth/);
    expect(() => pairApproximationLotkaVolterra(null as unknown as object, t)).toThrow(TypeError);
    expect(() => pairApproximationLotkaVolterra({}, [0, 1] as unknown as Float64Array)).toThrow(/times/);
    expect(() => pairApproximationLotkaVolterra({}, Float64Array.of(0, 0))).toThrow(/strictly increasing/);
    expect(() =>
      pairApproximationLotkaVolterra({}, t, { initial: { XX: 0.5, XY: 0.5, X0: 0, YY: 0, Y0: 0, '00': 0 } }),
    ).toThrow(/sum to 1/);
    expect(() =>
      pairApproximationLotkaVolterra({}, t, { initial: { XX: -0.1, XY: 0, X0: 0, YY: 0, Y0: 0, '00': 1.1 } }),
    ).toThrow(/initial.XX/);
  });

  it('both baselines start from the uncorrelated random placement', () => {
    const t = grid(1);
    for (const pred of [meanFieldLotkaVolterra({}, t), pairApproximationLotkaVolterra({}, t)]) {
      expect(Object.keys(pred.mean)).toEqual([...BASELINE_COLUMNS]);
      const r = 1 / 16;
      expect(pred.mean.X[0]).toBeCloseTo(100, 12);
      expect(pred.mean.Y[0]).toBeCloseTo(100, 12);
      expect(pred.mean.NN_XX[0]).toBeCloseTo(2 * 1600 * r * r, 10);
      expect(pred.mean.NN_XY[0]).toBeCloseTo(4 * 1600 * r * r, 10);
      expect(pred.mean.NNN_YY[0]).toBeCloseTo(3 * 1600 * r * r, 10);
      expect(pred.mean.NNN_XY[0]).toBeCloseTo(6 * 1600 * r * r, 10);
    }
  });
});

describe('mean field', () => {
  it('the analytic fixed point is stationary (both birth placements)', () => {
    for (const birth of ['free-site', 'random-site'] as const) {
      const fp = meanFieldFixedPoint({ birth });
      const d = new Float64Array(2);
      meanFieldRhs({ birth })(0, Float64Array.of(fp.rhoX, fp.rhoY), d);
      expect(Math.abs(d[0]!)).toBeLessThan(1e-17);
      expect(Math.abs(d[1]!)).toBeLessThan(1e-17);
      // starting on it stays on it
      const pred = meanFieldLotkaVolterra({ birth, X0: fp.X, Y0: fp.Y }, Float64Array.of(0, 100, 1000));
      expect(pred.mean.X[2]).toBeCloseTo(fp.X, 8);
      expect(pred.mean.Y[2]).toBeCloseTo(fp.Y, 8);
    }
    const fp = meanFieldFixedPoint({});
    expect(fp.X).toBeCloseTo(120, 12); // N·kr2/(4λ)
    expect(fp.Y).toBeCloseTo(50, 12); // N·kr1/(4λ)
    expect(fp.eigenvalues[0].re).toBe(0);
    expect(fp.eigenvalues[0].im).toBeCloseTo(Math.sqrt(0.025 * 0.06), 15);
  });

  it('random-site births: the paper initial condition converges to the analytic fixed point', () => {
    const fp = meanFieldFixedPoint({ birth: 'random-site' });
    // Re λ ≈ −9.4e-4: after 30 000 time units the deviation has shrunk by e^-28
    const pred = meanFieldLotkaVolterra({ birth: 'random-site' }, Float64Array.of(0, 15_000, 30_000));
    // what is left is the integrator's tolerance (rtol 1e-8 on densities ~0.05, i.e. ~1e-5 counts)
    expect(Math.abs(pred.mean.X[2]! - fp.X)).toBeLessThan(1e-4);
    expect(Math.abs(pred.mean.Y[2]! - fp.Y)).toBeLessThan(1e-4);
    // while halfway it was still visibly off (the decay is slow: e^{-14} of ~20 counts)
    expect(Math.abs(pred.mean.X[1]! - fp.X)).toBeGreaterThan(1e-6);
  });

  it('the Jacobian eigenvalues predict the period and the damping of small oscillations', () => {
    for (const birth of ['free-site', 'random-site'] as const) {
      const fp = meanFieldFixedPoint({ birth });
      const { re, im } = fp.eigenvalues[0];
      const period = (2 * Math.PI) / im;
      const dt = 0.05;
      const times = grid(3.2 * period, dt);
      const eps = 1e-4 * fp.X; // small enough for the linearisation (relative nonlinear effects ~1e-4)
      const pred = meanFieldLotkaVolterra({ birth, X0: fp.X + eps, Y0: fp.Y }, times, { rtol: 1e-12, atol: 1e-16 });
      // successive maxima of X − X*, refined by a parabola through the three grid points around each maximum
      const peaks: { t: number; a: number }[] = [];
      const x = pred.mean.X;
      for (let k = 1; k + 1 < x.length; k++) {
        if (x[k]! > x[k - 1]! && x[k]! >= x[k + 1]!) {
          const [ym, y0, yp] = [x[k - 1]! - fp.X, x[k]! - fp.X, x[k + 1]! - fp.X];
          const s = (0.5 * (ym - yp)) / (ym - 2 * y0 + yp);
          peaks.push({ t: times[k]! + s * dt, a: y0 - 0.25 * (ym - yp) * s });
        }
      }
      expect(peaks.length).toBeGreaterThanOrEqual(3);
      const p1 = peaks[1]!;
      const p2 = peaks[2]!;
      expect((p2.t - p1.t) / period).toBeCloseTo(1, 3);
      // amplitude ratio per period: e^{Re λ · T} (1 for the centre, ≈ 0.859 for the damped focus)
      expect(p2.a / p1.a).toBeCloseTo(Math.exp(re * period), 3);
    }
  });

  it('free-site births: neutral cycles conserve zλ(x+y) − kr2 ln x − kr1 ln y and average to the fixed point', () => {
    const times = grid(20_000, 0.5);
    const pred = meanFieldLotkaVolterra({}, times);
    const V = (k: number): number => {
      const x = pred.densities.rho_X![k]!;
      const y = pred.densities.rho_Y![k]!;
      return 0.8 * (x + y) - 0.06 * Math.log(x) - 0.025 * Math.log(y);
    };
    const v0 = V(0);
    let drift = 0;
    for (let k = 0; k < times.length; k += 100) drift = Math.max(drift, Math.abs(V(k) - v0));
    expect(drift).toBeLessThan(1e-6 * v0);
    // the time average of the classical LV over whole cycles is the fixed point; ~120 cycles, so the partial last
    // cycle contributes < 1 % of one cycle's excursion
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < times.length; k++) {
      sx += pred.mean.X[k]!;
      sy += pred.mean.Y[k]!;
    }
    expect(sx / times.length).toBeCloseTo(120, 0);
    expect(sy / times.length).toBeCloseTo(50, 0);
  });

  it('pair counts are products of densities', () => {
    const pred = meanFieldLotkaVolterra({}, grid(50));
    for (let k = 0; k <= 50; k += 10) {
      const x = pred.densities.rho_X![k]!;
      const y = pred.densities.rho_Y![k]!;
      expect(pred.mean.NN_XY[k]).toBeCloseTo(4 * 1600 * x * y, 10);
      expect(pred.mean.NNN_XX[k]).toBeCloseTo(3 * 1600 * x * x, 10);
    }
  });
});

describe('pair approximation', () => {
  function conservationError(pred: ReturnType<typeof pairApproximationLotkaVolterra>): number {
    const d = pred.densities;
    let worst = 0;
    for (let k = 0; k < pred.times.length; k++) {
      const [x, y, e] = [d.rho_X![k]!, d.rho_Y![k]!, d.rho_0![k]!];
      const [xx, xy, x0, yy, y0, ee] = [d.rho_XX![k]!, d.rho_XY![k]!, d.rho_X0![k]!, d.rho_YY![k]!, d.rho_Y0![k]!, d.rho_00![k]!];
      worst = Math.max(
        worst,
        Math.abs(xx + xy + x0 - x),
        Math.abs(xy + yy + y0 - y),
        Math.abs(x0 + y0 + ee - e),
        Math.abs(x + y + e - 1),
      );
      for (const v of [x, y, e, xx, xy, x0, yy, y0, ee]) expect(v).toBeGreaterThanOrEqual(-1e-12);
    }
    return worst;
  }

  it('conserves probability along the trajectory (Σ_b ρ_ab = ρ_a, Σ_a ρ_a = 1)', () => {
    // singlets and pairs are integrated as independent variables, so this checks that the pair equations sum to
    // the singlet equations (the triplet closure terms must telescope)
    for (const params of [{}, { birth: 'random-site' as const, hopRate: 3, kr1: 0.1 }]) {
      const pred = pairApproximationLotkaVolterra(params, grid(499));
      expect(conservationError(pred)).toBeLessThan(1e-10);
    }
  });

  it('with hops only, correlated pairs relax to the uncorrelated values ρ_a·ρ_b', () => {
    const initial = { XX: 0.15, XY: 0, X0: 0.05, YY: 0.08, Y0: 0.02, '00': 0.63 }; // ρ = (0.2, 0.1, 0.7), clustered
    const pred = pairApproximationLotkaVolterra({ kr1: 0, kr2: 0, predationRate: 0 }, Float64Array.of(0, 1, 100), {
      initial,
    });
    expect(conservationError(pred)).toBeLessThan(1e-12);
    const d = pred.densities;
    const r: Record<string, number> = { X: 0.2, Y: 0.1, '0': 0.7 };
    for (const [a, b] of [
      ['X', 'X'],
      ['X', 'Y'],
      ['X', '0'],
      ['Y', 'Y'],
      ['Y', '0'],
      ['0', '0'],
    ] as const) {
      expect(d[`rho_${a}${b}`]![2]).toBeCloseTo(r[a]! * r[b]!, 9);
    }
    // the distance-2 closure is then uncorrelated as well
    expect(d.rho2_XY![2]).toBeCloseTo(0.02, 9);
    // ... and the product state is exactly stationary
    const dydt = new Float64Array(9);
    pairApproximationRhs({ kr1: 0, kr2: 0, predationRate: 0, X0: 320, Y0: 160 })(
      0,
      pairInitialState({ X0: 320, Y0: 160 }),
      dydt,
    );
    for (const v of dydt) expect(Math.abs(v)).toBeLessThan(1e-16);
  });

  it('approaches mean field as the hop rate grows (difference ∝ 1/h)', () => {
    const times = grid(200);
    const mf = meanFieldLotkaVolterra({}, times);
    const gap = (h: number): number => {
      const pa = pairApproximationLotkaVolterra({ hopRate: h }, times);
      let g = 0;
      for (let k = 0; k < times.length; k++) g = Math.max(g, Math.abs(pa.mean.X[k]! - mf.mean.X[k]!));
      return g;
    };
    const g10 = gap(10);
    const g100 = gap(100);
    const g1000 = gap(1000);
    expect(g10 / g100).toBeGreaterThan(8);
    expect(g10 / g100).toBeLessThan(12);
    expect(g100 / g1000).toBeGreaterThan(8);
    expect(g1000).toBeLessThan(0.1); // prey count, out of ~100–200
  });

  it('NN and NNN columns follow from the pair densities', () => {
    const pred = pairApproximationLotkaVolterra({}, grid(100));
    const d = pred.densities;
    for (let k = 0; k <= 100; k += 25) {
      expect(pred.mean.NN_XX[k]).toBeCloseTo(2 * 1600 * d.rho_XX![k]!, 10);
      expect(pred.mean.NN_XY[k]).toBeCloseTo(4 * 1600 * d.rho_XY![k]!, 10);
      const chain =
        (d.rho_X0![k]! * d.rho_Y0![k]!) / d.rho_0![k]! +
        (d.rho_XX![k]! * d.rho_XY![k]!) / d.rho_X![k]! +
        (d.rho_XY![k]! * d.rho_YY![k]!) / d.rho_Y![k]!;
      expect(pred.mean.NNN_XY[k]).toBeCloseTo(6 * 1600 * chain, 10);
    }
    expect(Object.keys(d)).toEqual([...PAIR_STATE_NAMES, 'rho2_XX', 'rho2_XY', 'rho2_YY']);
  });

  it('predation depletes X–Y contacts relative to mean field and builds Y–Y clusters', () => {
    const times = grid(20);
    const mf = meanFieldLotkaVolterra({}, times);
    const pa = pairApproximationLotkaVolterra({}, times);
    const k = 10;
    const xy = pa.mean.NN_XY[k]! / (4 * pa.mean.X[k]! * pa.mean.Y[k]! / 1600);
    const yy = pa.mean.NN_YY[k]! / (2 * pa.mean.Y[k]! ** 2 / 1600);
    expect(xy).toBeLessThan(0.95);
    expect(yy).toBeGreaterThan(1.05);
    expect(pa.mean.X[k]!).toBeGreaterThan(mf.mean.X[k]!); // fewer contacts, less predation
  });
});
