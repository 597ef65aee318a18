/**
 * Repeated pipelines (issue #16 items 2 and 3): `--seeds` and `--train-runs-sweep` on `lv all` run one pipeline per
 * seed and size; DIR/summary.json must be the mean ± SD of the per-seed ladder files it summarises (recomputed here
 * from those files, and the learned closure's rows also from each seed's report/metrics.json), and the learning
 * curve must hold every predictor, the noise floor included, at every size.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.ts';
import { checkTargets, LV_PAPER_TARGETS, parseIntegerList, repeatedRuns, type SummaryRow, writeSummary } from '../src/closure/repeat.ts';
import { cli, TINY_ARGS } from './tiny-experiment.ts';

const ARGS = TINY_ARGS.filter((a, i) => a !== '--seed' && TINY_ARGS[i - 1] !== '--seed');

interface Row {
  trainRuns: number | null;
  predictor: string;
  on: string;
  moment: string;
  seeds: number[];
  values: (number | null)[];
  mean: number | null;
  sd: number | null;
}

describe('parseIntegerList', () => {
  it('reads ranges and lists in order, without repeats', () => {
    expect(parseIntegerList('1-5', '--seeds')).toEqual([1, 2, 3, 4, 5]);
    expect(parseIntegerList('1,3,7', '--seeds')).toEqual([1, 3, 7]);
    expect(parseIntegerList('3-4, 1 ,4', '--seeds')).toEqual([3, 4, 1]);
  });
  it('names the flag and the value on bad input', () => {
    for (const bad of ['', 'a', '5-1', '1,,2', '-1', '1.5', '0-5000']) {
      expect(() => parseIntegerList(bad, '--seeds')).toThrow(UsageError);
      expect(() => parseIntegerList(bad, '--seeds')).toThrow(/--seeds/);
    }
    expect(() => parseIntegerList('0,10', '--train-runs-sweep', 1)).toThrow(/0 is below 1/);
  });
});

describe('--seeds and --train-runs-sweep on the command line', () => {
  it('refuses bad lists and --seed with --seeds (exit code 2, naming the option)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'srn-repeat-bad-'));
    try {
      for (const [extra, message] of [
        [['--seeds', '3-1'], /--seeds "3-1"/],
        [['--seeds', '1,2', '--seed', '4'], /--seed and --seeds/],
        [['--train-runs-sweep', '0,5'], /--train-runs-sweep "0,5": 0 is below 1/],
      ] as const) {
        const r = await cli(['lv', 'all', '--preset', 'quick', '--out', join(root, 'x'), ...ARGS, ...extra]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(message);
      }
      const r = await cli(['lv', 'all', '--out', join(root, 'x'), '--seeds', '1-2', '--resume']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/drop --resume/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('lv all --seeds 1-2 --train-runs-sweep 2,3 (tiny)', () => {
  const root = mkdtempSync(join(tmpdir(), 'srn-repeat-'));
  const dir = join(root, 'lv');
  let summary: { seeds: number[]; trainRuns: number[]; rows: Row[] };
  beforeAll(async () => {
    const result = await cli(['lv', 'all', '--preset', 'quick', '--out', dir, ...ARGS, '--seeds', '1-2', '--train-runs-sweep', '2,3']);
    expect(result.code, result.stderr).toBe(0);
    summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs one pipeline per seed and size, each from its own seed and with its own training-set size', () => {
    expect(summary.seeds).toEqual([1, 2]);
    expect(summary.trainRuns).toEqual([2, 3]);
    for (const size of [2, 3]) {
      for (const seed of [1, 2]) {
        const config = JSON.parse(readFileSync(join(dir, `train-runs-${size}`, `seed-${seed}`, 'config.json'), 'utf8'));
        expect(config.seed).toBe(seed);
        expect(config.settings.simulate.trainRuns).toBe(size);
        expect(JSON.parse(readFileSync(join(dir, `train-runs-${size}`, `seed-${seed}`, 'report', 'ladder.json'), 'utf8')).trainRuns).toBe(size);
      }
    }
    for (const file of ['summary.md', 'summary.csv', 'summary.svg', 'learning-curve.svg']) expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it('the summary is the mean and SD of the per-seed ladder and metrics files', () => {
    let checked = 0;
    for (const size of [2, 3]) {
      const ladders = [1, 2].map((seed) => JSON.parse(readFileSync(join(dir, `train-runs-${size}`, `seed-${seed}`, 'report', 'ladder.json'), 'utf8')));
      const metrics = [1, 2].map((seed) => JSON.parse(readFileSync(join(dir, `train-runs-${size}`, `seed-${seed}`, 'report', 'metrics.json'), 'utf8')));
      for (const row of summary.rows.filter((r) => r.trainRuns === size)) {
        const x = ladders.map((l) => l.rows.find((r: Row & { meanRelError: number }) => r.predictor === row.predictor && r.on === row.on && r.moment === row.moment)?.meanRelError);
        const finite = x.filter((v): v is number => typeof v === 'number');
        if (finite.length < 2) continue;
        const mean = (finite[0] + finite[1]) / 2;
        const sd = Math.abs(finite[0] - finite[1]) / Math.SQRT2; // the n − 1 SD of two values
        expect(row.mean).toBeCloseTo(mean, 12);
        expect(row.sd).toBeCloseTo(sd, 12);
        if (row.predictor === 'learned-filtered' && row.on === 'all') {
          // the ladder and the report's metrics score the learned closure the same way
          const m = metrics.map((mt) => mt.metrics.heldout['learned-filtered'][row.moment].meanRelError as number);
          expect(row.mean).toBeCloseTo((m[0] + m[1]) / 2, 12);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2 * 6 * 8);
  });

  it('the learning curve holds every predictor at every size, the noise floor included', () => {
    const spec = JSON.parse(readFileSync(join(dir, 'learning-curve.vl.json'), 'utf8'));
    const values = spec.data.values as { predictor: string; runs: number; moment: string }[];
    for (const label of ['noise floor (second ensemble)', 'mean field', 'pair approximation', 'learned (raw θ)', 'learned (filtered θ)']) {
      for (const runs of [2, 3]) expect(values.some((v) => v.predictor === label && v.runs === runs), `${label} at ${runs}`).toBe(true);
    }
  });
});

describe('targets of the LV paper preset in the summary (issue #16 item 5)', () => {
  const row = (predictor: SummaryRow['predictor'], moment: string, mean: number | null, trainRuns = 1000): SummaryRow => ({
    predictor,
    on: 'all',
    moment,
    trainRuns,
    seeds: [1],
    values: [mean],
    mean,
    sd: null,
  });

  it('checks each bound and each rung on the learned closure (filtered θ) of the right size, margins = value - bound', () => {
    const rows = [
      row('learned-filtered', 'X', 0.05),
      row('learned-filtered', 'NN_XX', 0.07),
      row('learned-filtered', 'NNN_XY', 0.2),
      row('learned-raw', 'NN_YY', 0.01), // not the filtered θ: NN_YY has no value
      row('learned-filtered', 'X', 0.01, 100), // another size
      row('mean-field', 'X', 0.6),
      row('pair', 'X', 0.04),
      row('pair', 'NNN_XY', 0.3),
    ];
    const checks = checkTargets(rows, LV_PAPER_TARGETS, 1000);
    const find = (moment: string, against: unknown) => checks.find((c) => c.moment === moment && c.against === against)!;
    expect(find('X', 0.04)).toMatchObject({ value: 0.05, met: false });
    expect(find('X', 0.04).margin).toBeCloseTo(0.01, 12);
    expect(find('NN_XX', 0.08)).toMatchObject({ met: true });
    expect(find('NN_XX', 0.08).margin).toBeCloseTo(-0.01, 12);
    expect(find('NN_YY', 0.2)).toMatchObject({ value: null, met: null, margin: null });
    expect(find('X', 'mean-field')).toMatchObject({ bound: 0.6, met: true });
    expect(find('X', 'pair')).toMatchObject({ bound: 0.04, met: false });
    expect(find('NNN_XY', 'pair')).toMatchObject({ bound: 0.3, met: true });
    expect(find('NN_XX', 'feed-forward')).toMatchObject({ bound: null, met: null });
    expect(checks).toHaveLength(4 + 3 * 3);
  });

  it('writes the targets into summary.md and summary.json for the paper preset only', async () => {
    const root = mkdtempSync(join(tmpdir(), 'srn-targets-'));
    try {
      for (const preset of ['paper', 'quick']) {
        const out = join(root, preset);
        const runs = repeatedRuns(out, [1, 2], [1000]);
        for (const [i, run] of runs.entries()) {
          mkdirSync(join(run.dir, 'report'), { recursive: true });
          writeFileSync(join(run.dir, 'config.json'), JSON.stringify({ kind: 'srn-lv-experiment', preset }));
          const rows = [
            { predictor: 'learned-filtered', on: 'all', moment: 'X', meanRelError: 0.035 + 0.02 * i }, // mean 0.045: misses 0.04 by 0.5 points
            { predictor: 'pair', on: 'all', moment: 'X', meanRelError: 0.5 },
          ];
          writeFileSync(join(run.dir, 'report', 'ladder.json'), JSON.stringify({ moments: ['X'], trainRuns: 1000, rows }));
        }
        await writeSummary(out, runs, `srn-bench lv all --preset ${preset}`);
        const md = readFileSync(join(out, 'summary.md'), 'utf8');
        const json = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
        if (preset === 'paper') {
          expect(md).toMatch(/## Targets of the LV paper preset/);
          expect(md).toMatch(/\| X \| < 4\.0 % \| 4\.5 % \| \*\*missed by 0\.5 points\*\* \|/);
          expect(md).toMatch(/\| X \| below pair approximation \(50\.0 %\) \| 4\.5 % \| met \(45\.5 points to spare\) \|/);
          expect(json.targets.checks[0].trainRuns).toBe(1000);
          expect(json.targets.checks[0].checks.find((c: { against: unknown }) => c.against === 0.04).met).toBe(false);
        } else {
          expect(md).not.toMatch(/Targets/);
          expect(json.targets).toBeNull();
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
