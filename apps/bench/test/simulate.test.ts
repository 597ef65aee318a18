import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { capture } from './capture.ts';

const example = new URL('../examples/lotka-volterra.srn', import.meta.url).pathname;

describe('srn-bench simulate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-sim-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes moments, mean, sd and summary files, and nothing else', async () => {
    const io = capture();
    const code = await main(['simulate', example, '--runs', '40', '--t-end', '2', '--steps', '4', '--seed', '3', '--workers', '1', '--out', dir]);
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['mean.csv', 'moments.csv', 'sd.csv', 'summary.json']);
    const moments = readFileSync(join(dir, 'moments.csv'), 'utf8').trim().split('\n');
    expect(moments[0]).toBe('time,X-mean,X-sd,Y-mean,Y-sd');
    expect(moments).toHaveLength(6);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.runs).toBe(40);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
    expect(io.out.join('')).toMatch(/40 runs/);
  });

  it('writes the long (tidy) layout, quantiles and per-run trajectories on request', async () => {
    capture();
    const args = [example, '--runs', '20', '--t-end', '1', '--steps', '2', '--seed', '5', '--workers', '1'];
    const wide = mkdtempSync(join(tmpdir(), 'srn-sim-'));
    expect(await main(['simulate', ...args, '--quantiles', '0.1,0.9', '--trajectories', '--out', wide])).toBe(0);
    expect(readdirSync(wide).sort()).toEqual(['mean.csv', 'moments.csv', 'sd.csv', 'summary.json', 'trajectories.csv']);
    const wideRows = readFileSync(join(wide, 'moments.csv'), 'utf8').trim().split('\n');
    expect(wideRows[0]).toBe('time,X-mean,X-sd,X-q0.1,X-q0.9,Y-mean,Y-sd,Y-q0.1,Y-q0.9');
    const runs = readFileSync(join(wide, 'trajectories.csv'), 'utf8').trim().split('\n');
    expect(runs[0]).toBe('run,time,X,Y');
    expect(runs).toHaveLength(1 + 20 * 3);

    expect(await main(['simulate', ...args, '--quantiles', '0.1,0.9', '--trajectories', '--format', 'long', '--out', dir])).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['moments.csv', 'summary.json', 'trajectories.csv']);
    const longRows = readFileSync(join(dir, 'moments.csv'), 'utf8').trim().split('\n');
    expect(longRows[0]).toBe('time,species,statistic,value');
    expect(longRows).toHaveLength(1 + 3 * 2 * 4);
    // The same numbers in both layouts: Y's 0.9 quantile at t = 1.
    const wideLast = wideRows[3].split(',');
    expect(longRows).toContain(`1,Y,q0.9,${wideLast[8]}`);
    expect(readFileSync(join(dir, 'trajectories.csv'), 'utf8').split('\n')[0]).toBe('run,time,species,value');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.format).toBe('long');
    expect(summary.quantiles).toEqual([0.1, 0.9]);
    expect(summary.files).toEqual({ moments: 'moments.csv', trajectories: 'trajectories.csv' });
  });

  it('gives identical results for 1 and 2 workers', async () => {
    capture();
    const other = mkdtempSync(join(tmpdir(), 'srn-sim-'));
    const args = [example, '--runs', '30', '--t-end', '1', '--steps', '2', '--seed', '9'];
    expect(await main(['simulate', ...args, '--workers', '1', '--out', dir])).toBe(0);
    expect(await main(['simulate', ...args, '--workers', '2', '--out', other])).toBe(0);
    expect(readFileSync(join(dir, 'moments.csv'), 'utf8')).toBe(readFileSync(join(other, 'moments.csv'), 'utf8'));
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown option', ['--frobnicate', '1'], /unknown option '--frobnicate'/],
    ['a non-numeric value', ['--runs', 'ten'], /--runs must be an integer/],
    ['a value out of range', ['--runs', '0'], /--runs must be >= 1/],
    ['a non-integer', ['--steps', '2.5'], /--steps must be an integer/],
    ['a bad choice', ['--method', 'tau-leap'], /--method must be one of direct, nrm, cr/],
    ['a missing value', ['--seed'], /--seed needs a value/],
    ['a negative end time', ['--t-end', '-1'], /--t-end must be > 0/],
    ['a bad layout', ['--format', 'tall'], /--format must be one of wide, long/],
    ['a quantile outside [0, 1]', ['--quantiles', '0.5,2'], /--quantiles must be comma-separated probabilities in \[0, 1\]; got '2'/],
    ['an empty quantile', ['--quantiles', '0.5,,0.9'], /--quantiles .*got ''/],
  ];
  for (const [title, extra, pattern] of bad) {
    it(`exits with code 2 on ${title}`, async () => {
      const io = capture();
      const code = await main(['simulate', example, '--out', dir, ...extra]);
      expect(code).toBe(2);
      expect(io.err.join('')).toMatch(pattern);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('exits with code 2 and names the line and column of a DSL error', async () => {
    const model = join(dir, 'bad.srn');
    writeFileSync(model, 'X = 5\nX -> 0 @ -2\n');
    const io = capture();
    expect(await main(['simulate', model, '--out', join(dir, 'out')])).toBe(2);
    expect(io.err.join('')).toMatch(/bad\.srn:2:10: rate constant evaluates to -2/);
  });

  it('exits with code 2 on a missing model file or a missing --out', async () => {
    const io = capture();
    expect(await main(['simulate', join(dir, 'nope.srn'), '--out', dir])).toBe(2);
    expect(await main(['simulate', example])).toBe(2);
    expect(io.err.join('')).toMatch(/cannot read/);
    expect(io.err.join('')).toMatch(/missing required option --out/);
  });

  it('detects SBML and takes the grid from a test-suite settings file', async () => {
    const suite = new URL('../../../../shared/sbml-dsmts/00001/', import.meta.url).pathname;
    capture();
    const code = await main([
      'simulate', join(suite, '00001-sbml-l3v2.xml'), '--settings', join(suite, '00001-settings.txt'),
      '--runs', '200', '--workers', '1', '--out', dir,
    ]);
    expect(code).toBe(0);
    const rows = readFileSync(join(dir, 'moments.csv'), 'utf8').trim().split('\n');
    const expected = readFileSync(join(suite, '00001-results.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,X-mean,X-sd');
    expect(rows.map((r) => r.split(',')[0])).toEqual(expected.map((r) => String(Number(r.split(',')[0]) || r.split(',')[0])));
  });

  it('exits with code 2 naming the element of a broken SBML file', async () => {
    const broken = join(dir, 'broken.xml');
    writeFileSync(broken, '<?xml version="1.0"?><sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model><listOfSpecies><species id="X" compartment="nowhere" initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies></model></sbml>');
    const io = capture();
    expect(await main(['simulate', broken, '--out', join(dir, 'o')])).toBe(2);
    expect(io.err.join('')).toMatch(/broken\.xml: .*nowhere/);
  });

  it('prints help for every command and the overview', async () => {
    const io = capture();
    expect(await main(['simulate', '--help'])).toBe(0);
    expect(await main(['--help'])).toBe(0);
    expect(await main(['no-such-command'])).toBe(2);
    expect(io.out.join('')).toMatch(/Usage: srn-bench simulate MODEL/);
    expect(io.err.join('')).toMatch(/unknown command 'no-such-command'/);
  });
});
