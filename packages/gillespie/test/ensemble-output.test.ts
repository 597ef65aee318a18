import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv.ts';
import { createRng, ensembleToCsv, parseModel, simulate, simulateEnsemble, trajectoriesToCsv } from '../src/index.ts';
import { parseResultsCsv, SbmlError } from '../src/sbml.ts';

const lv = parseModel('X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100');
// Immigration-death from zero: X(t) is exactly Poisson with mean (λ/μ)(1 − e^{−μt}).
const LAMBDA = 20;
const MU = 0.5;
const immigration = parseModel(`0 -> X @ ${LAMBDA}\nX -> 0 @ ${MU}\nX = 0`);

function poissonCdf(k: number, mean: number): number {
  if (k < 0) return 0;
  let term = Math.exp(-mean);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= mean / i;
    sum += term;
  }
  return sum;
}

describe('ensemble output: per-trajectory results', () => {
  it('returns run i exactly as simulate() with stream i of the seed, for any batch size', () => {
    const options = { runs: 12, seed: 5, tEnd: 2, steps: 4, keepTrajectories: true };
    const a = simulateEnsemble(lv, { ...options, batchSize: 5 });
    const b = simulateEnsemble(lv, { ...options, batchSize: 12 });
    expect(Array.from(a.trajectories!)).toEqual(Array.from(b.trajectories!));
    const rows = a.times.length;
    for (const run of [0, 7, 11]) {
      const single = simulate(lv, { tEnd: 2, steps: 4, rng: createRng(5, run) });
      expect(Array.from(a.trajectories!.subarray(run * rows * 2, (run + 1) * rows * 2))).toEqual(Array.from(single.values));
    }
    // The moments are those of the returned trajectories.
    for (let g = 0; g < rows; g++) {
      let sum = 0;
      for (let run = 0; run < 12; run++) sum += a.trajectories![(run * rows + g) * 2];
      expect(a.mean[g * 2]).toBeCloseTo(sum / 12, 9);
    }
    expect(simulateEnsemble(lv, { runs: 3, seed: 1, tEnd: 1 }).trajectories).toBeUndefined();
  });

  it('marks rows after a capped run stops as NaN and leaves them out of the quantiles', () => {
    const stats = simulateEnsemble(lv, { runs: 6, seed: 2, tEnd: 5, steps: 5, maxEvents: 150, keepTrajectories: true, quantiles: [0, 1] });
    expect(stats.flagged.length).toBeGreaterThan(0);
    const rows = stats.times.length;
    const last = (rows - 1) * 2;
    for (const { run } of stats.flagged) expect(stats.trajectories![run * rows * 2 + last]).toBeNaN();
    // q0 and q1 are the smallest and largest value over the runs that reached the row.
    for (let g = 0; g < rows; g++) {
      const reached: number[] = [];
      for (let run = 0; run < 6; run++) {
        const v = stats.trajectories![(run * rows + g) * 2];
        if (!Number.isNaN(v)) reached.push(v);
      }
      expect(reached.length).toBe(stats.count[g]);
      if (reached.length === 0) {
        expect(stats.quantiles!.values[g * 2 * 2]).toBeNaN();
      } else {
        expect(stats.quantiles!.values[g * 2 * 2]).toBe(Math.min(...reached));
        expect(stats.quantiles!.values[g * 2 * 2 + 1]).toBe(Math.max(...reached));
      }
    }
  });

  // For n iid draws, the empirical CDF at any point has SD ≤ √(p(1 − p)/n), so the sample p-quantile q̂ satisfies
  // F(⌊q̂⌋) ≥ p − δ and F(⌈q̂⌉ − 1) ≤ p + δ with δ = 4.5 SD except with probability below 1e-5 per check, whatever the
  // seed (F is the exact Poisson CDF; 3 quantiles × 5 times = 15 checks).
  it('estimates quantiles that agree with the exact Poisson quantiles of immigration-death', () => {
    const n = 2000;
    const probabilities = [0.05, 0.5, 0.95];
    const stats = simulateEnsemble(immigration, { runs: n, seed: 11, tEnd: 4, steps: 4, quantiles: probabilities });
    expect(stats.trajectories).toBeUndefined();
    for (let g = 1; g < stats.times.length; g++) {
      const mean = (LAMBDA / MU) * (1 - Math.exp(-MU * stats.times[g]));
      probabilities.forEach((p, k) => {
        const q = stats.quantiles!.values[g * 3 + k];
        const delta = 4.5 * Math.sqrt((p * (1 - p)) / n);
        expect(poissonCdf(Math.floor(q), mean)).toBeGreaterThanOrEqual(p - delta);
        expect(poissonCdf(Math.ceil(q) - 1, mean)).toBeLessThanOrEqual(p + delta);
      });
    }
  });

  it('rejects bad quantiles and refuses to keep more values than memory allows', () => {
    expect(() => simulateEnsemble(lv, { runs: 2, seed: 1, tEnd: 1, quantiles: [1.5] })).toThrow(/quantiles: each probability must be in \[0, 1\]; got 1.5/);
    expect(() => simulateEnsemble(lv, { runs: 2, seed: 1, tEnd: 1, quantiles: 0.5 as unknown as number[] })).toThrow(TypeError);
    expect(() => simulateEnsemble(lv, { runs: 2, seed: 1, tEnd: 1, keepTrajectories: 'yes' as unknown as boolean })).toThrow(/keepTrajectories must be a boolean/);
    expect(() => simulateEnsemble(lv, { runs: 1e8, seed: 1, tEnd: 1, steps: 100, keepTrajectories: true })).toThrow(/exceed/);
  });
});

