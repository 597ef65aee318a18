import { createRng } from '@srn/gillespie/rng';
import { createChains, exactMoments, gibbs, type Machine, meanStatistics, randomizeChains, sufficientStatistics } from '../src/index.ts';

/** Parameters drawn uniformly from [−scale, scale] (seeded). */
export function randomParams(m: Machine, seed: number, scale: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: m.parameters.count }, () => scale * (2 * rng.nextFloat64() - 1));
}

/**
 * z-scores of Gibbs estimates against exact means. Chains are independent and each contributes only its final state
 * (after `sweeps` sweeps from noise, far beyond the mixing time of these tiny machines), so the estimate of ⟨T_k⟩ is
 * a mean of n iid draws with standard error sqrt(Var_exact(T_k) / n); no autocorrelation correction is needed.
 */
export function zScores(m: Machine, theta: Float64Array, chains: number, sweeps: number, seed: number): number[] {
  const exact = exactMoments(m, theta, { covariance: true });
  const rng = createRng(seed);
  const states = createChains(m, chains);
  randomizeChains(m, states, rng);
  gibbs(m, theta, states, rng, { sweeps });
  const mean = meanStatistics(m, sufficientStatistics(m, states));
  const P = m.parameters.count;
  const cov = exact.covariance!;
  const z: number[] = [];
  for (let k = 0; k < P; k++) {
    const se = Math.sqrt(cov[k * P + k] / chains);
    z.push(se === 0 ? mean[k] - exact.mean[k] : (mean[k] - exact.mean[k]) / se);
  }
  return z;
}

