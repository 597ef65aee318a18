/**
 * `srn-bench simulate MODEL`: an ensemble of exact SSA runs of a reaction-DSL model, written as CSV + summary.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type CompiledModel,
  type CsvLayout,
  ensembleToCsv,
  type EnsembleStatistics,
  ModelError,
  parseModel,
  type ReactionModel,
  trajectoriesToCsv,
} from '@srn/gillespie';
import { loadSbml, looksLikeSbml, parseSettingsFile, runOptionsFromSettings, type SbmlTestSettings } from '@srn/gillespie/sbml';
import { simulateEnsembleParallel } from '@srn/gillespie/node';
import { capMessage, type CommandSpec, echo, type ParsedOptions, UsageError } from '../args.ts';
import { prepareOutputDirectory, startProgress, writeFileAtomic, writeFileAtomicChunks } from '../io.ts';
import { availableParallelism } from 'node:os';
import { ensembleOnQueue } from '../queue/ensembles.ts';
import { displayUrl } from '../queue/connection.ts';
import { queueOptions, queueSettings } from '../queue/options.ts';

/** Declaration of the `simulate` command. */
export const simulateSpec: CommandSpec = {
  name: 'simulate',
  summary:
    'Simulate an ensemble of exact stochastic runs of a model (reaction DSL or SBML) and write DIR/moments.csv ' +
    '(time,X-mean,X-sd,..., or time,species,statistic,value with --format long), DIR/mean.csv and DIR/sd.csv (wide ' +
    'format only), DIR/trajectories.csv (with --trajectories) and DIR/summary.json.',
  positionals: [{ name: 'MODEL', description: 'model file: reaction DSL, or SBML L2/L3 (detected from the content)' }],
  options: {
    'out': { type: 'string', description: 'output directory', required: true, placeholder: 'DIR', path: 'output' },
    't-end': { type: 'number', description: 'end time', default: 10, greaterThan: 0, placeholder: 'T' },
    'steps': { type: 'integer', description: 'grid intervals: output every t-end/steps', default: 100, min: 1, max: 10_000_000 },
    'runs': { type: 'integer', description: 'number of independent runs', default: 1000, min: 1, max: 1e9 },
    'seed': { type: 'integer', description: 'seed; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'method': { type: 'choice', description: 'SSA algorithm', choices: ['direct', 'nrm', 'cr'], default: 'direct' },
    'workers': { type: 'integer', description: 'worker threads (results do not depend on it)', default: availableParallelism(), min: 1, max: 256 },
    'max-events': { type: 'integer', description: 'stop (and flag) a run after this many events', default: 1e9, min: 1 },
    'max-population': { type: 'number', description: 'stop (and flag) a run when a species exceeds this', default: 1e12, greaterThan: 0 },
    'format': {
      type: 'choice',
      description: 'CSV layout: wide (a row per time) or long (a row per time, species and statistic)',
      choices: ['wide', 'long'],
      default: 'wide',
    },
    'quantiles': {
      type: 'string',
      description: 'comma-separated probabilities of quantiles to add to moments.csv, e.g. 0.05,0.5,0.95',
      placeholder: 'LIST',
    },
    'trajectories': { type: 'boolean', description: 'also write every run on the grid to trajectories.csv' },
    'settings': {
      type: 'string',
      description: 'SBML test-suite settings file: its start, duration and steps set the grid (overrides --t-end, --steps)',
      placeholder: 'FILE',
      path: 'input',
    },
    ...queueOptions(1000),
  },
  examples: ['srn-bench simulate apps/bench/examples/lotka-volterra.srn --t-end 10 --runs 10000 --seed 7 --out out/lv-wm'],
};

function readText(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // NUL bytes or invalid UTF-8 (decoded as U+FFFD): a binary file, not a model or settings file.
  if (text.includes('\u0000') || text.includes('\uFFFD')) throw new UsageError(`${what} ${path}: not a UTF-8 text file`);
  return text;
}

/**
 * Loads a DSL or SBML model (told apart by content) and checks the settings file's species against it; model errors
 * become usage errors naming the file.
 */
function loadModel(path: string, settings: SbmlTestSettings | undefined, settingsPath: string | undefined): ReactionModel | CompiledModel {
  const text = readText(path, 'MODEL');
  const sbml = looksLikeSbml(text);
  try {
    if (sbml) {
      const loaded = loadSbml(text);
      if (settings) checkSettingsSpecies(settingsPath!, settings, loaded.species.map((s) => s.id));
      return settings && settings.concentration.length > 0 ? loadSbml(text, { concentrations: settings.concentration }).plan : loaded.plan;
    }
    const model = parseModel(text, path);
    if (settings) checkSettingsSpecies(settingsPath!, settings, model.species.map((s) => s.name));
    return model;
  } catch (error) {
    if (error instanceof ModelError) throw new UsageError(capMessage(`${sbml ? `${path}: ` : ''}${error.message}`));
    throw error;
  }
}

/** The species a settings file names (variables, amount, concentration) must be species of the model. */
function checkSettingsSpecies(path: string, settings: SbmlTestSettings, species: readonly string[]): void {
  for (const key of ['variables', 'amount', 'concentration'] as const) {
    const unknown = settings[key].filter((id) => !species.includes(id));
    if (unknown.length === 0) continue;
    const known = species.length > 20 ? `${species.slice(0, 20).join(', ')}, ...` : species.join(', ');
    throw new UsageError(
      `--settings ${path}: ${key}: ${unknown.length === 1 ? 'unknown species' : `${unknown.length} unknown species, e.g.`} ${echo(unknown[0])} (the model's species: ${capMessage(known, 200)})`,
    );
  }
}

function loadSettings(path: string | undefined): SbmlTestSettings | undefined {
  if (path === undefined) return undefined;
  try {
    return parseSettingsFile(readText(path, '--settings'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--settings ${path}: ${capMessage((error as Error).message)}`);
  }
}

/** Parses `--quantiles` (comma-separated probabilities in [0, 1]). */
function parseQuantiles(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => {
    const p = part.trim() === '' ? Number.NaN : Number(part);
    if (!(p >= 0 && p <= 1)) throw new UsageError(`--quantiles must be comma-separated probabilities in [0, 1]; got '${part.trim()}' in '${raw}'`);
    return p;
  });
}

/** The files {@link writeEnsembleFiles} writes for a layout, by role. */
export function ensembleFileNames(layout: CsvLayout, trajectories: boolean): Record<string, string> {
  return {
    moments: 'moments.csv',
    ...(layout === 'wide' ? { mean: 'mean.csv', sd: 'sd.csv' } : {}),
    ...(trajectories ? { trajectories: 'trajectories.csv' } : {}),
  };
}

/** Rows of the output files formatted at a time: each file is streamed, whatever the number of grid points. */
const ROWS_PER_CHUNK = 10_000;

/** The rows [from, to) of an ensemble's statistics (views, no copy), quantiles included. */
function rowsOf(stats: EnsembleStatistics, from: number, to: number): EnsembleStatistics {
  const S = stats.species.length;
  const q = stats.quantiles;
  const Q = q ? q.probabilities.length : 0;
  return {
    ...stats,
    times: stats.times.subarray(from, to),
    count: stats.count.subarray(from, to),
    mean: stats.mean.subarray(from * S, to * S),
    sd: stats.sd.subarray(from * S, to * S),
    ...(q ? { quantiles: { probabilities: q.probabilities, values: q.values.subarray(from * S * Q, to * S * Q) } } : {}),
  };
}

/** `ensembleToCsv(stats, kind, layout)` in pieces of `rowsPerChunk` grid rows (the header once). */
function* csvChunks(stats: EnsembleStatistics, kind: 'mean-sd' | 'mean' | 'sd', layout: CsvLayout, rowsPerChunk: number): Generator<string> {
  const G = stats.times.length;
  for (let from = 0; from < G; from += rowsPerChunk) {
    const part = ensembleToCsv(rowsOf(stats, from, Math.min(G, from + rowsPerChunk)), kind, layout);
    yield from === 0 ? part : part.slice(part.indexOf('\n') + 1);
  }
}

/**
 * Writes the ensemble files into `dir` (see {@link ensembleFileNames}), each atomically and streamed `rowsPerChunk`
 * grid rows at a time: 10^7 grid points make CSV files larger than the longest string.
 *
 * @example
 * ```ts
 * writeEnsembleFiles('out/run', stats, { runs: 100 });
 * ```
 */
export function writeEnsembleFiles(
  dir: string,
  stats: EnsembleStatistics,
  summary: Record<string, unknown>,
  layout: CsvLayout = 'wide',
  rowsPerChunk = ROWS_PER_CHUNK,
): void {
  writeFileAtomicChunks(join(dir, 'moments.csv'), csvChunks(stats, 'mean-sd', layout, rowsPerChunk));
  if (layout === 'wide') {
    writeFileAtomicChunks(join(dir, 'mean.csv'), csvChunks(stats, 'mean', layout, rowsPerChunk));
    writeFileAtomicChunks(join(dir, 'sd.csv'), csvChunks(stats, 'sd', layout, rowsPerChunk));
  }
  if (stats.trajectories) writeFileAtomic(join(dir, 'trajectories.csv'), trajectoriesToCsv(stats, layout));
  writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

/** Runs the `simulate` command. */
export async function runSimulate(options: ParsedOptions, positionals: string[]): Promise<void> {
  const modelPath = resolve(positionals[0]);
  const settingsPath = options.settings === undefined ? undefined : resolve(String(options.settings));
  const settings = loadSettings(settingsPath);
  const model = loadModel(modelPath, settings, settingsPath);
  const quantiles = parseQuantiles(options.quantiles as string | undefined);
  const layout = options.format as CsvLayout;
  const keepTrajectories = options.trajectories === true;
  const grid = settings ? runOptionsFromSettings(settings) : { t0: 0, tEnd: Number(options.tEnd), steps: Number(options.steps) };
  const out = resolve(String(options.out));
  prepareOutputDirectory(out);
  const runs = Number(options.runs);
  const queue = queueSettings(options);
  const progress = startProgress('runs', runs);
  const started = performance.now();
  const ensemble = {
    runs,
    seed: Number(options.seed),
    ...grid,
    method: options.method as 'direct',
    maxEvents: Number(options.maxEvents),
    maxPopulation: Number(options.maxPopulation),
    quantiles,
    keepTrajectories,
  };
  const onProgress = (done: number) => progress.update(done);
  const stats = queue
    ? await ensembleOnQueue(model, ensemble, queue, { onProgress, log: (m) => process.stderr.write(m) })
    : await simulateEnsembleParallel(model, { ...ensemble, workers: Number(options.workers), onProgress });
  progress.stop();
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = {
    model: modelPath,
    species: stats.species,
    runs,
    seed: options.seed,
    method: options.method,
    workers: queue ? null : options.workers,
    queue: queue ? { url: displayUrl(queue.url), shardSize: queue.shardSize, store: queue.store } : null,
    t0: grid.t0,
    tEnd: grid.tEnd,
    steps: grid.steps,
    settings: options.settings,
    events: stats.events,
    eventsPerSecond: stats.events / wallSeconds,
    eventsPerKernelSecond: stats.eventsPerSecond,
    wallSeconds,
    flaggedRuns: stats.flagged.length,
    flagged: stats.flagged.slice(0, 1000),
    format: layout,
    quantiles,
    files: ensembleFileNames(layout, keepTrajectories),
  };
  writeEnsembleFiles(out, stats, summary, layout);
  process.stdout.write(
    `${runs} runs, ${stats.events} events in ${wallSeconds.toFixed(2)} s (${(stats.events / wallSeconds / 1e6).toFixed(2)} M events/s)` +
      `${stats.flagged.length ? `; ${stats.flagged.length} runs stopped at a cap (see summary.json)` : ''}\n` +
      `wrote ${[...Object.values(summary.files), 'summary.json'].map((f, i) => (i === 0 ? join(out, f) : f)).join(', ')}\n`,
  );
}
