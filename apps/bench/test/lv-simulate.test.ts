import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeLattice } from '@srn/gillespie/lattice';
import { parseCommandLine, UsageError } from '../src/args.ts';
import { lvSimulate, lvSimulateSpec } from '../src/commands/lv-simulate.ts';

describe('srn-bench lv simulate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-lv-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes moments.csv, summary.json and one binary trajectory per run; identical for 1 and 2 workers', async () => {
    const base = { runs: 4, seed: 5, scheme: 'paper' as const, size: 12, steps: 30 };
    await lvSimulate({ ...base, out: join(dir, 'a'), workers: 1 });
    await lvSimulate({ ...base, out: join(dir, 'b'), workers: 2 });
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['moments.csv', 'summary.json', 'trajectories']);
    const moments = readFileSync(join(dir, 'a', 'moments.csv'), 'utf8');
    expect(moments.split('\n')[0]).toBe(
      'time,X-mean,X-sd,Y-mean,Y-sd,NN_XX-mean,NN_XX-sd,NN_XY-mean,NN_XY-sd,NN_YY-mean,NN_YY-sd,' +
        'NNN_XX-mean,NNN_XX-sd,NNN_XY-mean,NNN_XY-sd,NNN_YY-mean,NNN_YY-sd,extinct_X,extinct_Y',
    );
    expect(moments.trim().split('\n')).toHaveLength(31);
    expect(readFileSync(join(dir, 'b', 'moments.csv'), 'utf8')).toBe(moments);
    const files = readdirSync(join(dir, 'a', 'trajectories')).sort();
    expect(files).toEqual(['run-0000.srnl', 'run-0001.srnl', 'run-0002.srnl', 'run-0003.srnl']);
    const traj = decodeLattice(new Uint8Array(readFileSync(join(dir, 'a', 'trajectories', files[0]))));
    expect(traj.shape).toEqual([12, 12]);
    expect(traj.times.length).toBe(30);
    const summary = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
    expect(summary.runs).toBe(4);
    expect(readdirSync(join(dir, 'a')).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('writes the text format on request and validates options', async () => {
    await lvSimulate({ out: dir, runs: 1, seed: 1, scheme: 'exact', size: 8, steps: 3, workers: 1, trajectories: 'text' });
    const text = readFileSync(join(dir, 'trajectories', 'run-0000', 'lattice', '0000.txt'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(8); // round(64 / 16) = 4 X + 4 Y
    expect(text).toMatch(/^\d+ \d+ [XY]$/m);
    expect(() => parseCommandLine(['--out', dir, '--scheme', 'fast'], lvSimulateSpec)).toThrow(UsageError);
    expect(() => parseCommandLine(['--out', dir, '--size', '1'], lvSimulateSpec)).toThrow(/--size must be >= 4/);
    expect(() => parseCommandLine(['--runs', '3'], lvSimulateSpec)).toThrow(/--out/);
    const parsed = parseCommandLine(['--out', dir, '--runs', '7', '--exclude-extinct'], lvSimulateSpec)!;
    expect(parsed.options).toMatchObject({ runs: 7, scheme: 'paper', size: 40, steps: 500, excludeExtinct: true });
  });
});
