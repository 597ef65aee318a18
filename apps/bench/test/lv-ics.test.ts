/**
 * Unseen initial conditions for LV (issue #16 item 4): examples/lotka-volterra-ics.lattice draws the prey and predator
 * fields of every condition from [-3.5, -1.8] (independent sites), and `closure all` scores the learned closure on
 * held-out conditions (new draws) next to the baselines started from the same t = 0 lattices.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './tiny-experiment.ts';

const MODEL = new URL('../examples/lotka-volterra-ics.lattice', import.meta.url).pathname;
const SITES = 100;
const M = 8;
const ARGS = [
  '--shape', '10x10', '--time-steps', '12', '--conditions', '3', '--samples', String(M), '--heldout-conditions', '3', '--heldout-samples', String(M),
  '--train-steps', '4', '--passes', '1', '--window', '3', '--horizon-start', '3', '--asleep-chains', '2', '--awake-sweeps', '1', '--asleep-sweeps', '1',
  '--checkpoint-every', '2', '--chains', '4', '--sweeps', '1', '--taps', '3', '--workers', '1', '--seed', '3',
];

/** X(0) and Y(0) ensemble means of every condition in a moments.csv (one block of rows per condition). */
function initialMeans(path: string): { X: number; Y: number }[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n').map((line) => line.split(','));
  const col = (name: string) => header.indexOf(name);
  return rows.filter((r) => Number(r[col('time')]) === 0).map((r) => ({ X: Number(r[col('X-mean')]), Y: Number(r[col('Y-mean')]) }));
}

describe('closure all --model examples/lotka-volterra-ics.lattice (tiny)', () => {
  const root = mkdtempSync(join(tmpdir(), 'srn-lv-ics-'));
  const dir = join(root, 'ics');
  beforeAll(async () => {
    const result = await cli(['closure', 'all', '--model', MODEL, '--out', dir, ...ARGS]);
    expect(result.code, result.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('draws each condition\'s initial densities from the stated range, held-out conditions anew', () => {
    const train = initialMeans(join(dir, 'simulate', 'train', 'moments.csv'));
    const heldout = initialMeans(join(dir, 'simulate', 'heldout', 'moments.csv'));
    expect(train).toHaveLength(3);
    expect(heldout).toHaveLength(3);
    // A condition's density lies in [e^-3.5 / (1 + e^-3.5 + e^-1.8), e^-1.8 / (1 + e^-1.8 + e^-3.5)] = [0.0253, 0.1383];
    // the mean count over M independent lattices of N sites has SD at most sqrt(N · 0.1383 · 0.8617 / M): 4 SD either side.
    const lo = Math.exp(-3.5) / (1 + Math.exp(-3.5) + Math.exp(-1.8));
    const hi = Math.exp(-1.8) / (1 + Math.exp(-1.8) + Math.exp(-3.5));
    const sd = Math.sqrt((SITES * hi * (1 - hi)) / M);
    for (const c of [...train, ...heldout]) {
      for (const n of [c.X, c.Y]) {
        expect(n).toBeGreaterThanOrEqual(SITES * lo - 4 * sd);
        expect(n).toBeLessThanOrEqual(SITES * hi + 4 * sd);
      }
    }
    // New draws: the held-out conditions are not the training ones.
    expect(heldout.some((h) => !train.some((t) => t.X === h.X && t.Y === h.Y))).toBe(true);
  });

  it('scores the learned closure and the baselines on every held-out condition, and the ladder from their t = 0 lattices', () => {
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8'));
    expect(metrics.perCondition).toHaveLength(3);
    for (const c of metrics.perCondition) for (const p of ['learned-filtered', 'mean-field', 'pair']) expect(Number.isFinite(c[p].X.meanRelError), p).toBe(true);
    const ladder = JSON.parse(readFileSync(join(dir, 'report', 'ladder.json'), 'utf8'));
    for (const p of ['noise-floor', 'mean-field', 'pair', 'learned-filtered']) expect(ladder.rows.some((r: { predictor: string }) => r.predictor === p), p).toBe(true);
    expect(readFileSync(join(dir, 'report', 'ladder.md'), 'utf8')).toContain('held-out t = 0 lattices');
  });
});