describe('ensemble CSV: wide and long layouts', () => {
  const stats = simulateEnsemble(lv, { runs: 20, seed: 3, tEnd: 1, steps: 2, quantiles: [0.5], keepTrajectories: true });

  it('wide: time then mean, sd and quantile columns per species', () => {
    const { header, rows } = parseCsv(ensembleToCsv(stats), 'wide');
    expect(header).toEqual(['time', 'X-mean', 'X-sd', 'X-q0.5', 'Y-mean', 'Y-sd', 'Y-q0.5']);
    expect(rows).toHaveLength(3);
    expect(Number(rows[2][4])).toBe(stats.mean[2 * 2 + 1]);
    expect(parseCsv(ensembleToCsv(stats, 'mean'), 'mean').header).toEqual(['time', 'X-mean', 'X-q0.5', 'Y-mean', 'Y-q0.5']);
  });

  it('long (tidy): one row per time, species and statistic, holding the same numbers', () => {
    const { header, rows } = parseCsv(ensembleToCsv(stats, 'mean-sd', 'long'), 'long');
    expect(header).toEqual(['time', 'species', 'statistic', 'value']);
    expect(rows).toHaveLength(3 * 2 * 3);
    const find = (t: string, s: string, st: string) => Number(rows.find((r) => r[0] === t && r[1] === s && r[2] === st)![3]);
    expect(find('1', 'Y', 'mean')).toBe(stats.mean[2 * 2 + 1]);
    expect(find('0.5', 'X', 'sd')).toBe(stats.sd[1 * 2]);
    expect(find('1', 'X', 'q0.5')).toBe(stats.quantiles!.values[2 * 2]);
    expect(() => ensembleToCsv(stats, 'mean-sd', 'tall' as 'long')).toThrow(/layout must be 'wide' or 'long'; got tall/);
  });

  it('per-trajectory CSV in both layouts', () => {
    const wide = parseCsv(trajectoriesToCsv(stats), 'trajectories');
    expect(wide.header).toEqual(['run', 'time', 'X', 'Y']);
    expect(wide.rows).toHaveLength(20 * 3);
    expect(Number(wide.rows[3 * 7 + 2][3])).toBe(stats.trajectories![(7 * 3 + 2) * 2 + 1]);
    const long = parseCsv(trajectoriesToCsv(stats, 'long'), 'trajectories');
    expect(long.header).toEqual(['run', 'time', 'species', 'value']);
    expect(long.rows).toHaveLength(20 * 3 * 2);
    expect(() => trajectoriesToCsv(simulateEnsemble(lv, { runs: 2, seed: 1, tEnd: 1 }))).toThrow(/keepTrajectories: true/);
  });
});

describe('CSV reading', () => {
  it('handles quoting, CRLF and blank lines, and names the file and row of a malformed one', () => {
    expect(parseCsv('a,"b,c"\r\n1,"x ""y"""\r\n\r\n', 'f')).toEqual({ header: ['a', 'b,c'], rows: [['1', 'x "y"']] });
    expect(() => parseCsv('a,b\n1\n', 'stage.csv')).toThrow(/stage.csv: row 2 has 1 cells; the header has 2/);
    expect(() => parseCsv('a,b\n1,"2\n', 'q.csv')).toThrow(/q.csv/);
  });

  it('parseResultsCsv turns malformed results into SbmlError', () => {
    expect(parseResultsCsv('time,X-mean\n0,1\n1,2\n').columns.get('X-mean')).toEqual(Float64Array.of(1, 2));
    expect(() => parseResultsCsv('time,X-mean\n0\n')).toThrow(SbmlError);
    expect(() => parseResultsCsv('time,X-mean\n0,abc\n')).toThrow(/'abc' is not a number/);
    expect(() => parseResultsCsv('time,X-mean\n')).toThrow(/at least one row/);
  });
});
