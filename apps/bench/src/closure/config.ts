/**
 * The lattice Lotka-Volterra experiment's settings: presets (`quick`, `paper`), one declarative table of every
 * setting (its command-line flag, range, and value per preset), DIR/config.json (settings, seed, per-stage random
 * streams, package versions) and the hash that ties each stage's output to the settings it was made with.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capMessage, checkNumber, type OptionSpec, type ParsedOptions, UsageError } from '../args.ts';
import { writeFileAtomic } from '../io.ts';
import { LvInputError } from './errors.ts';

/** The presets. */
/**
 * `quick`: a small lattice in about a minute; `paper`: the paper's data (40 x 40, 500 time points, 100 training and
 * 1,000 held-out runs) with the improved model and training ({@link IMPROVED_MODEL}); `paper-original`: the paper's
 * exact configuration (spec 6.8: the 3-layer same-species DBM, 980 SGD steps), kept for comparison.
 */
export type LvPreset = 'quick' | 'paper' | 'paper-original';
export const LV_PRESETS: readonly LvPreset[] = ['quick', 'paper', 'paper-original'];

/** Every setting of the experiment (all stages). */
export interface LvSettings {
  simulate: {
    /** Lattice side L. */
    size: number;
    /** Snapshots t = 0 .. timeSteps − 1 (dt = 1). */
    timeSteps: number;
    trainRuns: number;
    heldoutRuns: number;
    scheme: 'paper' | 'exact';
    selection: 'uniform' | 'row-biased';
    preyBirth: number;
    predatorDeath: number;
    predationProbability: number;
  };
  train: {
    steps: number;
    window: number;
    horizonStart: number;
    moveEvery: number;
    batchSize: number;
    asleepChains: number;
    awakeSweeps: number;
    asleepSweeps: number;
    learningRate: number;
    optimizer: 'sgd' | 'adam';
    spacing: number;
    substeps: number;
    lambda: number;
    psiDerivScale: 'fractional' | 'physical';
    /**
     * Couplings of the Boltzmann machine: `'same'` (the paper's DBM: X–X1, Y–Y1, X1–X2, Y1–Y2), `'cross'` (also
     * X–Y1, Y–X1, X1–Y2, Y1–X2, each with its own F; the FE input domain stays the paper's six coordinates) or
     * `'lateral'` (no hidden layers: visible Potts pair couplings between nearest neighbours of every species pair and
     * between prey and predators at distance 2; see {@link LATERAL_DOMAIN}).
     */
    couplings: 'same' | 'cross' | 'lateral';
    /** Passes of the sliding-window curriculum (1 in the paper), each of `steps` steps. */
    passes: number;
    /** The learned F is the mean of the FE coefficients over the last N steps (0: the last iterate, the paper). */
    averageSteps: number;
    /**
     * Preconditioner of the adjoint's source terms: `'none'` (the paper: raw moment differences) or
     * `'fisher-diagonal'` (each parameter's moment difference divided by its statistic's model variance, averaged over
     * the window, scales normalised to geometric mean 1: a diagonal natural gradient; `precondition` of `@srn/closure`)
     * or `'fisher-max'` (the same, normalised to the largest variance: every scale ≥ 1).
     */
    precondition: 'none' | 'fisher-diagonal' | 'fisher-max';
    checkpointEvery: number;
  };
  predict: {
    chains: number;
    sweeps: number;
    cutoff: number;
    taps: number;
    /** Time of the sampled layer-probability figure (−1: 74 % of the run, t = 370 of 500 as in the paper). */
    layerTime: number;
  };
}

type Section = keyof LvSettings;

/** One row of the settings table. */
interface SettingRow {
  section: Section;
  key: string;
  flag: string;
  option: OptionSpec;
  quick: number | string;
  paper: number | string;
}

function int(description: string, min: number, max: number): OptionSpec {
  return { type: 'integer', description, min, max };
}
function num(description: string, greaterThan: number, max?: number): OptionSpec {
  return { type: 'number', description, greaterThan, max };
}

/** The smallest lattice side: 4 x 4 sites hold one prey and one predator at the initial density 1/16. */
export const MIN_LATTICE_SIZE = 4;

