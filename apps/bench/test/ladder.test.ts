/**
 * The ladder in the pipeline (issue #16 item 1): `lv all` of the tiny experiment writes DIR/report/ladder.{md,csv,json}
 * with every rung scored on the same held-out ensemble; the noise floor is a second ensemble of the training set's
 * size from its own stream, and every score is `scorePrediction` of the files the stages wrote (recomputed here).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scorePrediction } from '@srn/closure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readColumnsCsv } from '../src/closure/csv.ts';
import { LADDER } from '../src/closure/ladder.ts';
import { cli, TINY_ARGS } from './tiny-experiment.ts';

interface Row {
  predictor: string;
  on: string;
  moment: string;
  meanRelError: number | null;
}

describe('the ladder in lv all (tiny)', () => {
  const root = mkdtempSync(join(tmpdir(), 'srn-ladder-'));
  const dir = join(root, 'lv');
  let ladder: { moments: string[]; rungs: { rung: string; applies: boolean; reason?: string }[]; rows: Row[] };
  const means = (file: string) => readColumnsCsv(join(dir, file), { rerun: 'test' }).columns;
  beforeAll(async () => {
    const result = await cli(['lv', 'all', '--preset', 'quick', '--out', dir, ...TINY_ARGS]);
    expect(result.code, result.stderr).toBe(0);
    ladder = JSON.parse(readFileSync(join(dir, 'report', 'ladder.json'), 'utf8'));
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('scores every rung on every moment, or says why a rung does not apply', () => {
    const md = readFileSync(join(dir, 'report', 'ladder.md'), 'utf8');
    for (const rung of LADDER) {
      const status = ladder.rungs.find((s) => s.rung === rung);
      if (status && !status.applies) {
        expect(md).toContain(status.reason);
        continue;
      }
      for (const moment of ladder.moments) expect(ladder.rows.some((r) => r.predictor === rung && r.moment === moment), `${rung} ${moment}`).toBe(true);
    }
  });

  it('the noise floor is a second ensemble of the training size, scored against the held-out mean by scorePrediction', () => {
    const noise = means('simulate/noise/moments.csv');
    const train = means('simulate/train/moments.csv');
    const heldout = means('simulate/heldout/moments.csv');
    const stage = JSON.parse(readFileSync(join(dir, 'simulate', 'stage.json'), 'utf8'));
    expect(stage.noise.runs).toBe(stage.train.runs);
    expect(stage.noise.seed).not.toBe(stage.train.seed);
    // Its own stream: the noise ensemble is not the training ensemble again (the prey counts differ at some t > 0).
    expect(Array.from(noise['X-mean']).some((x, t) => x !== train['X-mean'][t])).toBe(true);
    for (const moment of ladder.moments) {
      const row = ladder.rows.find((r) => r.predictor === 'noise-floor' && r.on === 'all' && r.moment === moment)!;
      expect(row.meanRelError).toBeCloseTo(scorePrediction(heldout[`${moment}-mean`], noise[`${moment}-mean`]).meanRelError, 12);
    }
  });

  it('the learned closure and the maximum-entropy rows are scorePrediction of the predict stage files', () => {
    const heldout = means('simulate/heldout/moments.csv');
    const filtered = means('predict/moments-filtered.csv');
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8'));
    for (const moment of ladder.moments) {
      const row = ladder.rows.find((r) => r.predictor === 'learned-filtered' && r.on === 'all' && r.moment === moment)!;
      const expected = scorePrediction(heldout[`${moment}-mean`], filtered[`${moment}-mean`]).meanRelError;
      expect(row.meanRelError).toBeCloseTo(expected, 12);
      expect(metrics.metrics.heldout['learned-filtered'][moment].meanRelError).toBeCloseTo(expected, 12);
    }
    const maxent = readColumnsCsv(join(dir, 'predict', 'ladder-maxent.csv'), { rerun: 'test' });
    const picked = Array.from(maxent.times, (t) => Math.round(t));
    const row = ladder.rows.find((r) => r.predictor === 'maxent' && r.moment === 'NNN_XY')!;
    const sim = Float64Array.from(picked, (t) => heldout['NNN_XY-mean'][t]);
    expect(row.on).toBe(`${picked.length} times`);
    expect(row.meanRelError).toBeCloseTo(scorePrediction(sim, maxent.columns.NNN_XY).meanRelError, 12);
  });
});
