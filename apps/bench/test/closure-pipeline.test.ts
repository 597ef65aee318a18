/**
 * `srn-bench closure`: tiny end-to-end runs (seconds each) for a 1D model (the A + A preset at its tiny size: several
 * Boltzmann initial conditions), a 2D three-species model file of a user's own (test/fixtures/cyclic-2d.lattice) and
 * a 3D model (the Rossler preset at 4 x 4 x 4); the report's rows for every observable and predictor; resume; and bad
 * input exiting 2 with a message naming the option and value, leaving no directory behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, listFiles } from './tiny-experiment.ts';

const CYCLIC = new URL('./fixtures/cyclic-2d.lattice', import.meta.url).pathname;
/** Settings of a tiny run of any model file with the `default` preset. */
const TINY = [
  '--samples', '3', '--heldout-samples', '4', '--train-steps', '6', '--passes', '1', '--window', '3', '--horizon-start', '3', '--asleep-chains', '2',
  '--awake-sweeps', '1', '--asleep-sweeps', '1', '--checkpoint-every', '3', '--chains', '4', '--sweeps', '1', '--taps', '3', '--workers', '1',
];

interface Metrics {
  observables: string[];
  predictors: string[];
  baselines: { kind: string; applies: boolean; reason?: string }[];
  metrics: Record<string, Record<string, Record<string, { rmse: number } | null>>>;
  perCondition: Record<string, Record<string, { rmse: number } | null>>[];
  noiseFloor: { standardError: Record<string, number>; secondHalfVsFirst: Record<string, { rmse: number }> };
}

