/**
 * `srn-bench sweep MODEL --vary NAME=FROM:TO:COUNT ...`: an ensemble per parameter point (the grid of every
 * `--vary`), locally or on the queue, with one summary table per point, an index table and a figure. Each point is
 * written atomically when it is complete, so a sweep interrupted and restarted skips the points it has.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type EnsembleBatchResult,
  type EnsembleOptions,
  type EnsembleStatistics,
  ensembleToCsv,
  mergeEnsembleBatches,
  ModelError,
  parseModel,
  type ReactionModel,
} from '@srn/gillespie';
import { simulateEnsembleParallel } from '@srn/gillespie/node';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { prepareOutputDirectory, startProgress, writeFileAtomic } from '../io.ts';
import { renderFigure } from '../closure/figures.ts';
import { planEnsembleShards } from '../queue/ensembles.ts';
import { displayUrl } from '../queue/connection.ts';
import { queueOptions, queueSettings } from '../queue/options.ts';
import { canonicalHash } from '../queue/shard.ts';
import { runShardsOnQueue } from '../queue/submit.ts';

/** Declaration of the `sweep` command. */
export const sweepSpec: CommandSpec = {
  name: 'sweep',
  summary:
    'Run an ensemble of a reaction-DSL model at every point of a parameter grid (locally or with --queue) and write ' +
    'DIR/points/NNN/moments.csv (time,X-mean,X-sd,...) per point, DIR/sweep.csv (one row per point: the values and ' +
    'the final means and SDs) and the figure DIR/sweep.svg/.png. A restarted sweep skips the points it has.',
  positionals: [{ name: 'MODEL', description: 'model file (reaction DSL)' }],
  options: {
    'vary': {
      type: 'string',
      description: 'a parameter (or a species\' initial amount) and its values: COUNT points from FROM to TO, evenly spaced',
      required: true,
      multiple: true,
      placeholder: 'NAME=FROM:TO:COUNT',
    },
    'out': { type: 'string', description: 'output directory (new, or an earlier run of the same sweep)', required: true, placeholder: 'DIR' },
    'runs': { type: 'integer', description: 'runs per point', default: 1000, min: 1, max: 1e9 },
    'seed': { type: 'integer', description: 'seed of every point; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    't-end': { type: 'number', description: 'end time', default: 10, greaterThan: 0, placeholder: 'T' },
    'steps': { type: 'integer', description: 'grid intervals: output every t-end/steps', default: 100, min: 1, max: 10_000_000 },
    'method': { type: 'choice', description: 'SSA algorithm', choices: ['direct', 'nrm', 'cr'], default: 'direct' },
    'workers': { type: 'integer', description: 'worker threads of a local sweep (results do not depend on it)', default: availableParallelism(), min: 1, max: 256 },
    'max-events': { type: 'integer', description: 'stop (and flag) a run after this many events', default: 1e9, min: 1 },
    'max-population': { type: 'number', description: 'stop (and flag) a run when a species exceeds this', default: 1e12, greaterThan: 0 },
    ...queueOptions(1000),
  },
  examples: [
    'srn-bench sweep apps/bench/examples/birth-death.srn --vary k_in=5:15:3 --vary k_out=0.5:1:2 --runs 2000 --seed 7 --out out/sweep',
    'srn-bench sweep apps/bench/examples/birth-death.srn --vary X=0:40:5 --runs 1000 --queue redis://10.0.0.5:6379 --out out/grid',
  ],
};

/** One `--vary`: a name and its values. */
export interface SweepAxis {
  readonly name: string;
  readonly values: readonly number[];
}

/**
 * Parses `NAME=FROM:TO:COUNT` into COUNT evenly spaced values (FROM alone when COUNT is 1).
 *
 * @example
 * ```ts
 * parseVary('k=0:1:3'); // { name: 'k', values: [0, 0.5, 1] }
 * ```
 */
export function parseVary(text: string): SweepAxis {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^:]+):([^:]+):([^:]+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--vary ${JSON.stringify(text)}: expected NAME=FROM:TO:COUNT, e.g. k=0.1:1:5`);
  const [, name, fromText, toText, countText] = match;
  const from = Number(fromText);
  const to = Number(toText);
  const count = Number(countText);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new UsageError(`--vary ${text}: FROM and TO must be numbers`);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new UsageError(`--vary ${text}: COUNT must be an integer from 1 to 10000; got '${countText}'`);
  if (count > 1 && from === to) throw new UsageError(`--vary ${text}: FROM equals TO, so COUNT must be 1`);
  const values = Array.from({ length: count }, (_, i) => (count === 1 ? from : i === count - 1 ? to : from + ((to - from) * i) / (count - 1)));
  return { name, values };
}

/**
 * The model with a point's values substituted: a parameter's value, or a species' initial amount (an integer >= 0).
 *
 * @example
 * ```ts
 * modelAt(parseModel(text), { k_in: 12, X: 5 });
 * ```
 */
export function modelAt(model: ReactionModel, point: Readonly<Record<string, number>>): ReactionModel {
  const parameters = model.parameters.map((p) => (p.name in point ? { ...p, value: point[p.name] } : p));
  const species = model.species.map((s) => (s.name in point ? { ...s, initial: point[s.name] } : s));
  return { ...model, parameters, species };
}

function checkAxes(model: ReactionModel, axes: readonly SweepAxis[]): void {
  const seen = new Set<string>();
  for (const axis of axes) {
    if (seen.has(axis.name)) throw new UsageError(`--vary ${axis.name} given twice`);
    seen.add(axis.name);
    const isParameter = model.parameters.some((p) => p.name === axis.name);
    const isSpecies = model.species.some((s) => s.name === axis.name);
    if (!isParameter && !isSpecies) {
      const names = [...model.parameters.map((p) => p.name), ...model.species.map((s) => s.name)];
      throw new UsageError(`--vary ${axis.name}: the model has no parameter or species of that name (it has ${names.join(', ') || 'none'})`);
    }
    if (isSpecies && axis.values.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new UsageError(`--vary ${axis.name}: a species' initial amount must be a whole number >= 0; the grid gives ${axis.values.join(', ')}`);
    }
    if (isParameter && axis.values.some((v) => v < 0)) throw new UsageError(`--vary ${axis.name}: a rate parameter must be >= 0; the grid gives ${axis.values.join(', ')}`);
  }
}