/** The settings table: flag, range and preset values (paper = spec 6.8 / 1.2-1.3). */
export const SETTING_ROWS: readonly SettingRow[] = [
  { section: 'simulate', key: 'size', flag: 'size', option: int('lattice side L (L x L, periodic; densities stay 1/16)', MIN_LATTICE_SIZE, 1024), quick: 20, paper: 40 },
  { section: 'simulate', key: 'timeSteps', flag: 'time-steps', option: int('snapshots t = 0 .. N-1 (dt = 1)', 12, 100_000), quick: 200, paper: 500 },
  // At least two runs and two chains: the standard deviations and standard errors in the stage files need n - 1 > 0
  // (one would write NaN, which the next stage rightly refuses).
  { section: 'simulate', key: 'trainRuns', flag: 'train-runs', option: int('training trajectories', 2, 1_000_000), quick: 50, paper: 100 },
  { section: 'simulate', key: 'heldoutRuns', flag: 'heldout-runs', option: int('held-out runs (other random streams)', 2, 10_000_000), quick: 300, paper: 1000 },
  {
    section: 'simulate',
    key: 'scheme',
    flag: 'scheme',
    option: { type: 'choice', description: 'lattice scheme: paper (operator-split hybrid) or exact (lattice SSA)', choices: ['paper', 'exact'] },
    quick: 'paper',
    paper: 'paper',
  },
  {
    section: 'simulate',
    key: 'selection',
    flag: 'selection',
    option: { type: 'choice', description: "paper scheme picks: 'row-biased' reproduces the original's statistics", choices: ['uniform', 'row-biased'] },
    quick: 'row-biased',
    paper: 'row-biased',
  },
  { section: 'simulate', key: 'preyBirth', flag: 'prey-birth', option: num('prey birth rate kr1', 0, 100), quick: 0.025, paper: 0.025 },
  { section: 'simulate', key: 'predatorDeath', flag: 'predator-death', option: num('predator death rate kr2', 0, 100), quick: 0.06, paper: 0.06 },
  {
    section: 'simulate',
    key: 'predationProbability',
    flag: 'predation-probability',
    option: num('predation probability per hop attempt', 0, 1),
    quick: 0.4,
    paper: 0.4,
  },
  { section: 'train', key: 'steps', flag: 'train-steps', option: int('optimisation steps per pass of the curriculum', 1, 10_000_000), quick: 400, paper: 980 },
  {
    section: 'train',
    key: 'passes',
    flag: 'passes',
    option: int('passes of the sliding-window curriculum (each --train-steps steps; F carries over)', 1, 1000),
    quick: 1,
    paper: 1,
  },
  {
    section: 'train',
    key: 'averageSteps',
    flag: 'average-steps',
    option: int('the learned F is the mean of the iterates of the last N steps (0 = the last iterate)', 0, 10_000_000),
    quick: 0,
    paper: 0,
  },
  {
    section: 'train',
    key: 'precondition',
    flag: 'precondition',
    option: {
      type: 'choice',
      description:
        "adjoint source terms: 'none' (raw moment differences), 'fisher-diagonal' (each divided by its statistic's model variance, scales of geometric mean 1) or 'fisher-max' (scales relative to the largest variance, all >= 1)",
      choices: ['none', 'fisher-diagonal', 'fisher-max'],
    },
    quick: 'none',
    paper: 'none',
  },
  { section: 'train', key: 'window', flag: 'window', option: int('time intervals per training window', 1, 100_000), quick: 10, paper: 10 },
  { section: 'train', key: 'horizonStart', flag: 'horizon-start', option: int('initial horizon of the sliding window', 1, 100_000), quick: 10, paper: 10 },
  {
    section: 'train',
    key: 'moveEvery',
    flag: 'move-every',
    option: int('the window moves one time point every N steps', 1, 100_000),
    quick: 2,
    paper: 2,
  },
  { section: 'train', key: 'batchSize', flag: 'batch-size', option: int('awake chains (trajectories per step)', 1, 100_000), quick: 5, paper: 5 },
  { section: 'train', key: 'asleepChains', flag: 'asleep-chains', option: int('asleep (model) chains', 1, 100_000), quick: 5, paper: 5 },
  { section: 'train', key: 'awakeSweeps', flag: 'awake-sweeps', option: int('Gibbs sweeps per awake phase', 1, 10_000), quick: 10, paper: 10 },
  { section: 'train', key: 'asleepSweeps', flag: 'asleep-sweeps', option: int('Gibbs sweeps per asleep phase', 1, 10_000), quick: 10, paper: 10 },
  // The moments are extensive, so the gradient scales with the number of sites: the quick preset's 20 x 20 lattice
  // takes the paper's 2.5e-6 times (40/20)^2 for the same effective step.
  { section: 'train', key: 'learningRate', flag: 'learning-rate', option: num('learning rate', 0, 10), quick: 1e-5, paper: 2.5e-6 },
  {
    section: 'train',
    key: 'optimizer',
    flag: 'optimizer',
    option: { type: 'choice', description: 'optimiser', choices: ['sgd', 'adam'] },
    quick: 'sgd',
    paper: 'sgd',
  },
  { section: 'train', key: 'spacing', flag: 'spacing', option: num('finite-element grid spacing', 0, 100), quick: 0.1, paper: 0.1 },
  { section: 'train', key: 'substeps', flag: 'substeps', option: int('ODE substeps per time step', 1, 1000), quick: 1, paper: 1 },
  { section: 'train', key: 'lambda', flag: 'lambda', option: { type: 'number', description: 'offset moving-average weight', min: 0, max: 1 }, quick: 0.5, paper: 0.5 },
  {
    section: 'train',
    key: 'psiDerivScale',
    flag: 'psi-deriv-scale',
    option: { type: 'choice', description: "units of dF/dθ in the adjoint ('fractional' = the original's)", choices: ['fractional', 'physical'] },
    quick: 'fractional',
    paper: 'fractional',
  },
  {
    section: 'train',
    key: 'couplings',
    flag: 'couplings',
    option: {
      type: 'choice',
      description:
        "model couplings: 'same' species (the paper's DBM), 'cross' (adds X-Y1, Y-X1, X1-Y2, Y1-X2 as outputs of F) or 'lateral' (visible pair couplings at distances 1 and 2, no hidden layers)",
      choices: ['same', 'cross', 'lateral'],
    },
    quick: 'same',
    paper: 'same',
  },
  {
    section: 'train',
    key: 'checkpointEvery',
    flag: 'checkpoint-every',
    option: int('write DIR/train/checkpoint.bin every K steps', 1, 10_000_000),
    quick: 25,
    paper: 20,
  },
  { section: 'predict', key: 'chains', flag: 'chains', option: int('model chains per time point', 2, 1_000_000), quick: 100, paper: 100 },
  { section: 'predict', key: 'sweeps', flag: 'sweeps', option: int('Gibbs sweeps per time point', 1, 10_000), quick: 9, paper: 9 },
  { section: 'predict', key: 'cutoff', flag: 'cutoff', option: num('low-pass cutoff (rad/sample)', 0, Math.PI), quick: 0.1, paper: 0.1 },
  { section: 'predict', key: 'taps', flag: 'taps', option: int('low-pass filter length (odd)', 1, 10_001), quick: 51, paper: 51 },
  {
    section: 'predict',
    key: 'layerTime',
    flag: 'layer-time',
    option: int('time of the sampled layer-probability figure (-1: 74 % of the run)', -1, 10_000_000),
    quick: -1,
    paper: -1,
  },
];

