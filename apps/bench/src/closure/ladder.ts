/**
 * The ladder (issue #16 item 1): every predictor scored side by side on the same held-out ensemble, for every
 * recorded moment, by `scorePrediction` from @srn/closure:
 *
 * * the noise floor: the mean of a second independent ensemble of the training set's size (DIR/simulate/noise);
 * * mean field and pair approximation (generated from the model file), from the held-out t = 0 lattices;
 * * the learned feed-forward triplet closure in the pair equations, trained on the training runs' triplet statistics
 *   (if its ODE stops, it is scored on the times before, next to the noise floor on those times);
 * * the maximum-entropy diagnostic (NN fitted, NNN read off) at {@link MAXENT_TIMES} evenly spaced times only, to
 *   bound its cost, next to the noise floor on those times; fitted to the held-out lattices of each condition (a
 *   diagnostic of what pair statistics alone determine, not a forecast);
 * * the learned closure with raw and filtered θ (the predict stage's own predictions).
 *
 * Where the held-out trajectories are not kept (the LV preset keeps only their moments), the rungs that start from
 * lattices start from the training runs' t = 0 lattices (the same distribution of initial conditions). With several
 * held-out initial conditions, every rung predicts each condition from its own t = 0 lattices and the predictions
 * are averaged (the held-out mean is the mean over conditions). A rung that does not apply to a model (pair-level
 * equations outside what the generator handles, for instance) is listed with its reason.
 *
 * The predict stage writes DIR/predict/ladder.csv (mean field, pair), ladder-feed-forward.csv (its times),
 * ladder-maxent.csv (its times) and ladder.json (statuses); the report stage writes DIR/report/ladder.{md,csv,json}.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@srn/gillespie/rng';
import { createLatticeGeometry, type LatticeTrajectory } from '@srn/gillespie/lattice';
import { OdeIntegrationError, type PredictionScore, scorePrediction } from '@srn/closure';
import { capMessage } from '../args.ts';
import { writeFileAtomic } from '../io.ts';
import type { StageContext } from './context.ts';
import { formatRows, readColumnsCsv, writeColumnsCsv } from './csv.ts';
import { LvInputError } from './errors.ts';
import { type ExperimentConfig, isLv } from './experiment.ts';
import { experimentModel, simulationTimes } from './model.ts';
import { baselineInput } from './predict-generic.ts';
import { loadClosure } from './closure.ts';
import { loadTrainingTrajectories, readSimulatedMoments } from './simulate-stage.ts';
import { stageDir } from './stage.ts';
import { initialLattices } from './train-stage.ts';

/** Times at which the maximum-entropy diagnostic is fitted (evenly spaced from t = 0). */
export const MAXENT_TIMES = 6;

/** The rungs, in the report's order. */
export const LADDER = ['noise-floor', 'mean-field', 'pair', 'feed-forward', 'maxent', 'learned-raw', 'learned-filtered'] as const;
export type Rung = (typeof LADDER)[number];
export const RUNG_LABELS: Record<Rung, string> = {
  'noise-floor': 'noise floor (second ensemble)',
  'mean-field': 'mean field',
  pair: 'pair approximation',
  'feed-forward': 'learned feed-forward closure',
  maxent: 'maximum entropy (NNN read off)',
  'learned-raw': 'learned (raw θ)',
  'learned-filtered': 'learned (filtered θ)',
};

/** Whether a rung was computed, and why not or what limits it. */
export interface RungStatus {
  rung: Rung;
  applies: boolean;
  reason?: string;
  /** Feed-forward: the ODE stopped at this time (scored before it); maxent: the fitted times. */
  until?: number;
  times?: number[];
}

type Columns = Record<string, Float64Array>;

function average(parts: Columns[], rows: number): Columns {
  const out: Columns = {};
  for (const name of Object.keys(parts[0] ?? {})) {
    out[name] = new Float64Array(rows);
    for (const part of parts) for (let t = 0; t < rows; t++) out[name][t] += part[name][t] / parts.length;
  }
  return out;
}

/**
 * Computes the ladder's rungs other than the noise floor and the learned closure, in the predict stage, into
 * DIR/predict/ladder*.
 *
 * @example
 * ```ts
 * await predictLadder(ctx, config, join(dir, 'predict'));
 * ```
 */
