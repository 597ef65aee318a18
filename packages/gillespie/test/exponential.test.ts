import { describe, expect, it } from 'vitest';
import { createRng, EXPONENTIAL_ZIGGURAT, type Rng, standardExponential, ZIGGURAT_LAYERS } from '../src/index.ts';

// The ziggurat sampler of the exponential waiting times (Marsaglia & Tsang 2000), checked against the exact law
// F(x) = 1 − e^−x: its tables against the published constants and their defining equations, then the draws by a
// Kolmogorov-Smirnov test, a chi-square over bins whose edges are the layer boundaries (so that every layer's
// rectangle, wedge and the tail are each tested where they act), the tail probability and three moments.

const Z = EXPONENTIAL_ZIGGURAT;
const n = 400_000;

function draws(sample: (rng: Rng) => number, seed: number, count = n): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = sample(rng);
  return out;
}

/**
 * Pearson's statistic over the 257 cells [x_(i+1), x_i) (x_256 = 0, x_1 = r) and [r, ∞), exact cell
 * probabilities e^−lo − e^−hi. Under H0 it is chi-square with 256 degrees of freedom: mean 256, sd √512 ≈ 22.6;
 * the bound 256 + 5 sd ≈ 369 is exceeded with probability about 2·10⁻⁵ (Wilson-Hilferty).
 */
function layerChiSquare(x: Float64Array): number {
  const n = x.length;
  const edges = Array.from(Z.inner.subarray(1)).reverse(); // 0 = x_256 < x_255 < ... < x_1 = r
  const counts = new Float64Array(edges.length);
  for (const value of x) {
    let lo = 0;
    let hi = edges.length - 1; // the cell of value: the last edge ≤ value
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid] <= value) lo = mid;
      else hi = mid - 1;
    }
    counts[lo]++;
  }
  let chi2 = 0;
  for (let c = 0; c < edges.length; c++) {
    const upper = c + 1 < edges.length ? Math.exp(-edges[c + 1]) : 0;
    const expected = n * (Math.exp(-edges[c]) - upper);
    chi2 += (counts[c] - expected) ** 2 / expected;
  }
  return chi2;
}
const CHI2_BOUND = 256 + 5 * Math.sqrt(512);

describe('EXPONENTIAL_ZIGGURAT (tables built at load time)', () => {
  it('reproduces Marsaglia & Tsang’s r = 7.69711747013104972 and v = 0.0039496598225815571993 (as doubles) and stacks 256 layers of equal area under e^−x', () => {
    expect(ZIGGURAT_LAYERS).toBe(256);
    expect(Math.abs(Z.r - 7.69711747013105)).toBeLessThan(1e-12);
    expect(Math.abs(Z.v / 0.003949659822581557 - 1)).toBeLessThan(1e-12);
    // Base strip: rectangle [0, r] × [0, e^−r] plus the tail, area r e^−r + e^−r = v; pseudo-width v / e^−r.
    expect(Math.abs(Z.width[0] * Math.exp(-Z.r) / Z.v - 1)).toBeLessThan(1e-14);
    for (let i = 1; i < 256; i++) {
      expect(Z.width[i]).toBe(Z.inner[i]);
      expect(Z.inner[i + 1]).toBeLessThan(Z.inner[i]);
      expect(Math.abs(Z.height[i] - Math.exp(-Z.inner[i]))).toBeLessThan(1e-15);
      expect(Math.abs((Z.width[i] * (Z.height[i + 1] - Z.height[i])) / Z.v - 1)).toBeLessThan(1e-9);
    }
    expect(Z.inner[256]).toBe(0);
    expect(Z.height[256]).toBe(1);
  });
});

describe('standardExponential (ziggurat)', () => {
  const x = draws(standardExponential, 20261130);

  it('passes a Kolmogorov-Smirnov test against 1 − e^−x', () => {
    // Under H0, √n·D is asymptotically Kolmogorov-distributed: P(√n·D > 2.225) ≈ 2·e^(−2·2.225²) ≈ 10⁻⁴.
    const sorted = Float64Array.from(x).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const cdf = 1 - Math.exp(-sorted[i]);
      d = Math.max(d, (i + 1) / n - cdf, cdf - i / n);
    }
    expect(Math.sqrt(n) * d).toBeLessThan(2.225);
  });

  it('fills every layer, wedge and the tail with the exact probabilities (chi-square over the layer cells)', () => {
    expect(layerChiSquare(x)).toBeLessThan(CHI2_BOUND);
    // The tail beyond r: P = e^−r ≈ 4.5·10⁻⁴, about 182 of the draws; binomial z-score.
    let tail = 0;
    for (const value of x) if (value >= Z.r) tail++;
    const p = Math.exp(-Z.r);
    expect(Math.abs(tail - n * p) / Math.sqrt(n * p * (1 - p))).toBeLessThan(4.5);
  });

  it('has the moments of Exp(1): E X = 1, E X² = 2, E X³ = 6', () => {
    // z-scores with the exact variances: Var X = 1, Var X² = 24 − 4 = 20, Var X³ = 720 − 36 = 684.
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    for (const value of x) {
      m1 += value;
      m2 += value * value;
      m3 += value * value * value;
    }
    expect(Math.abs(m1 / n - 1) / Math.sqrt(1 / n)).toBeLessThan(4.5);
    expect(Math.abs(m2 / n - 2) / Math.sqrt(20 / n)).toBeLessThan(4.5);
    expect(Math.abs(m3 / n - 6) / Math.sqrt(684 / n)).toBeLessThan(4.5);
    expect(Math.min(...x.subarray(0, 1000))).toBeGreaterThanOrEqual(0);
  });

  it('the chi-square rejects a ziggurat that skips the wedge test (so the test above has power)', () => {
    // Accepting every point of a layer's rectangle puts the wedges' area above the curve (about 2 % of the mass)
    // into the cells next to each boundary. At 400,000 draws that raised the statistic by about 130 (noncentrality);
    // at 1,200,000 it is about 390, so the statistic is about 650 ± 45 against the bound of 369.
    const TWO_POW_53_INV = 2 ** -53;
    const noWedges = (rng: Rng): number => {
      const a = rng.nextUint32();
      const b = rng.nextUint32();
      const layer = a & 255;
      const u = ((a >>> 8) * 536870912 + (b >>> 3)) * TWO_POW_53_INV;
      const value = u * Z.width[layer];
      return layer === 0 && value >= Z.r ? Z.r - Math.log(1 - rng.nextFloat64()) : value;
    };
    expect(layerChiSquare(draws(noWedges, 20261130, 3 * n))).toBeGreaterThan(CHI2_BOUND);
  });

  it('is a deterministic function of the generator: same seed, same draws', () => {
    const a = createRng(5);
    const b = createRng(5);
    for (let i = 0; i < 1000; i++) expect(standardExponential(a)).toBe(standardExponential(b));
  });
});