/** Settings added after the first config format, with the value that reproduces configs written without them. */
const ADDED_SETTINGS: Partial<Record<Section, Record<string, unknown>>> = { train: { couplings: 'same', passes: 1, averageSteps: 0, precondition: 'none' } };

/**
 * What the `quick` and `paper` presets change against the table's values (which are the paper's, spec 6.8, in the
 * `paper` column): the lateral Potts model, whose sufficient statistics are the pair counts the hidden layers miss,
 * the correct ψ derivative (pitfall P1), every training trajectory in the awake phase of every step (the model has no
 * hidden units, so the data moments cost only a count; the batch of 5 was the noisiest term of the gradient) and 20
 * asleep chains instead of 5 (less noisy moment differences, so a 6x larger learning rate), a second pass of the
 * curriculum, and 20 more steps at the last window so that the last time points are fitted as long as the others.
 */
export const IMPROVED_MODEL: Record<'quick' | 'paper', Partial<Record<Section, Record<string, unknown>>>> = {
  quick: { train: { couplings: 'lateral', psiDerivScale: 'physical', batchSize: 50, asleepChains: 20, learningRate: 4e-5, passes: 2, steps: 400 } },
  paper: { train: { couplings: 'lateral', psiDerivScale: 'physical', batchSize: 100, asleepChains: 20, learningRate: 1.5e-5, passes: 2, steps: 1000 } },
};

