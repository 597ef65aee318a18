/**
 * The SBML discrete stochastic test suite (DSMTS) cases for tests, and a score whose variance check holds for any
 * seed. The cases live beside the repository: <repo>/../shared/sbml-dsmts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnsembleStatistics } from '../src/index.ts';
import { type SbmlTestResults, type SbmlTestSettings, scoreEnsemble } from '../src/sbml.ts';

export const suite = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/sbml-dsmts');
export const cases = existsSync(suite) ? readdirSync(suite).filter((d) => /^\d{5}$/.test(d)).sort() : [];

/** A file of a case: `read('00001', 'settings.txt')`. */
export function readCase(id: string, suffix: string): string {
  return readFileSync(join(suite, id, `${id}-${suffix}`), 'utf8');
}

/** Half-width of the acceptance band in standard units: P(|N(0, 1)| > 5) = 5.7e-7. */
const BAND = 5;

/**
 * Scores an ensemble simulated with `keepTrajectories: true` against a case's results with a check whose false-alarm
 * rate is bounded for any seed. The suite's own rule (Z = √n (X̄ − μ)/σ in (−3, 3), Y = √(n/2)(S²/σ² − 1) in
 * (−5, 5), at most 3 failing points) assumes independent, normal statistics, which they are not: the time points
 * share the same runs (failures come in runs of neighbours), conserved pairs such as P and P2 of the dimerisation
 * cases fail together, Y has SD √((κ − 1)/2) for kurtosis κ (about 8 for case 00003 at late times, 94% of runs
 * extinct, κ ≈ 120), and the mean of such a skewed variable is itself skewed at n = 1000. So its failure count
 * depends on the seed. Here every point must pass a band of ±5 standard units, corrected per point from the same
 * runs: Y_κ = (S²/σ² − 1)/√((κ̂ − 1)/n) with κ̂ = m4/m2², asymptotically standard normal for any distribution with a
 * finite fourth moment; and Z with its band shifted by the first Cornish-Fisher term γ̂(5² − 1)/(6√n), γ̂ = m3/m2^1.5
 * the skewness. Each point then fails with probability about 6e-7, and by the union bound (valid under any
 * dependence) a case of at most 102 points fails with probability below 1e-4, whatever the seed. Points where σ = 0
 * must match exactly. The suite's rule at n = 10,000 runs in bench/sbml-conformance.ts.
 */
export function scoreCase(stats: EnsembleStatistics, expected: SbmlTestResults, settings: SbmlTestSettings) {
  const traj = stats.trajectories;
  if (!traj) throw new Error('simulate with keepTrajectories: true');
  const S = stats.species.length;
  const G = stats.times.length;
  const failing: string[] = [];
  const points = scoreEnsemble(stats, expected, settings).points;
  points.forEach((p, i) => {
    const g = i % G;
    const s = stats.species.indexOf(p.variable);
    const sigma = expected.columns.get(`${p.variable}-sd`)![g];
    if (!(sigma > 0)) {
      if (p.zFailed || p.yFailed) failing.push(`${p.variable}@${p.time}: sd 0 but the ensemble differs`);
      return;
    }
    const n = stats.count[g];
    const mean = stats.mean[g * S + s];
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (let run = 0; run < stats.runs; run++) {
      const d = traj[(run * G + g) * S + s] - mean;
      m2 += (d * d) / n;
      m3 += (d * d * d) / n;
      m4 += (d * d * d * d) / n;
    }
    const skew = m2 > 0 ? m3 / m2 ** 1.5 : 0;
    const kurtosis = m2 > 0 ? m4 / (m2 * m2) : 3;
    const shift = (skew * (BAND * BAND - 1)) / (6 * Math.sqrt(n));
    const z = p.z;
    const sd = stats.sd[g * S + s];
    const y = ((sd * sd) / (sigma * sigma) - 1) / Math.sqrt(Math.max(kurtosis - 1, 1e-12) / n);
    if (!(z > -BAND + shift && z < BAND + shift) || !(Math.abs(y) < BAND)) {
      failing.push(`${p.variable}@${p.time}: Z=${z.toFixed(2)} (band ${(-BAND + shift).toFixed(2)}..${(BAND + shift).toFixed(2)}) Y=${y.toFixed(2)}`);
    }
  });
  return { points: points.length, failing };
}