/** Every combination of the axes' values, the first axis varying slowest. */
function gridPoints(axes: readonly SweepAxis[]): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.name]: v })));
  return points;
}

interface PointRecord {
  index: number;
  values: Record<string, number>;
  settings: string;
  species: string[];
  finalMean: number[];
  finalSd: number[];
  events: number;
  flaggedRuns: number;
}

function pointDir(out: string, index: number): string {
  return join(out, 'points', String(index).padStart(3, '0'));
}

/** Writes a point's table and record into a staging folder that becomes points/NNN only when complete. */
function writePoint(out: string, record: PointRecord, stats: EnsembleStatistics): void {
  const dir = pointDir(out, record.index);
  const stage = `${dir}.partial-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  writeFileAtomic(join(stage, 'moments.csv'), ensembleToCsv(stats, 'mean-sd'));
  writeFileAtomic(join(stage, 'point.json'), `${JSON.stringify(record, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(stage, dir);
}

function recordOf(index: number, values: Record<string, number>, settings: string, stats: EnsembleStatistics): PointRecord {
  const S = stats.species.length;
  const last = stats.times.length - 1;
  const nanToNull = (x: number) => (Number.isNaN(x) ? (null as unknown as number) : x);
  return {
    index,
    values,
    settings,
    species: [...stats.species],
    finalMean: Array.from({ length: S }, (_, s) => nanToNull(stats.mean[last * S + s])),
    finalSd: Array.from({ length: S }, (_, s) => nanToNull(stats.sd[last * S + s])),
    events: stats.events,
    flaggedRuns: stats.flagged.length,
  };
}

/** Removes the staging folders (`NNN.partial-PID`) that a sweep killed mid-write left behind; a live process's are kept. */
function clearStaleStaging(out: string): void {
  const dir = join(out, 'points');
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const match = /^\d{3,}\.partial-(\d+)$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (error) {
        alive = (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (!alive) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A finished point of an earlier run with the same settings, or undefined. */
function finishedPoint(out: string, index: number, settings: string): PointRecord | undefined {
  const file = join(pointDir(out, index), 'point.json');
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as PointRecord;
  if (record.settings !== settings) {
    throw new UsageError(`--out ${out} holds a sweep with other settings (point ${index} differs); choose a new directory or delete it`);
  }
  return record;
}

function sweepCsv(axes: readonly SweepAxis[], records: readonly PointRecord[]): string {
  const species = records[0].species;
  const header = ['point', ...axes.map((a) => a.name), ...species.flatMap((s) => [`${s}-mean`, `${s}-sd`])];
  const rows = records.map((r) => [r.index, ...axes.map((a) => r.values[a.name]), ...species.flatMap((_, s) => [r.finalMean[s] ?? 'NaN', r.finalSd[s] ?? 'NaN'])].join(','));
  return `${header.join(',')}\n${rows.join('\n')}\n`;
}

/** Final-time mean ± SD of every species against the first varied name (one line per value of the others). */
function sweepFigureSpec(axes: readonly SweepAxis[], records: readonly PointRecord[], tEnd: number): Record<string, unknown> {
  const [x, ...others] = axes;
  const rows = records.flatMap((r) =>
    r.species.map((species, s) => {
      const series = [species, ...others.map((a) => `${a.name} = ${r.values[a.name]}`)].join(', ');
      const mean = r.finalMean[s];
      const sd = r.finalSd[s];
      return { x: r.values[x.name], series, mean, lo: mean === null ? null : mean - (sd ?? 0), hi: mean === null ? null : mean + (sd ?? 0) };
    }),
  );
  const encodeX = { field: 'x', type: 'quantitative', title: x.name };
  return {
    width: 480,
    height: 300,
    title: `Sweep: mean ± SD at t = ${tEnd}`,
    data: { values: rows },
    layer: [
      { mark: { type: 'errorband', opacity: 0.2 }, encoding: { x: encodeX, y: { field: 'lo', type: 'quantitative', title: 'amount' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', title: null } } },
      { mark: { type: 'line', point: true }, encoding: { x: encodeX, y: { field: 'mean', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null } } },
    ],
  };
}

/** Runs the `sweep` command. */
export async function runSweep(options: ParsedOptions, positionals: string[], context?: CommandContext): Promise<void> {
  const modelPath = resolve(positionals[0]);
  let text: string;
  try {
    text = readFileSync(modelPath, 'utf8');
  } catch (error) {
    throw new UsageError(`MODEL ${modelPath}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let model: ReactionModel;
  try {
    model = parseModel(text, modelPath);
  } catch (error) {
    if (error instanceof ModelError) throw new UsageError(error.message);
    throw error;
  }
  const axes = (options.vary as string[]).map(parseVary);
  checkAxes(model, axes);
  const points = gridPoints(axes);
  const out = resolve(String(options.out));
  const queue = queueSettings(options);
  prepareOutputDirectory(out);
  const runs = Number(options.runs);
  const ensemble: Omit<EnsembleOptions, 'runs'> & { runs: number } = {
    runs,
    seed: Number(options.seed),
    tEnd: Number(options.tEnd),
    steps: Number(options.steps),
    method: options.method as 'direct',
    maxEvents: Number(options.maxEvents),
    maxPopulation: Number(options.maxPopulation),
  };
  const settingsOf = (point: Record<string, number>) => canonicalHash({ model: text, point, ensemble });
  clearStaleStaging(out);
  const records = new Array<PointRecord | undefined>(points.length);
  const pending: number[] = [];
  points.forEach((point, i) => {
    records[i] = finishedPoint(out, i, settingsOf(point));
    if (!records[i]) pending.push(i);
  });
  if (pending.length < points.length) process.stdout.write(`${points.length - pending.length} of ${points.length} points already done in ${out}; skipping them\n`);
  const progress = startProgress('runs', pending.length * runs);
  const started = performance.now();
  const finish = (i: number, stats: EnsembleStatistics) => {
    const record = recordOf(i, points[i], settingsOf(points[i]), stats);
    writePoint(out, record, stats);
    records[i] = record;
  };
  if (queue) {
    // Every pending point's shards go on the queue at once; each point is merged by the local reduction.
    const plans = pending.map((i) => planEnsembleShards(modelAt(model, points[i]), ensemble, queue));
    const results = await runShardsOnQueue({
      url: queue.url,
      runId: queue.runId,
      shards: plans.flatMap((p) => p.shards),
      onProgress: (done) => progress.update(done),
      log: (m) => process.stderr.write(m),
      signal: context?.signal,
    });
    let offset = 0;
    pending.forEach((i, k) => {
      const { tasks, shards } = plans[k];
      const batches = results.slice(offset, offset + shards.length).flat() as EnsembleBatchResult[];
      offset += shards.length;
      finish(i, mergeEnsembleBatches(tasks, batches));
    });
  } else {
    let before = 0;
    for (const i of pending) {
      const stats = await simulateEnsembleParallel(modelAt(model, points[i]), {
        ...ensemble,
        workers: Number(options.workers),
        signal: context?.signal,
        onProgress: (done) => progress.update(before + done),
      });
      before += runs;
      finish(i, stats);
    }
  }
  progress.stop();
  const done = records as PointRecord[];
  writeFileAtomic(join(out, 'sweep.csv'), sweepCsv(axes, done));
  const figure = await renderFigure(out, 'sweep', 'Final-time mean ± SD against the varied parameter', sweepFigureSpec(axes, done, ensemble.tEnd));
  writeFileAtomic(
    join(out, 'sweep.json'),
    `${JSON.stringify({ command: 'sweep', model: modelPath, vary: axes, points: points.length, ...ensemble, queue: queue ? { url: displayUrl(queue.url), shardSize: queue.shardSize } : null, files: { table: 'sweep.csv', points: 'points/NNN/moments.csv', figure: figure.files } }, null, 2)}\n`,
  );
  process.stdout.write(
    `${points.length} points x ${runs} runs (${pending.length} computed) in ${((performance.now() - started) / 1000).toFixed(2)} s\n` +
      `wrote ${join(out, 'sweep.csv')}, points/NNN/moments.csv, ${figure.files.svg}, ${figure.files.png}\n`,
  );
}
