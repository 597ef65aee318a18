import { describe, expect, it } from 'vitest';
import { type LatticeScheme, simulateLatticeEnsemble } from '../src/lattice.ts';
import { annihilationAmplitude } from '../bench/lattice-annihilation.ts';

/**
 * 1-D A + A → ∅ with reaction on every collision: at long times ρ(t) ≈ (8πDt)^(−1/2), independent of the initial
 * density. D for each scheme (lattice units, time in units of dt = 1):
 * - paper: every particle makes one hop attempt per step to one of its 2 neighbours, a displacement of variance 1
 *   per step, so D = 1/2 per step; "every collision" is the hop-collision probability 1.
 * - exact: `diffusion[A] = 1` is the total hop rate (1/2 each way), a displacement variance of 1 per unit time, so
 *   D = 1/2; a hop onto an occupied site is blocked, so "every collision" is a contact rate much larger than the
 *   hop rate (20 here).
 * The amplitude estimator (see `annihilationAmplitude`) removes the leading finite-time correction c/√t per run; its
 * standard error comes from the spread of the per-run estimates, and the test asks |A − 1| < 4 SE.
 */
describe('1-D A + A → 0, diffusion-limited: ρ(t) → (8πDt)^(−1/2)', () => {
  for (const [scheme, L, runs, T] of [
    ['paper', 2000, 40, 1000],
    ['exact', 1000, 30, 300],
  ] as [LatticeScheme, number, number, number][]) {
    it(`${scheme} scheme, D = 1/2 (L = ${L}, ${runs} runs to t = ${T})`, () => {
      const result = annihilationAmplitude(simulateLatticeEnsemble, { scheme, size: L, runs, steps: T + 1, seed: 3 });
      expect(result.se).toBeLessThan(0.1);
      expect(Math.abs(result.amplitude - 1) / result.se, JSON.stringify(result)).toBeLessThan(4);
    });
  }
});