/** Options shared by `lv all`: one per setting, without defaults (presets supply them). */
export const SETTING_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(SETTING_ROWS.map((row) => [row.flag, row.option]));

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The settings of a preset. */
export function presetSettings(preset: LvPreset): LvSettings {
  const settings = { simulate: {}, train: {}, predict: {} } as Record<Section, Record<string, unknown>>;
  for (const row of SETTING_ROWS) settings[row.section][row.key] = preset === 'quick' ? row.quick : row.paper;
  if (preset !== 'paper-original') {
    for (const [section, values] of Object.entries(IMPROVED_MODEL[preset])) Object.assign(settings[section as Section], values);
  }
  return settings as unknown as LvSettings;
}

/** Applies the options given on the command line over a preset's values and checks the combinations. */
export function settingsFromOptions(preset: LvPreset, options: ParsedOptions): LvSettings {
  const settings = presetSettings(preset) as unknown as Record<Section, Record<string, unknown>>;
  for (const row of SETTING_ROWS) {
    const value = options[camel(row.flag)];
    if (value !== undefined) settings[row.section][row.key] = value;
  }
  // The improved presets put every training trajectory in the awake phase, also when --train-runs changes it.
  if (preset !== 'paper-original' && options.batchSize === undefined) settings.train.batchSize = settings.simulate.trainRuns;
  const result = settings as unknown as LvSettings;
  checkSettings(result, (key) => `--${SETTING_ROWS.find((r) => r.key === key)?.flag ?? key}`);
  return result;
}

/** Checks the combinations of settings that single-option ranges cannot. */
export function checkSettings(s: LvSettings, name: (key: string) => string = (key) => key): void {
  if (s.train.window >= s.simulate.timeSteps) {
    throw new UsageError(`${name('window')} (${s.train.window}) must be smaller than ${name('timeSteps')} (${s.simulate.timeSteps})`);
  }
  if (s.train.horizonStart < s.train.window) {
    throw new UsageError(`${name('horizonStart')} (${s.train.horizonStart}) must be at least ${name('window')} (${s.train.window})`);
  }
  if (s.train.horizonStart > s.simulate.timeSteps - 1) {
    throw new UsageError(`${name('horizonStart')} (${s.train.horizonStart}) must be at most ${name('timeSteps')} - 1 (${s.simulate.timeSteps - 1})`);
  }
  if (s.train.averageSteps > s.train.steps * s.train.passes) {
    throw new UsageError(
      `${name('averageSteps')} (${s.train.averageSteps}) must be at most ${name('steps')} x ${name('passes')} (${s.train.steps * s.train.passes})`,
    );
  }
  if (s.train.batchSize > s.simulate.trainRuns) {
    throw new UsageError(`${name('batchSize')} (${s.train.batchSize}) must be at most ${name('trainRuns')} (${s.simulate.trainRuns})`);
  }
  if (s.predict.taps % 2 !== 1) throw new UsageError(`${name('taps')} must be odd; got ${s.predict.taps}`);
  if (s.predict.layerTime >= s.simulate.timeSteps) {
    throw new UsageError(`${name('layerTime')} (${s.predict.layerTime}) must be below ${name('timeSteps')} (${s.simulate.timeSteps})`);
  }
  const sites = s.simulate.size * s.simulate.size;
  if (Math.round(sites / 16) < 1) throw new UsageError(`${name('size')} is too small for an initial density of 1/16`);
}

