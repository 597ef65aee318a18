import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { createMachine } from '@srn/boltzmann';
import { paperMachineSpec, paperTheta0 } from '@srn/closure';
import { makeConfig, presetSettings, readConfig, settingsFromOptions, writeConfig } from '../src/closure/config.ts';
import { machineSpecFor, trainerConfig } from '../src/closure/train-stage.ts';
import { quietContext } from '../src/closure/context.ts';
import { LvInterruptedError } from '../src/closure/errors.ts';
import { findSimulatedPeaks, scorePrediction } from '@srn/closure';
import { runPipeline } from '../src/closure/pipeline.ts';
import { reportFiles } from '../src/closure/report-stage.ts';

// A tiny experiment (8 x 8 lattice, 20 time points, a few runs and training steps): seconds, not minutes.
const TINY = {
  size: 8,
  timeSteps: 20,
  trainRuns: 6,
  heldoutRuns: 40,
  window: 5,
  horizonStart: 5,
  batchSize: 3,
  asleepChains: 3,
  awakeSweeps: 3,
  asleepSweeps: 3,
  trainSteps: 12,
  checkpointEvery: 4,
  chains: 10,
  sweeps: 3,
  taps: 5,
};
const SEED = 11;
const FIGURES = [
  'lattice-snapshots',
  'phase-plane',
  'theta',
  'moments-train',
  'moments-heldout',
  'closure-channels',
  'closure-sum',
  'layers',
  'training-history',
];

function tinySettings() {
  return settingsFromOptions('quick', TINY);
}

