import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeLattice } from '@srn/gillespie/lattice';
import { main } from '../src/cli.ts';
import { bundledLatticeModel } from '../src/commands/lattice-run.ts';
import { capture } from './capture.ts';

const fixtures = new URL('./fixtures/lv-simulate/', import.meta.url);
const example = (name: string) => bundledLatticeModel(name);

/** A copy of an example with some lines replaced, written into `dir`. */
function variant(dir: string, name: string, replacements: [string | RegExp, string][]): string {
  let text = readFileSync(example(name), 'utf8');
  for (const [from, to] of replacements) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${String(from)} not in ${name}`);
    text = next;
  }
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('srn-bench lattice simulate / lattice check / lv simulate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-lattice-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  // The fixtures are moments.csv files written by `lv simulate` before it ran on the model file (the preset-based
  // implementation, 4 runs, seed 5, 12 x 12, 30 steps), with its --selection / --scheme settings. The row-biased one
  // was written again by the preset-based `lvSimulate` when the row-biased picks became O(1) (new random streams).
  it.each([
    ['paper-row-biased', []],
    ['paper-uniform', ['--selection', 'uniform']],
    ['exact', ['--scheme', 'exact']],
  ])('lv simulate on the bundled model file reproduces the earlier output for the same seed (%s)', async (name, extra) => {
    const io = capture();
    const out = join(dir, name);
    const code = await main(['lv', 'simulate', '--runs', '4', '--seed', '5', '--size', '12', '--steps', '30', '--workers', '1', '--out', out, ...extra]);
    expect(io.errors()).toBe('');
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'moments.csv'), 'utf8')).toBe(readFileSync(new URL(`${name}.moments.csv`, fixtures), 'utf8'));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.command).toBe('lv simulate');
    expect(summary.selection).toBe(name === 'paper-uniform' ? 'uniform' : name === 'exact' ? 'uniform' : 'row-biased');
    expect(io.text()).toMatch(name === 'exact' ? /exact scheme/ : name === 'paper-uniform' ? /paper scheme, uniform picks/ : /paper scheme, row-biased picks/);
    expect(readdirSync(join(out, 'trajectories'))).toEqual(['run-0000.srnl', 'run-0001.srnl', 'run-0002.srnl', 'run-0003.srnl']);
  });

  it('writes named mean/SD columns per observable, trajectories and a summary with the pick rule', async () => {
    const io = capture();
    const model = variant(dir, 'barw-1d.lattice', [['lattice: 100, closed', 'lattice: 30, closed']]);
    const out = join(dir, 'barw');
    const code = await main(['lattice', 'simulate', model, '--runs', '3', '--seed', '2', '--steps', '5', '--workers', '1', '--observables', 'count A; pair A A nn as nn; run A 3', '--out', out]);
    expect(io.errors()).toBe('');
    expect(code).toBe(0);
    const lines = readFileSync(join(out, 'moments.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('time,n_A-mean,n_A-sd,nn-mean,nn-sd,run3_A-mean,run3_A-sd,extinct_A');
    expect(lines).toHaveLength(6);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ command: 'lattice simulate', scheme: 'paper', selection: 'uniform', runs: 3, conditions: 1, observables: ['n_A', 'nn', 'run3_A'] });
    expect(summary.replicates[0]).toMatchObject({ run: 0, condition: 0, trajectory: 'trajectories/run-0000.srnl' });
    expect(summary.replicates[0].parameters).toEqual({ h: { A: 1 }, J: {}, K: {} });
    const trajectory = decodeLattice(new Uint8Array(readFileSync(join(out, 'trajectories', 'run-0002.srnl'))));
    expect(trajectory.shape).toEqual([30]);
    expect(trajectory.times).toHaveLength(5);
    expect(io.text()).toMatch(/3 runs \(paper scheme, uniform picks\)/);
  });

  it('writes one block of rows per initial condition and records every run\'s drawn parameters', async () => {
    capture();
    const model = variant(dir, 'annihilation-1d.lattice', [
      ['lattice: 1000, periodic', 'lattice: 40, periodic'],
      ['sweeps = 1000, conditions = 50', 'sweeps = 5, conditions = 2'],
    ]);
    const out = join(dir, 'aa');
    expect(await main(['lattice', 'simulate', model, '--runs', '4', '--steps', '3', '--workers', '1', '--trajectories', 'none', '--out', out])).toBe(0);
    const lines = readFileSync(join(out, 'moments.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('condition,time,runs,n_A-mean,n_A-sd,NN_AA-mean,NN_AA-sd,run3_A-mean,run3_A-sd,run4_A-mean,run4_A-sd');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '0', '0', '1', '1', '1']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.samplesPerCondition).toBe(2);
    expect(summary.replicates.map((r: { condition: number }) => r.condition)).toEqual([0, 0, 1, 1]);
    const p0 = summary.replicates[0].parameters;
    expect(summary.replicates[1].parameters).toEqual(p0);
    expect(summary.replicates[2].parameters).not.toEqual(p0);
    for (const value of [p0.h.A, p0.J['A-A'], p0.K['A-A-A']]) expect(Math.abs(value)).toBeLessThanOrEqual(1);
    expect(existsSync(join(out, 'trajectories'))).toBe(false);
  });

  it.each([
    ['1D A + A -> 0', 'annihilation-1d.lattice', [['lattice: 1000, periodic', 'lattice: 60, periodic'], ['sweeps = 1000, conditions = 50', 'sweeps = 5, conditions = 3']]],
    ['3D Rossler', 'rossler-3d.lattice', [['lattice: 10 x 10 x 10', 'lattice: 5 x 5 x 4']]],
  ] as [string, string, [string, string][]][])('%s ensembles are identical for 1, 2 and 4 workers', async (_title, name, replacements) => {
    capture();
    const model = variant(dir, name, replacements);
    const outputs: string[] = [];
    for (const workers of [1, 2, 4]) {
      const out = join(dir, `w${workers}`);
      const code = await main(['lattice', 'simulate', model, '--runs', '6', '--seed', '9', '--steps', '4', '--workers', String(workers), '--trajectories', 'none', '--out', out]);
      expect(code).toBe(0);
      outputs.push(readFileSync(join(out, 'moments.csv'), 'utf8'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it('lattice check prints what it understood, and the first problem with its line and column', async () => {
    let io = capture();
    expect(await main(['lattice', 'check', example('rossler-3d.lattice')])).toBe(0);
    expect(io.text()).toMatch(/lattice: 10 x 10 x 10 = 1000 sites, periodic boundary, 3D/);
    expect(io.text()).toMatch(/exact: no \(reaction 4 'A \+ A -> A @ p = 0\.1' gives no number for the exact scheme\)/);
    expect(io.text()).toMatch(/observables \(15, defaults\): A, B, C, NN_AA/);
    vi.restoreAllMocks();
    io = capture();
    const bad = variant(dir, 'barw-1d.lattice', [['A -> A + A @ 10', 'A -> A + A @ -10']]);
    expect(await main(['lattice', 'check', bad])).toBe(1);
    expect(io.errors()).toMatch(/barw-1d\.lattice:6:14: reactions\[0\]\.rate must be >= 0; got -10/);
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['lattice', 'check', example('rossler-3d.lattice'), '--scheme', 'exact'])).toBe(1);
    expect(io.errors()).toMatch(/rossler-3d\.lattice:11:1: reaction 4/);
  });

  it('lattice check reads the JSON form and prints it normalised in the text form', async () => {
    const io = capture();
    const { parseLatticeModel, formatLatticeModel } = await import('@srn/gillespie/lattice');
    const parsed = parseLatticeModel(readFileSync(example('enzyme-1d.lattice'), 'utf8'));
    const json = join(dir, 'enzyme.json');
    writeFileSync(json, JSON.stringify(parsed.file, null, 2));
    expect(await main(['lattice', 'check', json])).toBe(0);
    expect(io.text()).toMatch(/enzyme\.json: valid \(json form\)/);
    expect(io.text()).toMatch(/2\. X -> S \+ E @ 0\.1 +splitting \(second product onto a free neighbour\)/);
    io.out.length = 0;
    expect(await main(['lattice', 'check', json, '--format'])).toBe(0);
    expect(io.text()).toBe(formatLatticeModel(parsed.file));
  });

  // Bad input: a clear error naming the line or option and the value, and no output directory at all.
  it.each([
    ['an undeclared species', 'barw-1d.lattice', [['A -> A + A @ 10', 'A -> A + B @ 10']], [], /barw-1d\.lattice:6:10: reactions\[0\]\.offspring 'B' is not a declared species \(A\)/],
    ['a negative rate', 'barw-1d.lattice', [['hop: A = 100', 'hop: A = -100']], [], /barw-1d\.lattice:5:10: hop\.A must be >= 0; got -100/],
    ['a probability above 1', 'barw-1d.lattice', [['p = 0.1', 'p = 1.1']], [], /barw-1d\.lattice:7:18: reactions\[1\]\.probability must be in \[0, 1\]; got 1\.1/],
    ['a density above 1', 'barw-1d.lattice', [], ['--initial', 'densities A = 1.2'], /--initial:1:15: initial\.densities\.A must be in \[0, 1\]; got 1\.2/],
    ['counts above the sites', 'barw-1d.lattice', [], ['--initial', 'counts A = 101'], /--initial:1:1: initial\.counts places 101 particles on 100 sites/],
    ['an unknown species in an override', 'barw-1d.lattice', [], ['--observables', 'count B'], /--observables:1:7: observables\[0\]\.species 'B' is not a declared species/],
    ['a scheme without numbers', 'rossler-3d.lattice', [], ['--scheme', 'exact'], /rossler-3d\.lattice:11:1: reaction 4 'A \+ A -> A @ p = 0\.1' gives no number for the exact scheme/],
    ['runs not a multiple of the conditions', 'annihilation-1d.lattice', [], ['--runs', '75'], /--runs 75 must be a multiple of the model's 50 initial conditions/],
    ['a lattice too large for memory', 'barw-1d.lattice', [['lattice: 100, closed', 'lattice: 100000 x 100000 x 100000, closed']], ['--trajectories', 'none'], /the run needs about \d+(\.\d+)? GiB \(lattice 100000 x 100000 x 100000 = 1000000000000000 sites/],
  ] as [string, string, [string, string][], string[], RegExp][])('refuses %s before writing anything', async (_title, name, replacements, args, message) => {
    const io = capture();
    const model = replacements.length ? variant(dir, name, replacements) : example(name);
    const out = join(dir, 'out');
    const runs = args.includes('--runs') ? [] : ['--runs', '50'];
    const code = await main(['lattice', 'simulate', model, ...runs, '--workers', '1', '--out', out, ...args]);
    expect(code).not.toBe(0);
    expect(io.errors()).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('reads a snapshot file and refuses one that does not match the lattice', async () => {
    const io = capture();
    mkdirSync(join(dir, 'm'));
    const model = join(dir, 'm', 'snap.lattice');
    writeFileSync(model, 'species: A, B\nlattice: 4 x 3, closed\nhop: A = 1\nA -> 0 @ 1\nscheme: exact\ntime: dt = 0.5, steps = 3\ninitial: snapshot start.txt\n');
    writeFileSync(join(dir, 'm', 'start.txt'), '1 1 A\n4 3 B\n'); // the paper's i j SPECIES format, 1-based
    const out = join(dir, 'ok');
    expect(await main(['lattice', 'simulate', model, '--runs', '2', '--workers', '1', '--out', out])).toBe(0);
    const first = readFileSync(join(out, 'moments.csv'), 'utf8').split('\n')[1];
    expect(first.startsWith('0,1,0,1,0,')).toBe(true); // one A and one B at t = 0 in both runs
    writeFileSync(join(dir, 'm', 'start.txt'), '1 1 A\n6 3 B\n');
    expect(await main(['lattice', 'check', model])).toBe(1);
    expect(io.errors()).toMatch(/snap\.lattice:7:19: initial snapshot .*start\.txt: line 2: coordinate 6 outside 1\.\.4/);
    const bad = join(dir, 'bad');
    expect(await main(['lattice', 'simulate', model, '--runs', '2', '--workers', '1', '--out', bad])).toBe(1);
    expect(io.errors()).toMatch(/snap\.lattice:7:19: initial snapshot .*start\.txt: line 2: coordinate 6 outside 1\.\.4/);
    expect(existsSync(bad)).toBe(false);
  });

  it('leaves no output directory when interrupted', async () => {
    const io = capture();
    const out = join(dir, 'stopped');
    const args = ['lattice', 'simulate', example('barw-1d.lattice'), '--runs', '8', '--workers', '2', '--out', out];
    expect(await main(args, AbortSignal.abort())).toBe(130);
    expect(io.errors()).toMatch(/interrupted/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an output directory holding other files, and replaces an earlier output', async () => {
    const io = capture();
    const out = join(dir, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const args = ['lattice', 'simulate', example('barw-1d.lattice'), '--runs', '1', '--steps', '2', '--workers', '1', '--trajectories', 'none'];
    expect(await main([...args, '--out', out])).toBe(2);
    expect(io.errors()).toMatch(/--out .*taken exists and holds other files \(notes\.txt\)/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    const again = join(dir, 'again');
    expect(await main([...args, '--out', again])).toBe(0);
    expect(await main([...args, '--seed', '2', '--out', again])).toBe(0);
    expect(readdirSync(again).sort()).toEqual(['moments.csv', 'summary.json']);
    expect(JSON.parse(readFileSync(join(again, 'summary.json'), 'utf8')).seed).toBe(2);
  });
});