/** The time of the sampled layer-probability figure. */
export function layerTime(s: LvSettings): number {
  return s.predict.layerTime >= 0 ? s.predict.layerTime : Math.round((370 / 500) * (s.simulate.timeSteps - 1));
}

/** DIR/config.json. */
export interface LvConfig {
  kind: 'srn-lv-experiment';
  formatVersion: 1;
  preset: LvPreset;
  seed: number;
  settings: LvSettings;
  /** Seeds of the random streams each stage uses, all derived from `seed`. */
  streams: { train: string; heldout: string; training: string; predict: string };
  versions: Record<string, string>;
  /** sha256 of preset, seed and settings: stage outputs record it and the next stage checks it. */
  hash: string;
  created: string;
}

/** The per-stage random-stream seeds derived from one seed (strings are hashed by SplitMix64 in createRng). */
export function deriveStreams(seed: number): LvConfig['streams'] {
  return { train: `${seed}/simulate/train`, heldout: `${seed}/simulate/heldout`, training: `${seed}/train`, predict: `${seed}/predict` };
}

/**
 * The hash of everything in config.json that changes a result: preset, seed, settings and the random streams.
 * (`legacy`: the hash of configs written before the streams were hashed, which are accepted when their streams are
 * the derived ones.)
 */
function settingsHash(preset: LvPreset, seed: number, settings: LvSettings, streams: LvConfig['streams'] | 'legacy'): string {
  const hashed = streams === 'legacy' ? { preset, seed, settings } : { preset, seed, settings, streams };
  return createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 16);
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  const here = new URL('../../package.json', import.meta.url);
  // Packages whose `exports` hide package.json are found in the app's node_modules (pnpm links direct dependencies).
  const candidates = [() => require.resolve(`${name}/package.json`, { paths: [here.pathname] }), () => fileURLToPath(new URL(`../../node_modules/${name}/package.json`, import.meta.url))];
  for (const candidate of candidates) {
    try {
      return (JSON.parse(readFileSync(candidate(), 'utf8')) as { version: string }).version;
    } catch {
      // next candidate
    }
  }
  return 'unknown';
}

/** Versions of the runtime and the packages the experiment uses. */
export function collectVersions(): Record<string, string> {
  const bench = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const versions: Record<string, string> = { 'node': process.versions.node, '@srn/bench': bench.version };
  for (const name of ['@srn/gillespie', '@srn/closure', '@srn/boltzmann', '@srn/fem-basis', 'vega', 'vega-lite', '@resvg/resvg-js']) {
    versions[name] = packageVersion(name);
  }
  return versions;
}

/** Builds a config (not yet written). */
export function makeConfig(preset: LvPreset, seed: number, settings: LvSettings): LvConfig {
  return {
    kind: 'srn-lv-experiment',
    formatVersion: 1,
    preset,
    seed,
    settings,
    streams: deriveStreams(seed),
    versions: collectVersions(),
    hash: settingsHash(preset, seed, settings, deriveStreams(seed)),
    created: new Date().toISOString(),
  };
}

/** Path of DIR/config.json. */
export function configPath(dir: string): string {
  return join(dir, 'config.json');
}

/** Writes DIR/config.json atomically. */
export function writeConfig(dir: string, config: LvConfig | { hash: string }): void {
  writeFileAtomic(configPath(dir), `${JSON.stringify(config, null, 2)}\n`);
}

/** True when DIR holds an experiment's config.json (whatever its state). */
export function hasConfig(dir: string): boolean {
  return existsSync(configPath(dir));
}

/**
 * Reads and validates DIR/config.json; throws an {@link LvInputError} naming the file and the problem.
 *
 * @example
 * ```ts
 * const config = readConfig('out/lv');
 * ```
 */