/** Runs the CLI and captures its exit code and stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await main(args), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

describe('srn-bench lv pipeline', () => {
  let root: string;
  let full: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'srn-lv-pipeline-'));
    full = join(root, 'full');
    const result = await runPipeline(quietContext(full), { preset: 'quick', seed: SEED, settings: tinySettings() });
    expect(result.finished).toBe(true);
    expect(result.ran).toEqual(['simulate', 'train', 'predict', 'report']);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('writes every file of every stage, and the report with all figures as SVG, PNG and vega-lite spec', () => {
    for (const file of reportFiles(FIGURES)) expect(existsSync(join(full, 'report', file)), file).toBe(true);
    for (const file of [
      'config.json',
      'simulate/stage.json',
      'simulate/train/moments.csv',
      'simulate/heldout/moments.csv',
      'simulate/train/trajectories/run-0005.srnl',
      'train/stage.json',
      'train/model.bin',
      'train/theta.csv',
      'train/history.csv',
      'train/checkpoint.bin',
      'predict/theta.csv',
      'predict/moments-raw.csv',
      'predict/moments-filtered.csv',
      'predict/baselines.csv',
      'predict/channels.csv',
      'predict/layers.json',
    ]) {
      expect(existsSync(join(full, file)), file).toBe(true);
    }
    expect(listFiles(full).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const svg = readFileSync(join(full, 'report', 'figures', 'moments-heldout.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const png = readFileSync(join(full, 'report', 'figures', 'moments-heldout.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const spec = JSON.parse(readFileSync(join(full, 'report', 'figures', 'lattice-snapshots.vl.json'), 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite/);
    const html = readFileSync(join(full, 'report', 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(FIGURES.length);
    const md = readFileSync(join(full, 'report', 'report.md'), 'utf8');
    for (const name of FIGURES) expect(md).toContain(`figures/${name}.svg`);
    expect(md).toMatch(/Quality targets/);
    expect(md).toMatch(/Timings and memory/);
  });

  it('config.json holds the settings, seed, streams and versions', () => {
    const config = readConfig(full);
    expect(config.seed).toBe(SEED);
    expect(config.settings.simulate.size).toBe(8);
    expect(config.streams.train).not.toBe(config.streams.heldout);
    expect(config.versions['@srn/gillespie']).toMatch(/^\d+\.\d+\.\d+/);
    expect(config.versions.vega).toMatch(/^6\.4\./);
  });

  it('metrics are finite and sane for every moment, predictor and dataset', () => {
    const metrics = JSON.parse(readFileSync(join(full, 'report', 'metrics.json'), 'utf8'));
    expect(metrics.moments).toEqual(['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY']);
    for (const dataset of ['train', 'heldout']) {
      for (const predictor of ['learned-raw', 'learned-filtered', 'mean-field', 'pair']) {
        for (const moment of ['X', 'NN_XX', 'NNN_XY']) {
          const m = metrics.metrics[dataset][predictor][moment];
          expect(m, `${dataset}/${predictor}/${moment}`).not.toBeNull();
          expect(Number.isFinite(m.rmse) && m.rmse >= 0).toBe(true);
          expect(Number.isFinite(m.meanRelError) && m.meanRelError >= 0).toBe(true);
          expect(m.maxRelError).toBeGreaterThanOrEqual(m.meanRelError);
        }
        // Over 20 steps from 4 prey the prey count stays within a factor of a few of the simulation.
        expect(metrics.metrics[dataset][predictor].X.meanRelError).toBeLessThan(2);
      }
    }
    expect(metrics.qualityTargets.rows.map((r: { moment: string }) => r.moment)).toEqual(['X', 'NN_XX', 'NNN_XY']);
    expect(metrics.timings.map((t: { stage: string }) => t.stage)).toEqual(['simulate', 'train', 'predict', 'report']);
    for (const t of metrics.timings) expect(t.seconds).toBeGreaterThan(0);
  });

  it('warns when θ(t) leaves the FE cells training touched, records it and says so in the report; silent when it stays inside', async () => {
    // The tiny run's θ moves by about 1e-5 per time point (measured), so at a grid spacing of 1e-6 the prediction with
    // the final F crosses into cells the two training steps' forward solves (with earlier F) never visited; at the
    // preset's spacing 0.1 it stays in one trained cell. Either outcome follows from the geometry, not the seed.
    const inside = JSON.parse(readFileSync(join(full, 'predict', 'stage.json'), 'utf8'));
    expect(inside.untrained).toEqual([]);
    expect(readFileSync(join(full, 'report', 'report.md'), 'utf8')).not.toMatch(/outside the trained region/);
    const dir = join(root, 'untrained');
    const logs: string[] = [];
    const settings = settingsFromOptions('quick', { ...TINY, trainSteps: 2, spacing: 1e-6 });
    const result = await runPipeline(quietContext(dir, { log: (line: string) => logs.push(line) }), { preset: 'quick', seed: SEED, settings });
    expect(result.finished).toBe(true);
    expect(logs.filter((l) => l.startsWith('predict: warning: θ(0) of the training data: θ(t) is outside the region F was trained on'))).toHaveLength(1);
    const untrained = JSON.parse(readFileSync(join(dir, 'predict', 'stage.json'), 'utf8')).untrained;
    expect(untrained).toHaveLength(1);
    expect(untrained[0].label).toBe('θ(0) of the training data');
    expect(untrained[0].fraction).toBeLessThan(1);
    expect(untrained[0].firstUntrainedTime).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toMatch(/\*\*θ\(t\) outside the trained region of F:\*\* θ\(0\) of the training data for \d+ % of the times/);
  });

  it("runs end to end with the paper's machine (same-species couplings, one pass)", async () => {
    const dir = join(root, 'same');
    const settings = settingsFromOptions('quick', { ...TINY, couplings: 'same', passes: 1, psiDerivScale: 'fractional' });
    const result = await runPipeline(quietContext(dir), { preset: 'quick', seed: SEED, settings });
    expect(result.finished).toBe(true);
    const theta = readFileSync(join(dir, 'predict', 'theta.csv'), 'utf8').split('\n')[0].split(',');
    expect(theta.slice(1, 11)).toEqual(['hX', 'hY', 'bX1', 'bY1', 'bX2', 'bY2', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8'));
    expect(metrics.metrics.heldout['learned-filtered'].X.meanRelError).toBeLessThan(2);
  });

  it('runs end to end with cross-species couplings (14 parameters, the paper FE domain)', async () => {
    const dir = join(root, 'cross');
    const result = await runPipeline(quietContext(dir), { preset: 'quick', seed: SEED, settings: settingsFromOptions('quick', { ...TINY, couplings: 'cross' }) });
    expect(result.finished).toBe(true);
    const theta = readFileSync(join(dir, 'predict', 'theta.csv'), 'utf8').split('\n')[0].split(',');
    for (const name of ['wXY1', 'wYX1', 'wX1Y2', 'wY1X2', 'wXY1-filtered']) expect(theta).toContain(name);
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8'));
    for (const moment of ['X', 'NN_XX', 'NNN_XY']) {
      const m = metrics.metrics.heldout['learned-filtered'][moment];
      expect(Number.isFinite(m.meanRelError) && m.meanRelError >= 0, moment).toBe(true);
    }
    expect(metrics.metrics.heldout['learned-filtered'].X.meanRelError).toBeLessThan(2);
  });

  it('runs end to end with lateral visible couplings (no hidden layers, binary-state moments)', async () => {
    const dir = join(root, 'lateral');
    const result = await runPipeline(quietContext(dir), { preset: 'quick', seed: SEED, settings: settingsFromOptions('quick', { ...TINY, couplings: 'lateral' }) });
    expect(result.finished).toBe(true);
    const theta = readFileSync(join(dir, 'predict', 'theta.csv'), 'utf8').split('\n')[0].split(',');
    expect(theta.slice(1, 9)).toEqual(['hX', 'hY', 'nXX', 'nXY', 'nYX', 'nYY', 'mXY', 'mYX']);
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8'));
    for (const moment of ['X', 'NN_XX', 'NNN_XY']) {
      const m = metrics.metrics.heldout['learned-filtered'][moment];
      expect(Number.isFinite(m.meanRelError) && m.meanRelError >= 0, moment).toBe(true);
    }
    expect(metrics.metrics.heldout['learned-filtered'].X.meanRelError).toBeLessThan(2);
  });

  it('resumes an interrupted training to the identical result (step limit, then Ctrl-C)', async () => {
    const dir = join(root, 'resumed');
    const first = await runPipeline(quietContext(dir), { preset: 'quick', seed: SEED, settings: tinySettings(), stopAfterTrainSteps: 3 });
    expect(first.finished).toBe(false);
    // An unfinished training lives in DIR/train.partial (checkpoint included); DIR/train appears when it finishes.
    expect(existsSync(join(dir, 'train.partial', 'checkpoint.bin'))).toBe(true);
    expect(existsSync(join(dir, 'train'))).toBe(false);
    // Second session: Ctrl-C (an abort signal) after two more steps.
    const abort = new AbortController();
    const ctx = quietContext(dir, {
      signal: abort.signal,
      progress: (label) => ({
        update(done: number) {
          if (label === 'train' && done >= 5) abort.abort();
        },
        stop() {},
      }),
    });
    const interrupted = await runPipeline(ctx, { resume: true }).catch((error: unknown) => error);
    expect(interrupted).toBeInstanceOf(LvInterruptedError);
    expect((interrupted as Error).message).toMatch(/step 5 of 24.*\n.*Resume with: srn-bench lv all --out .* --resume/);
    expect(ctx.signal?.aborted).toBe(true);
    const last = await runPipeline(quietContext(dir), { resume: true });
    expect(last.finished).toBe(true);
    expect(last.skipped).toEqual(['simulate']);
    expect(JSON.parse(readFileSync(join(dir, 'train', 'stage.json'), 'utf8')).sessions).toBe(3);
    expect(readFileSync(join(dir, 'train', 'model.bin')).equals(readFileSync(join(full, 'train', 'model.bin')))).toBe(true);
    expect(readFileSync(join(dir, 'predict', 'moments-filtered.csv'), 'utf8')).toBe(readFileSync(join(full, 'predict', 'moments-filtered.csv'), 'utf8'));
    const metrics = (d: string) => JSON.parse(readFileSync(join(d, 'report', 'metrics.json'), 'utf8')).metrics;
    expect(metrics(dir)).toEqual(metrics(full));
  });

  it('robustness: missing or corrupt inputs, bad options, a non-writable DIR; nothing earlier is deleted', async () => {
    const empty = join(root, 'empty');
    expect((await cli(['lv', 'all', '--out', empty, '--until', 'simulate', '--size', '2'])).code).toBe(2);
    let r = await cli(['lv', 'train', '--out', empty]);
    expect(r.code).toBe(2); // DIR does not exist
    expect(r.stderr).toMatch(/not an existing experiment directory/);

    const bare = join(root, 'bare');
    mkdirSync(bare);
    r = await cli(['lv', 'train', '--out', bare]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(bare, 'config.json')} is missing`);

    const dir = join(root, 'broken');
    cpSync(full, dir, { recursive: true });
    rmSync(join(dir, 'train', 'checkpoint.bin'));
    r = await cli(['lv', 'train', '--out', dir, '--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing to resume/);

    rmSync(join(dir, 'predict', 'moments-raw.csv'));
    r = await cli(['lv', 'report', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'predict', 'moments-raw.csv'));
    expect(r.stderr).toMatch(/missing/);
    expect(existsSync(join(dir, 'report', 'report.md'))).toBe(true);

    writeFileSync(join(dir, 'simulate', 'train', 'trajectories', 'run-0001.srnl'), 'garbage');
    r = await cli(['lv', 'train', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run-0001.srnl is corrupt');
    expect(existsSync(join(dir, 'train', 'model.bin'))).toBe(true);

    writeFileSync(join(dir, 'simulate', 'heldout', 'moments.csv'), 'time,X-mean\n0,1\n');
    r = await cli(['lv', 'report', '--out', dir]);
    expect(r.code).toBe(1);

    writeFileSync(join(dir, 'config.json'), '{"kind": "srn-lv-experiment"');
    r = await cli(['lv', 'predict', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'config.json')} is corrupt`);
    expect(existsSync(join(dir, 'predict', 'theta.csv'))).toBe(true);

    for (const args of [
      ['--size', '2'],
      ['--taps', '4'],
      ['--window', '30', '--time-steps', '20'],
      ['--preset', 'huge'],
      ['--learning-rate', '-1'],
      ['--batch-size', '9', '--train-runs', '4'],
      ['--couplings', 'diagonal'],
    ]) {
      r = await cli(['lv', 'all', '--out', join(root, 'never'), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(existsSync(join(root, 'never'))).toBe(false);

    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    r = await cli(['lv', 'all', '--out', join(file, 'sub')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot create the directory/);

    r = await cli(['lv', 'all', '--out', full, '--resume', '--size', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume continues/);
    r = await cli(['lv', 'simulate', '--out', full, '--runs', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.json/);
  });
});

describe('lv metrics', () => {
  it('finds the peaks of a damped oscillation and measures errors', () => {
    const sim = Float64Array.from({ length: 500 }, (_, t) => 300 + 200 * Math.exp(-t / 400) * Math.sin((2 * Math.PI * t) / 220));
    const peaks = findSimulatedPeaks(sim);
    expect(peaks.length).toBe(2);
    expect(Math.abs(peaks[0] - 55)).toBeLessThan(6);
    expect(Math.abs(peaks[1] - 275)).toBeLessThan(6);
    const pred = sim.map((x) => 1.1 * x);
    const m = scorePrediction(sim, pred);
    expect(m.meanRelError).toBeCloseTo(0.1, 10);
    expect(m.maxRelError).toBeCloseTo(0.1, 10);
    expect(m.peaks.every((p) => Math.abs(p.ratio - 1.1) < 1e-12)).toBe(true);
  });

  it('the presets are valid and differ where the issue says', () => {
    const quick = presetSettings('quick');
    const paper = presetSettings('paper');
    const original = presetSettings('paper-original');
    // The paper's exact configuration (spec 6.8), kept as a preset for comparison.
    expect(original.simulate).toMatchObject({ size: 40, timeSteps: 500, trainRuns: 100 });
    expect(original.simulate.heldoutRuns).toBeGreaterThanOrEqual(1000);
    expect(original.train).toMatchObject({
      steps: 980,
      passes: 1,
      window: 10,
      batchSize: 5,
      asleepChains: 5,
      awakeSweeps: 10,
      asleepSweeps: 10,
      learningRate: 2.5e-6,
      optimizer: 'sgd',
      moveEvery: 2,
      couplings: 'same',
      psiDerivScale: 'fractional',
    });
    // The paper preset: the same data and prediction, the improved model and training.
    expect(paper.simulate).toEqual(original.simulate);
    expect(paper.predict).toEqual(original.predict);
    expect(paper.train).toMatchObject({ couplings: 'lateral', psiDerivScale: 'physical', passes: 2, batchSize: 100, asleepChains: 20 });
    // Every training trajectory in every awake phase (the lateral model has no hidden units to sample).
    expect(paper.train.batchSize).toBe(paper.simulate.trainRuns);
    expect(quick.train.batchSize).toBe(quick.simulate.trainRuns);
    expect(settingsFromOptions('quick', { trainRuns: 30 }).train.batchSize).toBe(30);
    expect(settingsFromOptions('paper', { trainRuns: 300 }).train.batchSize).toBe(300);
    expect(settingsFromOptions('paper', { trainRuns: 300, batchSize: 20 }).train.batchSize).toBe(20);
    expect(settingsFromOptions('paper-original', { trainRuns: 300 }).train.batchSize).toBe(5);
    expect(quick.simulate.size).toBeLessThan(paper.simulate.size);
    expect(quick.train.couplings).toBe('lateral');
  });

  it('--couplings is validated and overrides either preset', () => {
    expect(settingsFromOptions('paper', { couplings: 'cross' })).toEqual({ ...presetSettings('paper'), train: { ...presetSettings('paper').train, couplings: 'cross' } });
    expect(settingsFromOptions('quick', { couplings: 'cross' }).train.couplings).toBe('cross');
    expect(settingsFromOptions('paper', { couplings: 'lateral' }).train.couplings).toBe('lateral');
  });

  it('--precondition is validated (a usage error naming the flag and value) and reaches the trainer only when set', async () => {
    const { lvAllSpec } = await import('../src/commands/lv-all.ts');
    const { parseCommandLine } = await import('../src/args.ts');
    expect(() => parseCommandLine(['--precondition', 'fisher'], lvAllSpec)).toThrow(/--precondition.*fisher/);
    expect(presetSettings('paper').train.precondition).toBe('none');
    expect(presetSettings('quick').train.precondition).toBe('none');
    expect(presetSettings('paper-original').train.precondition).toBe('none');
    // 'none' leaves the trainer's configuration as it was (so the presets train exactly as before).
    expect('precondition' in trainerConfig(makeConfig('paper', 1, presetSettings('paper')))).toBe(false);
    const fisher = makeConfig('paper', 1, settingsFromOptions('paper', { precondition: 'fisher-diagonal' }));
    expect(trainerConfig(fisher).precondition).toBe('fisher-diagonal');
    const max = makeConfig('paper', 1, settingsFromOptions('paper', { precondition: 'fisher-max' }));
    expect(trainerConfig(max).precondition).toBe('fisher-max');
  });

  it('reads a config.json written before --couplings, --passes and --average-steps existed as the paper machine, one pass, last iterate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'srn-lv-config-'));
    try {
      const settings = presetSettings('paper-original');
      delete (settings.train as Partial<typeof settings.train>).couplings;
      delete (settings.train as Partial<typeof settings.train>).passes;
      delete (settings.train as Partial<typeof settings.train>).averageSteps;
      delete (settings.train as Partial<typeof settings.train>).precondition;
      writeConfig(dir, makeConfig('paper', 3, settings));
      expect(readConfig(dir).settings.train).toMatchObject({ couplings: 'same', passes: 1, averageSteps: 0, precondition: 'none' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps the couplings onto the trainer: the paper machine, or all species pairs with the paper FE domain', () => {
    const config = (couplings: 'same' | 'cross' | 'lateral') => makeConfig('quick', 1, settingsFromOptions('quick', { couplings }));
    // Every LV machine, θ(0) and offset is given explicitly (the trainer's defaults now fit them from the data): the
    // paper machine for 'same', θ(0) hX = hY = ln(p / (1 - 2p)) at p = 1/16, offsets 1/16 (visible) and 0.33.
    const same = trainerConfig(config('same'));
    expect(same.machine).toEqual(paperMachineSpec(20));
    expect(same.domain).toEqual(['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    expect(same.theta0).toEqual([...paperTheta0(createMachine(paperMachineSpec(20)))]);
    expect((same.theta0 as number[])[0]).toBeCloseTo(Math.log(1 / 16 / (1 - 2 / 16)), 12);
    expect(same.initialOffsets).toEqual([0.0625, 0.33, 0.33]);
    const cross = trainerConfig(config('cross'));
    expect(cross.latticeSize).toBeUndefined();
    expect(cross.domain).toEqual(['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    expect(createMachine(cross.machine!).parameters.names).toEqual(
      ['hX', 'hY', 'bX1', 'bY1', 'bX2', 'bY2', 'wXX1', 'wXY1', 'wYX1', 'wYY1', 'wX1X2', 'wX1Y2', 'wY1X2', 'wY1Y2'],
    );
    const lateral = trainerConfig(config('lateral'));
    expect(lateral.domain).toEqual(['hX', 'hY', 'nXX', 'nYY', 'nXY', 'mXY']);
    const lateralMachine = createMachine(lateral.machine!);
    expect(lateralMachine.layers.length).toBe(1);
    expect(lateralMachine.parameters.names).toEqual(['hX', 'hY', 'nXX', 'nXY', 'nYX', 'nYY', 'mXY', 'mYX']);
    // Nearest neighbours (2 per site) and the 4 displacements at distance 2 up to sign.
    expect(lateralMachine.connections.map((c) => c.lowerMultiplicity)).toEqual([2, 4]);
    // --average-steps N averages the last N of steps x passes iterates; 0 keeps the last iterate.
    expect(same.averageFrom).toBeUndefined();
    const averaged = makeConfig('quick', 1, settingsFromOptions('quick', { trainSteps: 50, passes: 2, averageSteps: 30 }));
    expect(trainerConfig(averaged).averageFrom).toBe(70);
    expect(() => settingsFromOptions('quick', { trainSteps: 50, passes: 2, averageSteps: 101 })).toThrow(
      /--average-steps \(101\) must be at most --train-steps x --passes \(100\)/,
    );
    // With 'same' couplings the explicit machine is exactly the closure's default paper machine.
    const sameSpec = machineSpecFor(config('same'));
    expect(createMachine(sameSpec).parameters.names).toEqual(createMachine(paperMachineSpec(20)).parameters.names);
  });
});
