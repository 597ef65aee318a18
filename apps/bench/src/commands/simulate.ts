/**
 * `srn-bench simulate MODEL`: an ensemble of exact SSA runs of a reaction-DSL model, written as CSV + summary.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CompiledModel, ensembleToCsv, type EnsembleStatistics, ModelError, parseModel, type ReactionModel } from '@srn/gillespie';
import { loadSbml, looksLikeSbml, parseSettingsFile, runOptionsFromSettings, type SbmlTestSettings } from '@srn/gillespie/sbml';
import { simulateEnsembleParallel } from '@srn/gillespie/node';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import { prepareOutputDirectory, startProgress, writeFileAtomic } from '../io.ts';
import { availableParallelism } from 'node:os';
import { ensembleOnQueue } from '../queue/ensembles.ts';
import { displayUrl } from '../queue/connection.ts';
import { queueOptions, queueSettings } from '../queue/options.ts';

/** Declaration of the `simulate` command. */
export const simulateSpec: CommandSpec = {
  name: 'simulate',
  summary:
    'Simulate an ensemble of exact stochastic runs of a model (reaction DSL or SBML) and write DIR/moments.csv ' +
    '(time,X-mean,X-sd,...), DIR/mean.csv, DIR/sd.csv and DIR/summary.json.',
  positionals: [{ name: 'MODEL', description: 'model file: reaction DSL, or SBML L2/L3 (detected from the content)' }],
  options: {
    'out': { type: 'string', description: 'output directory', required: true, placeholder: 'DIR' },
    't-end': { type: 'number', description: 'end time', default: 10, greaterThan: 0, placeholder: 'T' },
    'steps': { type: 'integer', description: 'grid intervals: output every t-end/steps', default: 100, min: 1, max: 10_000_000 },
    'runs': { type: 'integer', description: 'number of independent runs', default: 1000, min: 1, max: 1e9 },
    'seed': { type: 'integer', description: 'seed; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'method': { type: 'choice', description: 'SSA algorithm', choices: ['direct', 'nrm', 'cr'], default: 'direct' },
    'workers': { type: 'integer', description: 'worker threads (results do not depend on it)', default: availableParallelism(), min: 1, max: 256 },
    'max-events': { type: 'integer', description: 'stop (and flag) a run after this many events', default: 1e9, min: 1 },
    'max-population': { type: 'number', description: 'stop (and flag) a run when a species exceeds this', default: 1e12, greaterThan: 0 },
    'settings': {
      type: 'string',
      description: 'SBML test-suite settings file: its start, duration and steps set the grid (overrides --t-end, --steps)',
      placeholder: 'FILE',
    },
    ...queueOptions(1000),
  },
  examples: ['srn-bench simulate apps/bench/examples/lotka-volterra.srn --t-end 10 --runs 10000 --seed 7 --out out/lv-wm'],
};

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Loads a DSL or SBML model (told apart by content); model errors become usage errors naming the file. */
function loadModel(path: string, settings: SbmlTestSettings | undefined): ReactionModel | CompiledModel {
  const text = readText(path, 'MODEL');
  try {
    if (looksLikeSbml(text)) return loadSbml(text, { concentrations: settings?.concentration }).plan;
    return parseModel(text, path);
  } catch (error) {
    if (error instanceof ModelError) throw new UsageError(`${looksLikeSbml(text) ? `${path}: ` : ''}${error.message}`);
    throw error;
  }
}

function loadSettings(path: string | undefined): SbmlTestSettings | undefined {
  if (path === undefined) return undefined;
  try {
    return parseSettingsFile(readText(path, '--settings'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--settings ${path}: ${(error as Error).message}`);
  }
}

/** Writes the ensemble files into `dir` (each atomically). */
export function writeEnsembleFiles(dir: string, stats: EnsembleStatistics, summary: Record<string, unknown>): void {
  writeFileAtomic(join(dir, 'moments.csv'), ensembleToCsv(stats, 'mean-sd'));
  writeFileAtomic(join(dir, 'mean.csv'), ensembleToCsv(stats, 'mean'));
  writeFileAtomic(join(dir, 'sd.csv'), ensembleToCsv(stats, 'sd'));
  writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

/** Runs the `simulate` command. */
export async function runSimulate(options: ParsedOptions, positionals: string[]): Promise<void> {
  const modelPath = resolve(positionals[0]);
  const settings = loadSettings(options.settings === undefined ? undefined : resolve(String(options.settings)));
  const model = loadModel(modelPath, settings);
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
    files: { moments: 'moments.csv', mean: 'mean.csv', sd: 'sd.csv' },
  };
  writeEnsembleFiles(out, stats, summary);
  process.stdout.write(
    `${runs} runs, ${stats.events} events in ${wallSeconds.toFixed(2)} s (${(stats.events / wallSeconds / 1e6).toFixed(2)} M events/s)` +
      `${stats.flagged.length ? `; ${stats.flagged.length} runs stopped at a cap (see summary.json)` : ''}\n` +
      `wrote ${join(out, 'moments.csv')}, mean.csv, sd.csv, summary.json\n`,
  );
}