export function readConfig(dir: string): LvConfig {
  const path = configPath(dir);
  if (!existsSync(path)) {
    throw new LvInputError(`${path} is missing: run 'srn-bench lv all --out ${dir}' first (it writes the settings)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LvInputError(`${path} is corrupt (${capMessage((error as Error).message, 120)}); rerun 'srn-bench lv all --out ${dir} --force'`);
  }
  const config = parsed as LvConfig;
  const rerun = `rerun 'srn-bench lv all --out ${dir} --force' with the options you want`;
  if (!isObject(config) || config.kind !== 'srn-lv-experiment' || config.formatVersion !== 1) {
    throw new LvInputError(`${path} is not an srn lattice Lotka-Volterra experiment config (kind/formatVersion); ${rerun}`);
  }
  if (!LV_PRESETS.includes(config.preset) || !Number.isSafeInteger(config.seed) || config.seed < 0) {
    throw new LvInputError(`${path} is corrupt (preset or seed missing or invalid); ${rerun}`);
  }
  const settings = config.settings as unknown as Record<Section, Record<string, unknown>>;
  const sections: Section[] = ['simulate', 'train', 'predict'];
  if (!isObject(settings) || !sections.every((section) => isObject(settings[section]))) {
    throw new LvInputError(`${path} is corrupt (settings must be an object with the sections ${sections.join(', ')}); ${rerun}`);
  }
  // The random streams are derived from the seed, never chosen: another stream could, e.g., draw the held-out set
  // from the training stream.
  const streams = deriveStreams(config.seed);
  if (!isObject(config.streams) || JSON.stringify(config.streams) !== JSON.stringify(streams)) {
    throw new LvInputError(`${path} is corrupt (streams must be the ones derived from seed ${config.seed}: ${JSON.stringify(streams)}); ${rerun}`);
  }
  const defaults = presetSettings(config.preset) as unknown as Record<Section, Record<string, unknown>>;
  // Settings added after a config was written take the value that reproduces the old behaviour; the hash stays
  // the one of the settings as written.
  const hashesAsWritten = [settingsHash(config.preset, config.seed, config.settings, streams), settingsHash(config.preset, config.seed, config.settings, 'legacy')];
  for (const [section, values] of Object.entries(ADDED_SETTINGS) as [Section, Record<string, unknown>][]) {
    for (const [key, value] of Object.entries(values)) {
      if (settings[section][key] === undefined) settings[section][key] = value;
    }
  }
  checkSettingValues(SETTING_ROWS, settings, (row) => typeof defaults[row.section][row.key], path, rerun);
  try {
    checkSettings(config.settings);
  } catch (error) {
    throw new LvInputError(`${path} is inconsistent: ${(error as Error).message}`);
  }
  if (!hashesAsWritten.includes(config.hash)) {
    throw new LvInputError(`${path} was edited by hand (its hash does not match its settings, seed and streams); ${rerun}`);
  }
  return config;
}

/**
 * Checks every setting of a config.json against its row of a settings table (type, choices, range); throws an
 * {@link LvInputError} naming the file, the setting and what to rerun.
 *
 * @example
 * ```ts
 * checkSettingValues(SETTING_ROWS, config.settings, () => 'number', 'out/lv/config.json', 'rerun ...');
 * ```
 */
export function checkSettingValues<Row extends { section: string; key: string; option: OptionSpec }>(
  rows: readonly Row[],
  settings: Record<string, Record<string, unknown>>,
  expectedType: (row: Row) => string,
  path: string,
  rerun: string,
): void {
  for (const row of rows) {
    const value = settings[row.section][row.key];
    const expected = expectedType(row);
    const name = `settings.${row.section}.${row.key}`;
    if (typeof value !== expected || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new LvInputError(`${path} is corrupt: ${name} is ${capMessage(JSON.stringify(value) ?? String(value), 60)}, expected a ${expected}; ${rerun}`);
    }
    if (row.option.type === 'choice' && !row.option.choices.includes(value as string)) {
      throw new LvInputError(`${path} is corrupt: ${name} must be one of ${row.option.choices.join(', ')}; ${rerun}`);
    }
    if (row.option.type === 'integer' || row.option.type === 'number') {
      try {
        checkNumber(name, row.option, value as number);
      } catch (error) {
        throw new LvInputError(`${path} is corrupt: ${(error as Error).message}; ${rerun}`);
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
