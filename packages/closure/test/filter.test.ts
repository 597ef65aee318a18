import { describe, expect, it } from 'vitest';
import { DEFAULT_LOW_PASS_TAPS, lowPassColumns, lowPassFilter, lowPassKernel } from '../src/filter.ts';

/** Frequency response of a symmetric kernel centred at its middle tap (real because of the symmetry). */
function response(h: Float64Array, w: number): number {
  const m = (h.length - 1) / 2;
  let s = 0;
  for (let k = 0; k < h.length; k++) s += h[k]! * Math.cos(w * (k - m));
  return s;
}

describe('lowPassKernel', () => {
  it('has unit DC gain, odd length and is symmetric', () => {
    for (const taps of [1, 3, 31, 61, 101]) {
      const h = lowPassKernel(0.1, taps);
      expect(h.length).toBe(taps);
      expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      for (let k = 0; k < taps; k++) expect(h[k]).toBe(h[taps - 1 - k]);
    }
  });

  it('default length is 61', () => {
    expect(DEFAULT_LOW_PASS_TAPS).toBe(61);
  });

  it('passband near 1, stopband attenuated by the Hamming window amount', () => {
    const h = lowPassKernel(0.1, 61);
    expect(response(h, 0.01)).toBeGreaterThan(0.99);
    expect(response(h, 0.03)).toBeGreaterThan(0.95);
    // Hamming-windowed sinc: ≥ ~50 dB from a transition width (≈ 6.6π/61 ≈ 0.34) past the cutoff onwards
    let worst = 0;
    for (let w = 0.45; w < Math.PI; w += 0.001) worst = Math.max(worst, Math.abs(response(h, w)));
    expect(worst).toBeLessThan(10 ** (-50 / 20));
  });

  it('rejects bad arguments', () => {
    expect(() => lowPassKernel(0, 61)).toThrow(/cutoff/);
    expect(() => lowPassKernel(Math.PI, 61)).toThrow(/cutoff/);
    expect(() => lowPassKernel(Number.NaN, 61)).toThrow(/cutoff/);
    expect(() => lowPassKernel(0.1, 60)).toThrow(/taps/);
    expect(() => lowPassKernel(0.1, 0)).toThrow(/taps/);
    expect(() => lowPassKernel(0.1, 2.5)).toThrow(/taps/);
    expect(() => lowPassKernel(0.1, 61, 'blackman' as 'hamming')).toThrow(/window/);
  });
});

describe('lowPassFilter', () => {
  it('passes constants unchanged (including short series shorter than the kernel)', () => {
    for (const n of [1, 5, 200]) {
      const out = lowPassFilter(new Float64Array(n).fill(3.25));
      expect(out.length).toBe(n);
      for (const v of out) expect(v).toBeCloseTo(3.25, 13);
    }
  });

  it('passes a slow sinusoid and removes a fast one (interior samples)', () => {
    const n = 600;
    const slow = (t: number): number => Math.sin(0.01 * t);
    const fast = (t: number): number => Math.sin(2.0 * t + 0.3);
    const out = lowPassFilter(Float64Array.from({ length: n }, (_, t) => slow(t) + fast(t)));
    for (let t = 30; t < n - 30; t++) {
      // gain at 0.01 is ≥ 0.99 and the stopband leaves ≤ 1e-3 of the fast tone
      expect(Math.abs(out[t]! - slow(t))).toBeLessThan(0.01 + 1e-3);
    }
    // attenuation of a lone fast tone matches the kernel's response at that frequency
    const h = lowPassKernel(0.1, 61);
    const alone = lowPassFilter(Float64Array.from({ length: n }, (_, t) => fast(t)));
    let amp = 0;
    for (let t = 30; t < n - 30; t++) amp = Math.max(amp, Math.abs(alone[t]!));
    expect(amp).toBeLessThanOrEqual(Math.abs(response(h, 2.0)) + 1e-12);
    expect(amp).toBeLessThan(10 ** (-50 / 20));
  });

  it('has zero phase: a symmetric pulse stays centred, a ramp passes in the interior', () => {
    const n = 201;
    const pulse = Float64Array.from({ length: n }, (_, t) => Math.exp(-(((t - 100) / 15) ** 2)));
    const out = lowPassFilter(pulse);
    for (let d = 1; d < 60; d++) expect(out[100 - d]).toBeCloseTo(out[100 + d]!, 12);
    let argmax = 0;
    for (let t = 0; t < n; t++) if (out[t]! > out[argmax]!) argmax = t;
    expect(argmax).toBe(100);
    const ramp = lowPassFilter(Float64Array.from({ length: n }, (_, t) => 2 * t - 7));
    for (let t = 30; t < n - 30; t++) expect(ramp[t]).toBeCloseTo(2 * t - 7, 9);
  });

  it('replicates the edges (a step at the start of the series is not pulled towards zero)', () => {
    const out = lowPassFilter(new Float64Array(100).fill(5), { taps: 21, cutoff: 0.3 });
    expect(out[0]).toBeCloseTo(5, 13);
    expect(out[99]).toBeCloseTo(5, 13);
  });

  it('rejects bad arguments', () => {
    expect(() => lowPassFilter([1, 2] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => lowPassFilter(new Float64Array(0))).toThrow(/series/);
    expect(() => lowPassFilter(Float64Array.of(1, Number.NaN))).toThrow(/series\[1\]/);
    expect(() => lowPassFilter(Float64Array.of(1), { taps: 4 })).toThrow(/options.taps/);
    expect(() => lowPassFilter(Float64Array.of(1), { cutoff: 4 })).toThrow(/options.cutoff/);
    expect(() => lowPassFilter(Float64Array.of(1), { padding: 'zero' as 'replicate' })).toThrow(/padding/);
  });
});

describe('lowPassColumns', () => {
  it('filters each column like lowPassFilter', () => {
    const rows = 120;
    const cols = 3;
    const m = new Float64Array(rows * cols);
    for (let t = 0; t < rows; t++) {
      m[t * cols] = Math.sin(0.05 * t);
      m[t * cols + 1] = t % 2;
      m[t * cols + 2] = 7;
    }
    const out = lowPassColumns(m, rows, cols, { taps: 31 });
    for (let c = 0; c < cols; c++) {
      const col = Float64Array.from({ length: rows }, (_, t) => m[t * cols + c]!);
      const ref = lowPassFilter(col, { taps: 31 });
      for (let t = 0; t < rows; t++) expect(out[t * cols + c]).toBe(ref[t]);
    }
  });

  it('rejects bad shapes', () => {
    expect(() => lowPassColumns(new Float64Array(6), 2, 2)).toThrow(/rows · cols/);
    expect(() => lowPassColumns(new Float64Array(6), 0, 6)).toThrow(/rows/);
    expect(() => lowPassColumns(new Float64Array(6), 3, 2.5)).toThrow(/cols/);
  });
});
