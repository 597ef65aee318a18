/**
 * The simulate stage: the training ensemble (DIR/simulate/train: trajectories + moments.csv) and the held-out
 * ensemble from disjoint random streams (DIR/simulate/heldout: moments.csv), both from DIR/config.json; and the
 * noise-floor ensemble (DIR/simulate/noise: moments.csv), a second independent ensemble of the training set's size
 * and initial conditions from its own stream `SEED/simulate/noise` (derived from the seed like the others, so
 * config.json and its hash are those of before; the report's ladder scores its mean as a predictor).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLattice, type LatticeTrajectory } from '@srn/gillespie/lattice';
import { latticeSimulate } from '../commands/lattice-run.ts';
import { type ExperimentConfig, isLv, readExperimentConfig } from './experiment.ts';
import { experimentModel, type Part } from './model.ts';
import { capMessage, echo } from '../args.ts';
import { parseFiniteCell, parseRows } from './csv.ts';
import { LvInputError } from './errors.ts';
import type { StageContext } from './context.ts';
import { readStageFile, requireStage, type StageRecord, stageDir, startStageOutput, writeStageRecord } from './stage.ts';

/** File name of training run i. */
export function runFileName(run: number, runs: number): string {
  return `run-${String(run).padStart(Math.max(4, String(runs - 1).length), '0')}.srnl`;
}

/**
 * Runs the simulate stage on DIR (DIR/config.json must exist): the model file's ensemble through the lattice-run
 * path (workers, or the queue of `ctx.ensemble`), the training and the held-out part from their own random streams
 * (so the held-out initial conditions are new draws from the same distribution).
 *
 * @example
 * ```ts
 * await runSimulateStage({ dir: 'out/lv', workers: 2, log: console.log });
 * ```
 */
export async function runSimulateStage(ctx: StageContext): Promise<StageRecord> {
  const config = readExperimentConfig(ctx.dir);
  const model = experimentModel(config);
  const out = startStageOutput(ctx.dir, 'simulate');
  const started = performance.now();
  const parts: Record<string, unknown> = {};
  for (const part of ['train', 'heldout', 'noise'] as const) {
    const runs = model.runs[runsOf(part)];
    const progress = ctx.progress(`simulate ${part}`, runs);
    const result = await latticeSimulate({
      model: model.path,
      command: `${isLv(config) ? 'lv' : 'closure'} simulate (${part})`,
      out: join(out, part),
      runs,
      seed: streamOf(config, part),
      workers: ctx.workers,
      scheme: model.scheme,
      selection: model.selection,
      steps: model.T,
      trajectories: part === 'noise' ? 'none' : model.trajectories[part],
      adjust: model.adjust(runsOf(part)),
      ensemble: ctx.ensemble,
      signal: ctx.signal,
      onProgress: (done) => progress.update(done),
    }).finally(() => progress.stop());
    const extinct = result.summary.extinctRuns.length;
    const of = runsOf(part);
    parts[part] = { runs, conditions: model.conditions[of], samples: model.samples[of], seed: streamOf(config, part), seconds: result.wallSeconds, extinctRuns: extinct, events: result.events };
    const ics = model.conditions[of] > 1 ? ` (${model.conditions[of]} initial conditions x ${model.samples[of]} samples)` : '';
    ctx.log(`simulate: ${runs} ${part} runs${ics} in ${result.wallSeconds.toFixed(1)} s (${extinct} with an extinct species)`);
  }
  return writeStageRecord(ctx.dir, 'simulate', config, (performance.now() - started) / 1000, parts);
}

/** The simulated ensembles: training, held-out, and the noise floor's second training-sized ensemble. */
export type EnsemblePart = Part | 'noise';

/** The part whose size and initial conditions an ensemble has (the noise floor's are the training set's). */
export function runsOf(part: EnsemblePart): Part {
  return part === 'noise' ? 'train' : part;
}

/** The random stream of an ensemble (the noise floor's is derived from the seed like those in config.json). */
export function streamOf(config: ExperimentConfig, part: EnsemblePart): string {
  return part === 'noise' ? `${config.seed}/simulate/noise` : config.streams[part];
}

