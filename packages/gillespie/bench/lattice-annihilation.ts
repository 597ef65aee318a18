/**
 * 1-D A + A → ∅ with reaction on every collision: the density's long-time amplitude against (8πDt)^(−1/2).
 * `npx tsx --conditions=@srn/source bench/lattice-annihilation.ts [--quick]` runs the full-size check of both schemes
 * (the CI test `test/lattice-annihilation.test.ts` runs a small version through {@link annihilationAmplitude}).
 */
import type { LatticeScheme, simulateLatticeEnsemble } from '../src/lattice.ts';

/** Options of {@link annihilationAmplitude}. */
export interface AnnihilationOptions {
  scheme: LatticeScheme;
  /** Ring length L. */
  size: number;
  runs: number;
  /** Recorded points t = 0 … steps − 1 (dt = 1). */
  steps: number;
  seed: number;
  /** Exact scheme: contact rate per adjacent pair (default 20, against a hop rate of 1). */
  contactRate?: number;
}

/**
 * Runs the ensemble (initial density 1/2, periodic ring, D = 1/2 in both schemes) and estimates the amplitude
 * A of ρ(t) √(8πDt) → A by fitting y(t) = ρ(t) √(8πDt) = A + c / √t per run by least squares over the recorded
 * times in [T/8, T] (the leading finite-time correction of a lattice with a finite reaction distance is of order
 * 1/√(Dt)). The fit is linear in the data, so A per run is a fixed linear combination of that run's counts; the
 * runs are independent, so SE = SD(A_r)/√runs accounts for all correlation between times within a run.
 */
export function annihilationAmplitude(
  simulate: typeof simulateLatticeEnsemble,
  options: AnnihilationOptions,
): { amplitude: number; se: number; c: number; ratioAtT: number } {
  const { scheme, size, runs, steps, seed } = options;
  const D = 0.5;
  const { replicates } = simulate(
    {
      model: {
        species: ['A'],
        diffusion: { A: 1 },
        reactions: [{ type: 'contact', reactants: ['A', 'A'], products: [null, null], probability: 1, rate: options.contactRate ?? 20 }],
      },
      shape: [size],
      boundary: 'periodic',
      initial: { A: 0 },
      scheme,
      dt: 1,
      steps,
    },
    { runs, seed, initialCondition: { type: 'densities', densities: { A: 0.5 } }, observables: [{ type: 'count', species: 'A' }] },
  );
  const T = steps - 1;
  const times: number[] = [];
  for (let t = Math.ceil(T / 8); t <= T; t += Math.max(1, Math.floor(T / 64))) times.push(t);
  // Least squares of y = A + c x with x = 1/√t: A = ȳ − c x̄, c = Σ (x − x̄)(y − ȳ) / Σ (x − x̄)².
  const xs = times.map((t) => 1 / Math.sqrt(t));
  const xbar = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sxx = xs.reduce((a, x) => a + (x - xbar) ** 2, 0);
  const perRun = replicates.map((r) => {
    const ys = times.map((t) => (r.observables[t] / size) * Math.sqrt(8 * Math.PI * D * t));
    const ybar = ys.reduce((a, b) => a + b, 0) / ys.length;
    const c = ys.reduce((a, y, i) => a + (xs[i] - xbar) * (y - ybar), 0) / sxx;
    return { A: ybar - c * xbar, c, last: ys[ys.length - 1] };
  });
  const mean = perRun.reduce((a, p) => a + p.A, 0) / runs;
  const sd = Math.sqrt(perRun.reduce((a, p) => a + (p.A - mean) ** 2, 0) / (runs - 1));
  return {
    amplitude: mean,
    se: sd / Math.sqrt(runs),
    c: perRun.reduce((a, p) => a + p.c, 0) / runs,
    ratioAtT: perRun.reduce((a, p) => a + p.last, 0) / runs,
  };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const { simulateLatticeEnsemble } = await import('../src/lattice.ts');
  const { finish, measure } = await import('./harness.ts');
  const quick = process.argv.includes('--quick');
  const cases: AnnihilationOptions[] = quick
    ? [
        { scheme: 'paper', size: 2000, runs: 40, steps: 1001, seed: 1 },
        { scheme: 'exact', size: 1000, runs: 30, steps: 301, seed: 1 },
      ]
    : [
        { scheme: 'paper', size: 10000, runs: 100, steps: 4001, seed: 1 },
        { scheme: 'exact', size: 4000, runs: 100, steps: 2001, seed: 1 },
      ];
  const lines = ['| scheme | L | runs | T | A (fit, ± SE) | c | ρ√(8πDt) at T |', '|---|---|---|---|---|---|---|'];
  for (const c of cases) {
    await measure(`A + A → ∅, ${c.scheme}, L = ${c.size}, ${c.runs} runs to T = ${c.steps - 1}, 1 thread`, () => {
      // Count the work the ensemble did: hop attempts (paper) or drawn events (exact), plus unimolecular events.
      let work = 0;
      const counting: typeof simulateLatticeEnsemble = (config, options) => {
        const result = simulateLatticeEnsemble(config, options);
        for (const r of result.replicates) work += r.events.attempts + r.events.unimolecular;
        return result;
      };
      const r = annihilationAmplitude(counting, c);
      lines.push(`| ${c.scheme} | ${c.size} | ${c.runs} | ${c.steps - 1} | ${r.amplitude.toFixed(4)} ± ${r.se.toFixed(4)} | ${r.c.toFixed(3)} | ${r.ratioAtT.toFixed(4)} |`);
      return { amount: work, unit: c.scheme === 'paper' ? 'hop attempts' : 'events', extra: { amplitude: r.amplitude.toFixed(4) } };
    });
  }
  console.log(lines.join('\n'));
  finish(quick ? 'lattice-annihilation-quick' : 'lattice-annihilation');
}