describe('srn-bench closure', () => {
  const root = mkdtempSync(join(tmpdir(), 'srn-closure-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function run(name: string, args: string[]): Promise<{ dir: string; metrics: Metrics; report: string }> {
    const dir = join(root, name);
    const result = await cli(['closure', 'all', '--out', dir, ...args]);
    expect(result.code, result.stderr).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, 'report', 'metrics.json'), 'utf8')) as Metrics;
    return { dir, metrics, report: readFileSync(join(dir, 'report', 'report.md'), 'utf8') };
  }

  function expectEveryRow(metrics: Metrics, report: string) {
    for (const observable of metrics.observables) {
      for (const predictor of ['learned-raw', 'learned-filtered', 'mean-field', 'pair']) {
        const applies = metrics.baselines.find((b) => b.kind === predictor)?.applies ?? true;
        const m = metrics.metrics.heldout[predictor][observable];
        if (applies) expect(Number.isFinite(m?.rmse), `${predictor} ${observable}`).toBe(true);
      }
      expect(metrics.noiseFloor.standardError[observable]).toBeGreaterThan(0);
      expect(Number.isFinite(metrics.noiseFloor.secondHalfVsFirst[observable].rmse)).toBe(true);
      expect(report).toContain(`| ${observable} | noise floor: second half of the samples vs the first |`);
    }
  }

  it('1D: A + A -> 0 with several Boltzmann initial conditions (aa-2019-tiny): per-IC metrics and a space-time image', async () => {
    const { dir, metrics, report } = await run('aa', ['--preset', 'aa-2019-tiny', '--workers', '1']);
    expect(metrics.observables).toEqual(['n_A', 'NN_AA', 'run3_A', 'run4_A']);
    expectEveryRow(metrics, report);
    expect(metrics.perCondition).toHaveLength(2);
    expect(report).toContain('Per held-out initial condition: RMSE');
    expect(report).toContain('Space-time image');
    const files = listFiles(join(dir, 'predict'));
    expect(files).toEqual(expect.arrayContaining(['heldout/condition-000.csv', 'heldout/condition-001.csv', 'baselines.json', 'theta.csv']));
    // Three training conditions x 3 samples and two held-out conditions x 4 samples, from their own streams.
    const summary = JSON.parse(readFileSync(join(dir, 'simulate', 'heldout', 'summary.json'), 'utf8'));
    expect(summary.conditions).toBe(2);
    const train = JSON.parse(readFileSync(join(dir, 'simulate', 'train', 'summary.json'), 'utf8'));
    expect(train.conditions).toBe(3);
    // The held-out ICs are new draws: their Boltzmann parameters differ from every training IC's.
    const trainParams = train.conditionParameters.map((c: { parameters: unknown }) => JSON.stringify(c.parameters));
    for (const c of summary.conditionParameters) expect(trainParams).not.toContain(JSON.stringify(c.parameters));
    for (const figure of ['lattice', 'theta', 'moments-heldout', 'moments-train', 'moments-heldout-ic0']) expect(existsSync(join(dir, 'report', 'figures', `${figure}.svg`))).toBe(true);
    expect(readFileSync(join(dir, 'report', 'report.html'), 'utf8')).toContain('srn-figure-specs');
    // FE spacing 0.1 (the tiny preset's) against ICs whose h, J, K are drawn from [-1, 1]: a held-out IC's θ(0) lies
    // cells away from anything the three training ICs visited, where F is 0; the stage records it and the report says so.
    const predict = JSON.parse(readFileSync(join(dir, 'predict', 'stage.json'), 'utf8'));
    expect(predict.untrained.map((u: { label: string }) => u.label)).toEqual(['held-out IC 1/2', 'held-out IC 2/2']);
    expect(report).toContain('**θ(t) outside the trained region of F:** held-out IC 1/2 for 100 % of the times (from t = 0)');
  }, 60_000);

  it('1D: with an FE cell wider than the whole range of θ, every prediction runs where F was trained, and the report has no warning', async () => {
    // Spacing 50: the grid's origin is θ(0) of the first training IC minus 25, so every θ within ±25 of it shares one
    // cell, and that cell's corners hold the trained coefficients.
    const { dir, report } = await run('aa-coarse', ['--preset', 'aa-2019-tiny', '--workers', '1', '--spacing', '50']);
    expect(JSON.parse(readFileSync(join(dir, 'predict', 'stage.json'), 'utf8')).untrained).toEqual([]);
    expect(report).not.toContain('outside the trained region');
  }, 60_000);

  it("2D: a user's three-species model file with the default preset; resume skips the finished stages", async () => {
    const { dir, metrics, report } = await run('cyclic', ['--model', CYCLIC, ...TINY]);
    expect(metrics.observables.slice(0, 3)).toEqual(['A', 'B', 'C']);
    expect(metrics.observables).toHaveLength(15);
    expectEveryRow(metrics, report);
    expect(report).toContain('Snapshots of training run 0');
    const again = await cli(['closure', 'all', '--out', dir, '--resume']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/simulate: up to date, skipped[\s\S]*predict: up to date, skipped/);
  }, 60_000);

  it("a baseline that does not apply is recorded with its reason and reported as such (pair approximation on an 8 x 2 torus)", async () => {
    const { metrics, report } = await run('narrow', ['--model', CYCLIC, '--shape', '8x2', '--form', 'hidden', '--hidden-layers', '1', ...TINY]);
    const pair = metrics.baselines.find((b) => b.kind === 'pair');
    expect(pair?.applies).toBe(false);
    expect(pair?.reason).toMatch(/axis 1 of the periodic lattice has extent 2 < 3/);
    expect(metrics.baselines.find((b) => b.kind === 'mean-field')?.applies).toBe(true);
    expect(report).toMatch(/\| pair approximation \| \*\*does not apply\*\* \| the pair approximation needs z distinct neighbours/);
    for (const observable of metrics.observables) {
      expect(report).toContain(`| ${observable} | pair approximation | does not apply |`);
      expect(metrics.metrics.heldout.pair[observable]).toBeNull();
    }
  }, 60_000);

  it('3D: the Rossler oscillator at 4 x 4 x 4 (rossler-2019-tiny), --form hidden; slices in the report', async () => {
    const { metrics, report } = await run('rossler', ['--preset', 'rossler-2019-tiny', '--form', 'hidden', '--hidden-layers', '1']);
    expectEveryRow(metrics, report);
    expect(report).toContain('Slices (first axis at 2)');
    expect(report).toContain('--form hidden (1 hidden layers');
  }, 60_000);

  it('reads a config.json written before --precondition existed as no preconditioner (its hash as written)', async () => {
    const { createHash } = await import('node:crypto');
    const { readExperimentConfig } = await import('../src/closure/experiment.ts');
    const dir = join(root, 'old-config');
    const result = await cli(['closure', 'all', '--out', dir, '--preset', 'barw-2018-tiny', '--until', 'simulate', '--workers', '1']);
    expect(result.code, result.stderr).toBe(0);
    const path = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    expect(config.settings.train.precondition).toBe('none');
    delete config.settings.train.precondition;
    const hashed = { preset: config.preset, seed: config.seed, model: config.model.sha256, settings: config.settings, streams: config.streams };
    config.hash = createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 16);
    writeFileSync(path, JSON.stringify(config, null, 2));
    const read = readExperimentConfig(dir);
    expect(read.settings.train).toMatchObject({ precondition: 'none' });
    expect(read.hash).toBe(config.hash);
  });

  it('bad input exits 2 naming the option and value, and leaves no directory', async () => {
    const broken = join(root, 'broken.lattice');
    writeFileSync(broken, 'species: A\nlattice: 10\nA -> B @ 1\n');
    const cases: [string[], RegExp][] = [
      [['--preset', 'nope'], /--preset.*nope/],
      [['--model', join(root, 'missing.lattice')], /--model .*missing\.lattice/],
      [['--model', broken], /--model .*broken\.lattice/],
      [['--model', CYCLIC, '--domain', 'hA,Jxyz'], /--domain hA,Jxyz: Jxyz is not a parameter/],
      [['--model', CYCLIC, '--triplets', 'on'], /--form visible does not fit the model .*triplet/i],
      [['--model', CYCLIC, '--shape', '8'], /--shape 8 has 1 axes/],
      [['--model', CYCLIC, '--conditions', '3'], /--conditions 3/],
      [['--model', CYCLIC, '--precondition', 'fisher'], /--precondition.*fisher/],
      [['--model', CYCLIC, '--size', '20'], /--size .*Lotka-Volterra presets/],
      [['--preset', 'quick', '--form', 'hidden'], /--form cannot apply to --preset quick/],
      [['--preset', 'barw-2018-tiny', '--time-steps', '20', '--window', '30'], /--window \(30\) must be smaller than --time-steps \(20\)/],
    ];
    for (const [i, [args, message]] of cases.entries()) {
      const dir = join(root, `bad-${i}`);
      const result = await cli(['closure', 'all', '--out', dir, ...args]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(dir), args.join(' ')).toBe(false);
    }
  }, 60_000);
});
