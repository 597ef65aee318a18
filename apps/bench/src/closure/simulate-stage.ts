/**
 * The simulate stage: the training ensemble (DIR/simulate/train: trajectories + moments.csv) and the held-out
 * ensemble from disjoint random streams (DIR/simulate/heldout: moments.csv), both from DIR/config.json.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLattice, type LatticeTrajectory } from '@srn/gillespie/lattice';
import { type LvConfig, readConfig } from './config.ts';
import { lvSimulate } from './ensemble.ts';
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
 * Runs the simulate stage on DIR (DIR/config.json must exist).
 *
 * @example
 * ```ts
 * await runSimulateStage({ dir: 'out/lv', workers: 2, log: console.log });
 * ```
 */
export async function runSimulateStage(ctx: StageContext): Promise<StageRecord> {
  const config = readConfig(ctx.dir);
  const out = startStageOutput(ctx.dir, 'simulate');
  const s = config.settings.simulate;
  const started = performance.now();
  const parts: Record<string, unknown> = {};
  for (const part of ['train', 'heldout'] as const) {
    const runs = part === 'train' ? s.trainRuns : s.heldoutRuns;
    const progress = ctx.progress(`simulate ${part}`, runs);
    const result = await lvSimulate({
      out: join(out, part),
      runs,
      seed: config.streams[part],
      scheme: s.scheme,
      size: s.size,
      steps: s.timeSteps,
      workers: ctx.workers,
      selection: s.selection,
      preyBirth: s.preyBirth,
      predatorDeath: s.predatorDeath,
      predationProbability: s.predationProbability,
      trajectories: part === 'train' ? 'binary' : 'none',
      signal: ctx.signal,
      onProgress: (done) => progress.update(done),
    }).finally(() => progress.stop());
    parts[part] = { runs, seed: config.streams[part], seconds: result.wallSeconds, extinctRuns: result.summary.extinctRuns.length, events: result.events };
    ctx.log(`simulate: ${runs} ${part} runs in ${result.wallSeconds.toFixed(1)} s (${result.summary.extinctRuns.length} with an extinct species)`);
  }
  return writeStageRecord(ctx.dir, 'simulate', config, (performance.now() - started) / 1000, parts);
}

/**
 * Loads the training trajectories, checking each against the config; errors name the file.
 *
 * @example
 * ```ts
 * const trajectories = loadTrainingTrajectories('out/lv', config);
 * ```
 */
export function loadTrainingTrajectories(dir: string, config: LvConfig, limit = Number.POSITIVE_INFINITY): LatticeTrajectory[] {
  requireStage(dir, 'simulate', config);
  const s = config.settings.simulate;
  const trajectoriesDir = join(stageDir(dir, 'simulate'), 'train', 'trajectories');
  const out: LatticeTrajectory[] = [];
  for (let run = 0; run < Math.min(s.trainRuns, limit); run++) {
    const path = join(trajectoriesDir, runFileName(run, s.trainRuns));
    const bytes = readStageFile(path, 'simulate', dir);
    let trajectory: LatticeTrajectory;
    try {
      trajectory = decodeLattice(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new LvInputError(`${path} is corrupt (${capMessage((error as Error).message)}); rerun 'srn-bench lv simulate --out ${dir}'`);
    }
    const shapeOk = trajectory.shape.length === 2 && trajectory.shape[0] === s.size && trajectory.shape[1] === s.size;
    if (!shapeOk || trajectory.times.length !== s.timeSteps || trajectory.species.join(',') !== 'X,Y') {
      throw new LvInputError(
        `${path} does not match ${join(dir, 'config.json')} (shape ${trajectory.shape.join('x')}, ${trajectory.times.length} times, species ` +
          `${trajectory.species.join(',')}; expected ${s.size}x${s.size}, ${s.timeSteps}, X,Y); rerun 'srn-bench lv simulate --out ${dir}'`,
      );
    }
    // Decoding checks the container; the contents must be this experiment's: times 0 .. T-1, sites empty (0), prey (1)
    // or predator (2).
    const badTime = trajectory.times.findIndex((time, t) => time !== t);
    const badSite = trajectory.occupancy.findIndex((state) => state > 2);
    if (badTime >= 0 || badSite >= 0) {
      const why = badTime >= 0 ? `time ${badTime} is ${trajectory.times[badTime]}` : `site state ${trajectory.occupancy[badSite]} at index ${badSite} (0, 1 or 2 expected)`;
      throw new LvInputError(`${path} is corrupt (${why}); rerun 'srn-bench lv simulate --out ${dir}'`);
    }
    out.push(trajectory);
  }
  return out;
}

/** Column means of an ensemble's moments.csv, keyed by observable (X, Y, NN_XX, ...). */
export interface SimulatedMoments {
  times: Float64Array;
  mean: Record<string, Float64Array>;
  sd: Record<string, Float64Array>;
  runs: number;
}

/** The observables in moments.csv (and in the model's predictions). */
export const OBSERVABLES = ['X', 'Y', 'NN_XX', 'NN_XY', 'NN_YY', 'NNN_XX', 'NNN_XY', 'NNN_YY'] as const;

/**
 * Reads DIR/simulate/<part>/moments.csv.
 *
 * @example
 * ```ts
 * const heldout = readSimulatedMoments('out/lv', config, 'heldout');
 * heldout.mean.X[0]; // 25 on a 20 x 20 lattice
 * ```
 */
export function readSimulatedMoments(dir: string, config: LvConfig, part: 'train' | 'heldout'): SimulatedMoments {
  requireStage(dir, 'simulate', config);
  const path = join(stageDir(dir, 'simulate'), part, 'moments.csv');
  if (!existsSync(path)) throw new LvInputError(`${path} is missing; run 'srn-bench lv simulate --out ${dir}'`);
  const text = readStageFile(path, 'simulate', dir).toString('utf8');
  const T = config.settings.simulate.timeSteps;
  const corrupt = (why: string) => new LvInputError(`${path} is corrupt (${why}); rerun 'srn-bench lv simulate --out ${dir}'`);
  const { header, rows } = parseRows(text, corrupt);
  if (header[0] !== 'time') throw corrupt("first column is not 'time'");
  if (rows.length !== T) throw corrupt(`${rows.length} rows, expected ${T}`);
  const times = new Float64Array(T);
  const mean: Record<string, Float64Array> = {};
  const sd: Record<string, Float64Array> = {};
  const columns: { name: string; index: number; kind: 'mean' | 'sd' }[] = [];
  for (const name of OBSERVABLES) {
    for (const kind of ['mean', 'sd'] as const) {
      const index = header.indexOf(`${name}-${kind}`);
      if (index < 0) throw corrupt(`column ${name}-${kind} is missing`);
      columns.push({ name, index, kind });
    }
    mean[name] = new Float64Array(T);
    sd[name] = new Float64Array(T);
  }
  for (let t = 0; t < T; t++) {
    const cells = rows[t];
    const time = parseFiniteCell(cells[0]);
    if (time !== t) throw corrupt(`row ${t + 2} has time ${echo(cells[0])}, expected ${t}`);
    times[t] = time;
    for (const { name, index, kind } of columns) {
      const value = parseFiniteCell(cells[index]);
      if (value === undefined) throw corrupt(`row ${t + 2}, column ${header[index]} is ${echo(cells[index])}, not a finite number`);
      (kind === 'mean' ? mean : sd)[name][t] = value;
    }
  }
  const runs = part === 'train' ? config.settings.simulate.trainRuns : config.settings.simulate.heldoutRuns;
  return { times, mean, sd, runs };
}
