/**
 * Issue #20 (no silently wrong results), the srn-bench part: each case below reproduces one report of the issue.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listFiles, TINY_ARGS } from './tiny-experiment.ts';

const example = new URL('../examples/lotka-volterra.srn', import.meta.url).pathname;
const suite = new URL('../../../../shared/sbml-dsmts/00001/', import.meta.url).pathname;

describe('srn-bench options and inputs (issue #20, item 10)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-robust-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const simulate = (...extra: string[]) => cli(['simulate', example, '--out', join(dir, 'never'), '--workers', '1', ...extra]);

  it('accepts numbers in decimal notation only (--runs 0x10 is not 16)', async () => {
    for (const raw of ['0x10', '0b11', '0o7', 'Infinity', ' 5', '1_000']) {
      const r = await simulate('--runs', raw);
      expect(r.code, raw).toBe(2);
      expect(r.stderr, raw).toMatch(/--runs must be an integer in decimal notation/);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('says the range when an integer is too large, and "an integer"', async () => {
    let r = await simulate('--seed', '1e20');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed must be <= 9007199254740991; got '1e20'/);
    r = await simulate('--runs', 'ten');
    expect(r.stderr).toMatch(/--runs must be an integer/);
    expect(r.stderr).not.toMatch(/a integer/);
    r = await simulate('--t-end', 'soon');
    expect(r.stderr).toMatch(/--t-end must be a number/);
  });

  it('caps the input it echoes: a 40 KB option value, a 40 KB expression, a binary settings file', async () => {
    let r = await simulate('--method', 'x'.repeat(40_000));
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stderr).toMatch(/more characters/);
    const model = join(dir, 'long.srn');
    writeFileSync(model, `X -> 0 @ k*(${'X+'.repeat(20_000)}X\nX = 1\nk = 1\n`);
    r = await cli(['simulate', model, '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('long.srn');
    expect(r.stderr.length).toBeLessThan(600);
    const binary = join(dir, 'binary-settings.txt');
    writeFileSync(binary, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256)));
    r = await simulate('--settings', binary);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('binary-settings.txt');
    expect(r.stderr.length).toBeLessThan(600);
  });

  it('--settings naming a species the model lacks (variables: or concentration:) is a usage error', async () => {
    const settings = join(dir, 'unknown-variable.txt');
    writeFileSync(settings, 'duration: 1\nsteps: 2\nvariables: X, Z\n');
    let r = await simulate('--settings', settings);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/variables: unknown species 'Z' \(the model's species: X, Y\)/);
    const sbmlSettings = join(dir, 'unknown-concentration.txt');
    writeFileSync(sbmlSettings, 'duration: 1\nsteps: 2\nvariables: X\nconcentration: Q\n');
    r = await cli(['simulate', join(suite, '00001-sbml-l3v2.xml'), '--settings', sbmlSettings, '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/concentration: unknown species 'Q'/);
    expect(r.stderr).not.toMatch(/RangeError/);
  });

  it('lv simulate refuses a lattice too small for the initial density, like lv all', async () => {
    const r = await cli(['lv', 'simulate', '--out', join(dir, 'never'), '--size', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--size must be >= 4/);
  });

  it('lv all refuses one run or one chain, which would write NaN standard deviations the next stage refuses', async () => {
    for (const flag of ['--train-runs', '--heldout-runs', '--chains']) {
      const args = TINY_ARGS.map((a, i) => (TINY_ARGS[i - 1] === flag ? '1' : a));
      const r = await cli(['lv', 'all', '--out', join(dir, 'never'), ...args]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${flag} must be >= 2`));
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))('fails at once with a clear message for an --out that cannot be created (under /proc)', { timeout: 10_000 }, async () => {
    for (const args of [['lv', 'all', '--out', '/proc/srn-bench-test/x'], ['simulate', example, '--out', '/proc/self/srn-bench-test']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      // Refused up front by the option check (a kernel file system), before any directory is made.
      expect(r.stderr).toMatch(/cannot write output under \/proc/);
    }
    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'nowhere', 'target'), dangling);
    const r = await cli(['lv', 'all', '--out', dangling]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot create the directory \(EEXIST\)/);
  });
});

describe('srn-bench lv experiment directories (issue #20, items 5-8)', () => {
  let root: string;
  let ref: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'srn-robust-lv-'));
    ref = join(root, 'ref');
    const r = await cli(['lv', 'all', '--out', ref, ...TINY_ARGS]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const copy = (name: string) => {
    const dir = join(root, name);
    cpSync(ref, dir, { recursive: true });
    return dir;
  };
  const editConfig = (dir: string, edit: (config: Record<string, unknown>) => void) => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    edit(config);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  };

  it("config.json's streams are validated: pointing the held-out set at the training stream is refused (item 5)", async () => {
    const dir = copy('streams');
    editConfig(dir, (config) => {
      const streams = config.streams as Record<string, string>;
      streams.heldout = streams.train;
    });
    for (const command of ['predict', 'report']) {
      const r = await cli(['lv', command, '--out', dir]);
      expect(r.code, command).toBe(1);
      expect(r.stderr).toMatch(/config\.json is corrupt \(streams must be the ones derived from seed 5/);
    }
  });

  it('"settings": null (or a missing section) is a typed error, not a TypeError (item 5)', async () => {
    const edits = [(c: Record<string, unknown>) => { c.settings = null; }, (c: Record<string, unknown>) => { (c.settings as Record<string, unknown>).train = 7; }];
    for (const [i, edit] of edits.entries()) {
      const dir = copy(`null-settings-${i}`);
      editConfig(dir, edit);
      const r = await cli(['lv', 'report', '--out', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/config\.json is corrupt \(settings must be an object/);
      expect(r.stderr).not.toMatch(/TypeError/);
    }
  });

  it('a setting out of its range in config.json is refused even with a matching hash (item 5)', async () => {
    const dir = copy('range');
    editConfig(dir, (config) => {
      ((config.settings as Record<string, Record<string, unknown>>).predict).chains = -3;
      // A hostile editor recomputes the hash (sha256 of preset, seed, settings and streams).
      const { preset, seed, settings, streams } = config;
      config.hash = createHash('sha256').update(JSON.stringify({ preset, seed, settings, streams })).digest('hex').slice(0, 16);
    });
    const r = await cli(['lv', 'predict', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/settings\.predict\.chains must be >= 2/);
  });

  it('lv all over an experiment with other settings exits 2 and changes nothing; --force replaces it (item 6)', async () => {
    const dir = copy('other-settings');
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    const args = ['lv', 'all', '--out', dir, ...TINY_ARGS.map((a) => (a === '5' ? '6' : a))]; // --seed 6
    let r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds an experiment with other settings \(preset quick, seed 5.*--resume.*--force/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    expect(listFiles(dir)).toEqual(listFiles(ref));
    r = await cli([...args, '--force', '--until', 'simulate']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).seed).toBe(6);
    // The replaced experiment's later stages are gone: the directory holds one run's files.
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'simulate']);
    r = await cli([...args, '--force', '--resume']);
    expect(r.code).toBe(2);
    // The replacing run, stopped during training, resumes to the end (nothing of the replaced run is left to trip it).
    r = await cli([...args, '--force', '--stop-after-train-steps', '2']);
    expect(r.code, r.stderr).toBe(0);
    r = await cli(['lv', 'all', '--out', dir, '--resume', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8')).seed).toBe(6);
  });

  it('an unreadable config.json is not silently overwritten by a new run (item 6)', async () => {
    const dir = copy('unreadable');
    writeFileSync(join(dir, 'config.json'), '{"kind": ');
    const r = await cli(['lv', 'all', '--out', dir, ...TINY_ARGS, '--until', 'simulate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.json cannot be used .*--force/);
  });

  it('a rerun leaves no file of the earlier run: lv simulate with fewer runs, and a stage rerun (item 7)', async () => {
    const dir = join(root, 'standalone');
    let r = await cli(['lv', 'simulate', '--out', dir, '--runs', '3', '--size', '8', '--steps', '5', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'trajectories'))).toHaveLength(3);
    r = await cli(['lv', 'simulate', '--out', dir, '--runs', '2', '--size', '8', '--steps', '5', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'trajectories')).sort()).toEqual(['run-0000.srnl', 'run-0001.srnl']);
    r = await cli(['lv', 'simulate', '--out', dir, '--runs', '2', '--size', '8', '--steps', '5', '--workers', '1', '--trajectories', 'none']);
    expect(readdirSync(dir).sort()).toEqual(['moments.csv', 'summary.json']);

    const experiment = copy('rerun');
    writeFileSync(join(experiment, 'predict', 'stale.csv'), 'time\n0\n');
    r = await cli(['lv', 'predict', '--out', experiment]);
    expect(r.code, r.stderr).toBe(0);
    expect(listFiles(join(experiment, 'predict'))).toEqual(listFiles(join(ref, 'predict')));
    expect(listFiles(experiment).filter((f) => f.includes('.partial') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('lv report rejects NaN in predict/moments-filtered.csv and random bytes in train/history.csv, naming file and command (item 8)', async () => {
    const dir = copy('corrupt');
    const moments = join(dir, 'predict', 'moments-filtered.csv');
    const lines = readFileSync(moments, 'utf8').split('\n');
    lines[3] = lines[3].replace(/,[^,]+/, ',NaN');
    writeFileSync(moments, lines.join('\n'));
    let r = await cli(['lv', 'report', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${moments} is corrupt (row 4, column 'X-mean' is 'NaN', not a finite number); rerun 'srn-bench lv predict --out ${dir}'`);
    cpSync(join(ref, 'predict', 'moments-filtered.csv'), moments);

    const history = join(dir, 'train', 'history.csv');
    writeFileSync(history, Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7919 + 13) % 256)));
    r = await cli(['lv', 'report', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${history} is corrupt`);
    expect(r.stderr).toContain(`rerun 'srn-bench lv train --out ${dir}'`);
    // Nothing of the earlier report was touched.
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toBe(readFileSync(join(ref, 'report', 'report.md'), 'utf8'));
  });

  it('a corrupt stage.json (its time not a number) is refused (item 8)', async () => {
    const dir = copy('stage-record');
    const path = join(dir, 'predict', 'stage.json');
    const record = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...record, seconds: 'soon' }));
    const r = await cli(['lv', 'report', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path} is corrupt`);
  });
});