export async function predictLadder(
  ctx: StageContext,
  config: ExperimentConfig,
  out: string,
  /** The training and held-out trajectories when the caller has read them already (read from DIR/simulate otherwise). */
  loaded?: { train: LatticeTrajectory[]; heldout: LatticeTrajectory[] },
): Promise<RungStatus[]> {
  const closure = await loadClosure('predict', ['generateMeanField', 'generatePairApproximation', 'trajectoryStatistics', 'trainFeedForwardClosure', 'maxEntDiagnostic']);
  const model = experimentModel(config);
  const times = simulationTimes(model);
  const T = times.length;
  const geometry = createLatticeGeometry(model.shape, model.boundary);
  const train = loaded?.train ?? loadTrainingTrajectories(ctx.dir, config);
  const keepsHeldout = model.trajectories.heldout === 'binary';
  const heldout = keepsHeldout ? (loaded?.heldout ?? loadTrainingTrajectories(ctx.dir, config, Number.POSITIVE_INFINITY, 'heldout')) : [];
  // Start lattices per held-out condition (see the module notes).
  const K = keepsHeldout ? model.conditions.heldout : 1;
  const M = model.samples.heldout;
  const starts: Uint8Array[][] = keepsHeldout ? Array.from({ length: K }, (_, c) => initialLattices(heldout.slice(c * M, (c + 1) * M))) : [initialLattices(train)];
  const input = baselineInput(model);
  const statuses: RungStatus[] = [];
  const columns: Columns = {};
  const started = performance.now();

  for (const rung of ['mean-field', 'pair'] as const) {
    try {
      const b = (rung === 'mean-field' ? closure.generateMeanField : closure.generatePairApproximation)(input);
      if (!b.applies) {
        statuses.push({ rung, applies: false, reason: b.reason });
        continue;
      }
      const parts = starts.map((lattices) => b.predict(times, { initial: { occupancies: lattices }, observables: model.observables }).columns as Columns);
      for (const [name, series] of Object.entries(average(parts, T))) if (model.names.includes(name)) columns[`${rung}:${name}`] = series;
      statuses.push({ rung, applies: true });
    } catch (error) {
      statuses.push({ rung, applies: false, reason: capMessage((error as Error).message, 200) });
    }
  }
  writeColumnsCsv(join(out, 'ladder.csv'), times, columns);

  // The feed-forward closure: trained on every training run's triplet statistics, integrated in the pair equations.
  try {
    const stats = closure.trajectoryStatistics(geometry, train as LatticeTrajectory[]);
    const ff = closure.trainFeedForwardClosure(stats, { rng: createRng(`${config.seed}/ladder/feed-forward`) });
    const b = closure.generatePairApproximation(input, { tripletClosure: ff.closure });
    if (!b.applies) throw new Error(b.reason);
    let until = T;
    let stopped: number | undefined;
    const predictOn = (grid: Float64Array) => starts.map((lattices) => b.predict(grid, { initial: { occupancies: lattices }, observables: model.observables }).columns as Columns);
    let parts: Columns[];
    try {
      parts = predictOn(times);
    } catch (error) {
      if (!(error instanceof OdeIntegrationError)) throw error;
      // The closed ODE stopped (the closure left the range of its training states): score the times before.
      stopped = error.time;
      until = times.findIndex((t) => t >= error.time);
      if (until < 2) throw new Error(`its ODE stopped at t = ${error.time} (${capMessage(error.message, 120)})`);
      parts = predictOn(times.slice(0, until));
    }
    const ffColumns: Columns = {};
    for (const [name, series] of Object.entries(average(parts, until))) if (model.names.includes(name)) ffColumns[name] = series;
    writeColumnsCsv(join(out, 'ladder-feed-forward.csv'), times.slice(0, until), ffColumns);
    statuses.push({ rung: 'feed-forward', applies: true, ...(stopped !== undefined ? { until: stopped } : {}) });
  } catch (error) {
    statuses.push({ rung: 'feed-forward', applies: false, reason: capMessage((error as Error).message, 200) });
  }

  // Maximum entropy at MAXENT_TIMES times, fitted per held-out condition on its lattices (the training runs' when the
  // held-out trajectories are not kept: the same distribution), the read-offs averaged over the conditions.
  try {
    const every = Math.max(1, Math.ceil(T / MAXENT_TIMES));
    const groups = keepsHeldout ? Array.from({ length: K }, (_, c) => heldout.slice(c * M, (c + 1) * M)) : [train];
    const fits = groups.map((runs, c) =>
      closure.maxEntDiagnostic(geometry, model.species, runs.map((tr) => tr.occupancy), times, { rng: createRng(`${config.seed}/ladder/maxent`, c), every, observables: model.observables }),
    );
    const mean = average(fits.map((d) => d.columns), fits[0].times.length);
    const picked: Columns = {};
    for (const name of model.names) if (mean[name]) picked[name] = mean[name];
    writeColumnsCsv(join(out, 'ladder-maxent.csv'), fits[0].times, picked);
    statuses.push({ rung: 'maxent', applies: true, times: Array.from(fits[0].times) });
  } catch (error) {
    statuses.push({ rung: 'maxent', applies: false, reason: capMessage((error as Error).message, 200) });
  }
  writeFileAtomic(join(out, 'ladder.json'), `${JSON.stringify({ rungs: statuses, heldoutStarts: keepsHeldout ? 'held-out t = 0 lattices' : 'training t = 0 lattices' }, null, 2)}\n`);
  ctx.log(`predict: ladder (mean field, pair, feed-forward, maximum entropy) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return statuses;
}

/** One scored cell of the ladder. */
export interface LadderRow {
  rung: Rung;
  /** `all`, or the times scored (the feed-forward prefix, the maximum-entropy times); `noise-floor` rows repeat them. */
  on: string;
  moment: string;
  score: PredictionScore;
}

/** The columns of a predict-stage CSV on the full grid of T times (any dt). */
function readGrid(path: string, T: number, rerun: string): Columns {
  const { times, columns } = readColumnsCsv(path, { rerun });
  if (times.length !== T) throw new LvInputError(`${path} is corrupt (${times.length} rows, expected ${T}); rerun '${rerun}'`);
  return columns;
}

/** The learned closure's held-out predictions (mean over the held-out conditions for model-file experiments). */
function learnedColumns(dir: string, config: ExperimentConfig, T: number): Record<'learned-raw' | 'learned-filtered', Columns> {
  const predictDir = stageDir(dir, 'predict');
  const rerun = `srn-bench ${isLv(config) ? 'lv' : 'closure'} predict --out ${dir}`;
  const names = experimentModel(config).names;
  if (isLv(config)) {
    const pick = (file: string) => {
      const { columns } = readColumnsCsv(join(predictDir, file), { rows: T, rerun });
      return Object.fromEntries(names.filter((n) => columns[`${n}-mean`]).map((n) => [n, columns[`${n}-mean`]]));
    };
    return { 'learned-raw': pick('moments-raw.csv'), 'learned-filtered': pick('moments-filtered.csv') };
  }
  const files = readdirSync(join(predictDir, 'heldout')).filter((f) => f.endsWith('.csv')).sort();
  const tables = files.map((f) => readGrid(join(predictDir, 'heldout', f), T, rerun));
  const of = (variant: string) => average(tables.map((c) => Object.fromEntries(names.filter((n) => c[`${variant}:${n}`]).map((n) => [n, c[`${variant}:${n}`]]))), T);
  return { 'learned-raw': of('learned-raw'), 'learned-filtered': of('learned-filtered') };
}

/**
 * Scores the ladder on the held-out ensemble (report stage) and writes DIR/report/ladder.{md,csv,json}.
 *
 * @example
 * ```ts
 * const rows = reportLadder(dir, config, join(dir, 'report'));
 * ```
 */
export function reportLadder(dir: string, config: ExperimentConfig, out: string): LadderRow[] {
  const model = experimentModel(config);
  const T = model.T;
  const predictDir = stageDir(dir, 'predict');
  const rerun = `srn-bench ${isLv(config) ? 'lv' : 'closure'} predict --out ${dir}`;
  const heldout = readSimulatedMoments(dir, config, 'heldout');
  const noise = readSimulatedMoments(dir, config, 'noise');
  const times = heldout.times;
  const status = JSON.parse(readFileSync(join(predictDir, 'ladder.json'), 'utf8')) as { rungs: RungStatus[]; heldoutStarts: string };
  const full: Partial<Record<Rung, Columns>> = { 'noise-floor': noise.mean };
  const ladder = readGrid(join(predictDir, 'ladder.csv'), T, rerun);
  for (const rung of ['mean-field', 'pair'] as const) {
    const cols = Object.fromEntries(model.names.filter((n) => ladder[`${rung}:${n}`]).map((n) => [n, ladder[`${rung}:${n}`]]));
    if (Object.keys(cols).length > 0) full[rung] = cols;
  }
  Object.assign(full, learnedColumns(dir, config, T));
  const rows: LadderRow[] = [];
  const scoreAll = (rung: Rung, on: string, cols: Columns, index: number[] | undefined) => {
    for (const moment of model.names) {
      if (!cols[moment]) continue;
      const sub = (x: Float64Array) => (index ? Float64Array.from(index, (k) => x[k]) : x);
      rows.push({ rung, on, moment, score: scorePrediction(sub(heldout.mean[moment]), index && cols[moment].length !== index.length ? sub(cols[moment]) : cols[moment], sub(times)) });
    }
  };
  const ffPath = join(predictDir, 'ladder-feed-forward.csv');
  const ff = existsSync(ffPath) ? readColumnsCsv(ffPath, { rerun }) : undefined;
  if (ff && ff.times.length === T) full['feed-forward'] = ff.columns;
  for (const rung of LADDER) if (full[rung]) scoreAll(rung, 'all', full[rung]!, undefined);
  // Rungs on part of the time grid, each next to the noise floor on the same times.
  if (ff && ff.times.length < T) {
    const index = Array.from({ length: ff.times.length }, (_, k) => k);
    const on = `t < ${times[ff.times.length]}`;
    scoreAll('feed-forward', on, ff.columns, index);
    scoreAll('noise-floor', on, noise.mean, index);
  }
  const mePath = join(predictDir, 'ladder-maxent.csv');
  if (existsSync(mePath)) {
    const me = readColumnsCsv(mePath, { rerun });
    const index = Array.from(me.times, (t) => Math.round(t / model.dt));
    const on = `${me.times.length} times`;
    scoreAll('maxent', on, me.columns, index);
    scoreAll('noise-floor', on, noise.mean, index);
  }
  writeLadderFiles(out, config, rows, model.names, status, noise.runs, heldout.runs, model.conditions.heldout, model.runs.train);
  return rows;
}

function pct(x: number): string {
  return Number.isFinite(x) ? (100 * x).toFixed(1) : '–';
}

function writeLadderFiles(
  out: string,
  config: ExperimentConfig,
  rows: LadderRow[],
  moments: readonly string[],
  status: { rungs: RungStatus[]; heldoutStarts: string },
  noiseRuns: number,
  heldoutRuns: number,
  conditions: number,
  trainRuns: number,
): void {
  const csv: (string | number)[][] = [['predictor', 'on', 'moment', 'meanRelError', 'maxRelError', 'rmse']];
  for (const r of rows) csv.push([r.rung, r.on, r.moment, r.score.meanRelError, r.score.maxRelError, r.score.rmse]);
  writeFileAtomic(join(out, 'ladder.csv'), formatRows(csv));
  const json = { seed: config.seed, preset: config.preset, configHash: config.hash, trainRuns, moments, rungs: status.rungs, rows: rows.map((r) => ({ predictor: r.rung, on: r.on, moment: r.moment, meanRelError: r.score.meanRelError, maxRelError: r.score.maxRelError, rmse: r.score.rmse })) };
  writeFileAtomic(join(out, 'ladder.json'), `${JSON.stringify(json, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  const lines = [
    '# The ladder: every predictor on the same held-out ensemble',
    '',
    `Mean relative error (%) against the held-out mean (${heldoutRuns} runs), every moment, scored by \`scorePrediction\` (@srn/closure). ` +
      `The noise floor is the mean of a second independent ensemble of the training set's size (${noiseRuns} runs, its own random stream). ` +
      `Mean field, pair approximation and the feed-forward closure start from the ${status.heldoutStarts}. ` +
      `Rows scored on part of the time grid sit next to the noise floor on the same times.` +
      (conditions > 1
        ? ` With ${conditions} held-out initial conditions, the noise ensemble draws its own conditions like the training set, so its row also holds the spread between condition draws (report.md's per-condition noise floor is the within-condition one).`
        : ''),
    '',
    `| predictor | times | ${moments.join(' | ')} |`,
    `|---|---|${moments.map(() => '---:').join('|')}|`,
  ];
  const keys = [...new Set(rows.map((r) => `${r.on}\u0000${r.rung}`))];
  const order = (k: string) => (k.startsWith('all\u0000') ? 0 : 1);
  keys.sort((a, b) => order(a) - order(b));
  for (const key of keys) {
    const [on, rung] = key.split('\u0000') as [string, Rung];
    const cells = moments.map((m) => {
      const r = rows.find((x) => x.on === on && x.rung === rung && x.moment === m);
      return r ? pct(r.score.meanRelError) : '–';
    });
    lines.push(`| ${RUNG_LABELS[rung]} | ${on} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  for (const s of status.rungs) {
    if (!s.applies) lines.push(`- ${RUNG_LABELS[s.rung]}: does not apply to this model (${s.reason}).`);
    else if (s.rung === 'feed-forward' && s.until !== undefined) lines.push(`- ${RUNG_LABELS[s.rung]}: its ODE stopped at t = ${s.until}; scored on the times before.`);
    else if (s.rung === 'maxent') {
      lines.push(
        `- ${RUNG_LABELS[s.rung]}: fitted at t = ${(s.times ?? []).join(', ')} only (${MAXENT_TIMES} times, to bound its cost), to the ${status.heldoutStarts.replace(' t = 0', '')} at those times; ` +
          'its counts and NN pair counts are fitted (their errors are the fit\'s sampling error), only the NNN pair counts are read off.',
      );
    }
  }
  writeFileAtomic(join(out, 'ladder.md'), `${lines.join('\n')}\n`);
}