/**
 * Loads a part's trajectories (training by default), checking each against the config; errors name the file.
 *
 * @example
 * ```ts
 * const trajectories = loadTrainingTrajectories('out/lv', config);
 * ```
 */
export function loadTrainingTrajectories(dir: string, config: ExperimentConfig, limit = Number.POSITIVE_INFINITY, part: Part = 'train'): LatticeTrajectory[] {
  return [...eachTrajectory(dir, config, limit, part)];
}

/**
 * A part's trajectories one at a time, in run order, read and checked like {@link loadTrainingTrajectories} does, so
 * that a caller that needs only a summary of every run holds one trajectory at a time instead of all of them.
 *
 * @example
 * ```ts
 * for (const trajectory of eachTrajectory('out/lv', config)) console.log(trajectory.occupancy.length);
 * ```
 */
export function* eachTrajectory(dir: string, config: ExperimentConfig, limit = Number.POSITIVE_INFINITY, part: Part = 'train'): Generator<LatticeTrajectory> {
  requireStage(dir, 'simulate', config);
  const model = experimentModel(config);
  const runs = model.runs[part];
  const trajectoriesDir = join(stageDir(dir, 'simulate'), part, 'trajectories');
  const rerun = `rerun 'srn-bench ${isLv(config) ? 'lv' : 'closure'} simulate --out ${dir}'`;
  const S = model.species.length;
  for (let run = 0; run < Math.min(runs, limit); run++) {
    const path = join(trajectoriesDir, runFileName(run, runs));
    const bytes = readStageFile(path, 'simulate', dir);
    let trajectory: LatticeTrajectory;
    try {
      trajectory = decodeLattice(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new LvInputError(`${path} is corrupt (${capMessage((error as Error).message)}); ${rerun}`);
    }
    const shapeOk = trajectory.shape.length === model.shape.length && trajectory.shape.every((n, i) => n === model.shape[i]);
    if (!shapeOk || trajectory.times.length !== model.T || trajectory.species.join(',') !== model.species.join(',')) {
      throw new LvInputError(
        `${path} does not match ${join(dir, 'config.json')} (shape ${trajectory.shape.join('x')}, ${trajectory.times.length} times, species ` +
          `${trajectory.species.join(',')}; expected ${model.shape.join('x')}, ${model.T}, ${model.species.join(',')}); ${rerun}`,
      );
    }
    // Decoding checks the container; the contents must be this experiment's: times k · dt, site codes 0 (empty) .. S.
    const badTime = trajectory.times.findIndex((time, t) => Math.abs(time - t * model.dt) > 1e-9 * Math.max(1, t * model.dt));
    const badSite = trajectory.occupancy.findIndex((state) => state > S);
    if (badTime >= 0 || badSite >= 0) {
      const why = badTime >= 0 ? `time ${badTime} is ${trajectory.times[badTime]}` : `site state ${trajectory.occupancy[badSite]} at index ${badSite} (0 .. ${S} expected)`;
      throw new LvInputError(`${path} is corrupt (${why}); ${rerun}`);
    }
    yield trajectory;
  }
}

/** Column means of an ensemble's moments.csv, keyed by observable (X, Y, NN_XX, ...). */
export interface SimulatedMoments {
  times: Float64Array;
  mean: Record<string, Float64Array>;
  sd: Record<string, Float64Array>;
  runs: number;
  /** Per initial condition (several ICs only; the pooled `mean` is their mean, each IC having M samples). */
  conditions?: { mean: Record<string, Float64Array>; sd: Record<string, Float64Array>; runs: number }[];
}

/** The observables in the Lotka-Volterra experiment's moments.csv (and in the model's predictions). */
export const OBSERVABLES = ['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY'] as const;

/**
 * Reads DIR/simulate/<part>/moments.csv (one block of rows per initial condition when there are several).
 *
 * @example
 * ```ts
 * const heldout = readSimulatedMoments('out/lv', config, 'heldout');
 * heldout.mean.X[0]; // 25 on a 20 x 20 lattice
 * ```
 */
export function readSimulatedMoments(dir: string, config: ExperimentConfig, part: EnsemblePart): SimulatedMoments {
  requireStage(dir, 'simulate', config);
  const model = experimentModel(config);
  const path = join(stageDir(dir, 'simulate'), part, 'moments.csv');
  const rerun = `rerun 'srn-bench ${isLv(config) ? 'lv' : 'closure'} simulate --out ${dir}'`;
  if (!existsSync(path)) throw new LvInputError(`${path} is missing; ${rerun.replace('rerun', 'run')}`);
  const text = readStageFile(path, 'simulate', dir).toString('utf8');
  const T = model.T;
  const K = model.conditions[runsOf(part)];
  const corrupt = (why: string) => new LvInputError(`${path} is corrupt (${why}); ${rerun}`);
  const { header, rows } = parseRows(text, corrupt);
  const timeColumn = K > 1 ? 1 : 0;
  if (K > 1 ? header[0] !== 'condition' || header[1] !== 'time' : header[0] !== 'time') throw corrupt(`the first column is not '${K > 1 ? 'condition' : 'time'}'`);
  if (rows.length !== T * K) throw corrupt(`${rows.length} rows, expected ${T * K}`);
  const times = new Float64Array(T);
  const columns: { name: string; index: number; kind: 'mean' | 'sd' }[] = [];
  for (const name of model.names) {
    for (const kind of ['mean', 'sd'] as const) {
      const index = header.indexOf(`${name}-${kind}`);
      if (index < 0) throw corrupt(`column ${name}-${kind} is missing`);
      columns.push({ name, index, kind });
    }
  }
  const blocks: { mean: Record<string, Float64Array>; sd: Record<string, Float64Array>; runs: number }[] = [];
  for (let c = 0; c < K; c++) {
    const mean: Record<string, Float64Array> = {};
    const sd: Record<string, Float64Array> = {};
    for (const name of model.names) {
      mean[name] = new Float64Array(T);
      sd[name] = new Float64Array(T);
    }
    for (let t = 0; t < T; t++) {
      const r = c * T + t;
      const cells = rows[r];
      if (K > 1 && cells[0] !== String(c)) throw corrupt(`row ${r + 2} has condition ${echo(cells[0])}, expected ${c}`);
      const time = parseFiniteCell(cells[timeColumn]);
      if (time === undefined || Math.abs(time - t * model.dt) > 1e-6 * Math.max(1, t * model.dt)) {
        throw corrupt(`row ${r + 2} has time ${echo(cells[timeColumn])}, expected ${t * model.dt}`);
      }
      times[t] = time;
      for (const { name, index, kind } of columns) {
        const value = parseFiniteCell(cells[index]);
        if (value === undefined) throw corrupt(`row ${r + 2}, column ${header[index]} is ${echo(cells[index])}, not a finite number`);
        (kind === 'mean' ? mean : sd)[name][t] = value;
      }
    }
    blocks.push({ mean, sd, runs: model.samples[runsOf(part)] });
  }
  const runs = model.runs[runsOf(part)];
  if (K === 1) return { times, mean: blocks[0].mean, sd: blocks[0].sd, runs };
  // Pooled over the conditions (M samples each): the mean of the means; the SD from the within- and
  // between-condition spreads (population formulas: M large enough for the report's noise floor).
  const mean: Record<string, Float64Array> = {};
  const sd: Record<string, Float64Array> = {};
  for (const name of model.names) {
    mean[name] = new Float64Array(T);
    sd[name] = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      let m = 0;
      for (const b of blocks) m += b.mean[name][t] / K;
      let v = 0;
      for (const b of blocks) v += (b.sd[name][t] ** 2 + (b.mean[name][t] - m) ** 2) / K;
      mean[name][t] = m;
      sd[name][t] = Math.sqrt(v);
    }
  }
  return { times, mean, sd, runs, conditions: blocks };
}
