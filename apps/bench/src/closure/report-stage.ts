/**
 * The report stage: metrics (metrics.json), figures (vega-lite → SVG + PNG + spec) and DIR/report/report.md and
 * report.html (figures embedded), from the files of the earlier stages.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { writeFileAtomic, writeFileAtomicChunks } from '../io.ts';
import { layerTime, type LvConfig, SETTING_ROWS } from './config.ts';
import { isLv, readExperimentConfig } from './experiment.ts';
import { runClosureReportStage } from './report-generic.ts';
import type { StageContext } from './context.ts';
import { capMessage, echo } from '../args.ts';
import { parseFiniteCell, parseRows, readColumnsCsv } from './csv.ts';
import { LvInputError } from './errors.ts';
import { reportLadder } from './ladder.ts';
import {
  channelsSpec,
  closureSumSpec,
  type Figure,
  historySpec,
  latticeSnapshotSpec,
  layersSpec,
  momentsSpec,
  phasePlaneSpec,
  thetaSpec,
} from './figures.ts';
import { withFigureThread } from './figure-thread.ts';
import { computeMetrics, type MetricsTable, type MomentMetrics, PREDICTOR_LABELS, PREDICTORS, qualityTargets, type TargetResult } from './metrics.ts';
import { eachTrajectory, OBSERVABLES, readSimulatedMoments, type SimulatedMoments } from './simulate-stage.ts';
import { type LV_STAGES, peekStageRecord, requireStage, type StageRecord, stageDir, stageTimings, startStageOutput, writeStageRecord } from './stage.ts';

/**
 * The report's paragraph on predictions whose θ(t) left the region F was trained on (the predict stage's `untrained`
 * records), or null when every prediction stayed inside it.
 *
 * @example
 * ```ts
 * const block = untrainedBlock({ untrained: [{ label: 'held-out IC 1/2', fraction: 0.5, firstUntrainedTime: 3 }] });
 * // block.text starts with '**θ(t) outside the trained region of F:** held-out IC 1/2 for 50 % of the times'
 * ```
 */
export function untrainedBlock(predict: Pick<StageRecord, string> | undefined): Block | null {
  const untrained = (predict?.untrained ?? []) as { label: string; fraction: number; firstUntrainedTime: number | null }[];
  if (untrained.length === 0) return null;
  return {
    kind: 'p',
    text:
      `**θ(t) outside the trained region of F:** ${untrained.map((u) => `${u.label} for ${((1 - u.fraction) * 100).toFixed(0)} % of the times (from t = ${fmt(u.firstUntrainedTime ?? Number.NaN)})`).join('; ')}. ` +
      'F is a sparse finite-element function, 0 in cells that no training trajectory visited, so there θ(t) stops moving and the prediction stays flat. A coarser `--spacing`, or training initial conditions that cover these, help.',
  };
}

/** The moments of the paper's figures. */
export const FIGURE_MOMENTS = ['X', 'NN_XX', 'NNN_XY'] as const;

export type Block =
  | { kind: 'h'; level: number; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'table'; header: string[]; rows: (string | number)[][] }
  | { kind: 'figure'; figure: Figure };

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`;
}
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(digits)).toString();
}

/** Series of one kind of column (`X-mean` → X) from a predict CSV. */
function meansFrom(columns: Record<string, Float64Array>, suffix = '-mean'): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of OBSERVABLES) if (columns[`${name}${suffix}`]) out[name] = columns[`${name}${suffix}`];
  return out;
}

function prefixed(columns: Record<string, Float64Array>, prefix: string): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [key, value] of Object.entries(columns)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out;
}

/** Counts of X and Y at time t in a trajectory. */
function countsAt(trajectory: LatticeTrajectory, t: number): [number, number] {
  const N = trajectory.occupancy.length / trajectory.times.length;
  let x = 0;
  let y = 0;
  for (let s = t * N; s < (t + 1) * N; s++) {
    if (trajectory.occupancy[s] === 1) x++;
    else if (trajectory.occupancy[s] === 2) y++;
  }
  return [x, y];
}

/** What the report's figures need from the training runs: every run's counts, and the snapshots of the run shown. */
interface TrainingRunCounts {
  /** Counts of X and Y of every run at every time point. */
  x: Int32Array[];
  y: Int32Array[];
  /** The snapshot times (t = 139 and 349 of 500, scaled to the run's length) and the run shown at them. */
  t1: number;
  t2: number;
  best: number;
  /** Its occupancy at t1, then at t2. */
  snapshots: Uint8Array;
}

/**
 * Reads the training runs one at a time (holding one trajectory, not all of them) for the counts and the snapshot
 * figure. The run shown is the paper's pick: the one whose counts are closest at t1 and t2 among the runs where
 * both species survive to the end (run 0 if none does; the first of equally close ones).
 */
function trainingRunCounts(dir: string, config: LvConfig): TrainingRunCounts {
  const T = config.settings.simulate.timeSteps;
  const t1 = Math.round((139 / 500) * (T - 1));
  const t2 = Math.round((349 / 500) * (T - 1));
  const x: Int32Array[] = [];
  const y: Int32Array[] = [];
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  let snapshots = new Uint8Array(0);
  for (const trajectory of eachTrajectory(dir, config)) {
    const run = x.length;
    const xs = new Int32Array(T);
    const ys = new Int32Array(T);
    for (let t = 0; t < T; t++) [xs[t], ys[t]] = countsAt(trajectory, t);
    x.push(xs);
    y.push(ys);
    const score = xs[T - 1] === 0 || ys[T - 1] === 0 ? Number.POSITIVE_INFINITY : Math.abs(xs[t1] - xs[t2]) + Math.abs(ys[t1] - ys[t2]);
    if (run === 0 || score < bestScore) {
      const N = trajectory.occupancy.length / T;
      snapshots = new Uint8Array(2 * N);
      snapshots.set(trajectory.occupancy.subarray(t1 * N, (t1 + 1) * N), 0);
      snapshots.set(trajectory.occupancy.subarray(t2 * N, (t2 + 1) * N), N);
    }
    if (score < bestScore) {
      bestScore = score;
      best = run;
    }
  }
  return { x, y, t1, t2, best, snapshots };
}

/**
 * Runs the report stage on DIR (predict must have finished).
 *
 * @example
 * ```ts
 * await runReportStage(quietContext('out/lv'));
 * ```
 */
export async function runReportStage(ctx: StageContext): Promise<StageRecord> {
  const dir = ctx.dir;
  const started = performance.now();
  const experiment = readExperimentConfig(dir);
  if (!isLv(experiment)) return runClosureReportStage(ctx, experiment);
  const config = experiment;
  const records: Partial<Record<string, StageRecord>> = {
    simulate: requireStage(dir, 'simulate', config),
    train: requireStage(dir, 'train', config),
    predict: requireStage(dir, 'predict', config),
  };
  const s = config.settings.simulate;
  const T = s.timeSteps;
  const rerunPredict = `srn-bench lv predict --out ${dir}`;
  const predictDir = stageDir(dir, 'predict');
  const sim: Record<string, SimulatedMoments> = { train: readSimulatedMoments(dir, config, 'train'), heldout: readSimulatedMoments(dir, config, 'heldout') };
  const theta = readColumnsCsv(join(predictDir, 'theta.csv'), { rows: T, rerun: rerunPredict });
  const parameters = Object.keys(theta.columns).filter((k) => !k.endsWith('-filtered'));
  const required = FIGURE_MOMENTS.map((m) => `${m}-mean`);
  const raw = readColumnsCsv(join(predictDir, 'moments-raw.csv'), { rows: T, required, rerun: rerunPredict });
  const filtered = readColumnsCsv(join(predictDir, 'moments-filtered.csv'), { rows: T, required, rerun: rerunPredict });
  const baselines = readColumnsCsv(join(predictDir, 'baselines.csv'), { rows: T, rerun: rerunPredict });
  const times = sim.train.times;

  const predictors: Record<string, Record<string, Float64Array>> = {
    'learned-raw': meansFrom(raw.columns),
    'learned-filtered': meansFrom(filtered.columns),
    'mean-field': prefixed(baselines.columns, 'mean-field:'),
    'pair': prefixed(baselines.columns, 'pair:'),
  };
  const moments = OBSERVABLES.filter((m) => predictors['learned-filtered'][m]);
  const metrics = computeMetrics({ train: sim.train.mean, heldout: sim.heldout.mean }, predictors, moments, times);
  const targets = qualityTargets(metrics, 'heldout');

  // Every input is read and checked before anything is written. The training runs are read one at a time: the
  // figures need only their counts and the two snapshots of the run they show.
  const runs = trainingRunCounts(dir, config);
  const channelsPath = join(predictDir, 'channels.csv');
  const channelCsv = existsSync(channelsPath) ? readColumnsCsv(channelsPath, { rows: T, rerun: rerunPredict }) : undefined;
  const layersPath = join(predictDir, 'layers.json');
  const layerPanels = existsSync(layersPath) ? readLayers(layersPath, rerunPredict) : undefined;
  const historyPath = join(stageDir(dir, 'train'), 'history.csv');
  const history = existsSync(historyPath) ? readHistory(historyPath, `srn-bench lv train --out ${dir}`) : undefined;

  // Figures.
  const out = startStageOutput(dir, 'report');
  const figuresDir = join(out, 'figures');
  mkdirSync(figuresDir, { recursive: true });
  const figures: Figure[] = [];
  const progress = ctx.progress('report figures', 9);
  await withFigureThread(async (render) => {
    const add = async (name: string, caption: string, spec: Record<string, unknown>) => {
      figures.push(await render(figuresDir, name, caption, spec));
      progress.update(figures.length);
    };
    try {
      const { t1, t2, best, snapshots } = runs;
      const N = s.size * s.size;
      const countsOf = (run: number, t: number) => `${runs.x[run][t]} X, ${runs.y[run][t]}`;
      await add(
        'lattice-snapshots',
        `Lattice snapshots of training run ${best} at t = ${t1} and t = ${t2} (prey black, predators blue; the run whose counts are closest at the two times, as in the paper).`,
        latticeSnapshotSpec(s.size, [
          { label: `t = ${t1} (${countsOf(best, t1)} Y)`, occupancy: snapshots.subarray(0, N) },
          { label: `t = ${t2} (${countsOf(best, t2)} Y)`, occupancy: snapshots.subarray(N, 2 * N) },
        ]),
      );
      const survivors = runs.x.map((_, run) => run).filter((run) => runs.x[run][T - 1] > 0 && runs.y[run][T - 1] > 0);
      const survivingMean = { X: new Float64Array(T), Y: new Float64Array(T) };
      for (const run of survivors) {
        for (let t = 0; t < T; t++) {
          survivingMean.X[t] += runs.x[run][t] / survivors.length;
          survivingMean.Y[t] += runs.y[run][t] / survivors.length;
        }
      }
      const phase = [
        { label: `training, all ${s.trainRuns} runs`, X: sim.train.mean.X, Y: sim.train.mean.Y },
        { label: `held-out, all ${s.heldoutRuns} runs`, X: sim.heldout.mean.X, Y: sim.heldout.mean.Y },
      ];
      if (survivors.length > 0) phase.splice(1, 0, { label: `training, ${survivors.length} runs without extinction`, X: survivingMean.X, Y: survivingMean.Y });
      await add('phase-plane', 'Ensemble mean in the (prey, predator) plane, starting at the dot; the paper leaves out runs with an extinct species.', phasePlaneSpec(phase));
      await add('theta', `Learned parameter trajectories θ(t) from the forward solve of the learned F: raw (grey) and low-pass filtered (red; cutoff ${config.settings.predict.cutoff} rad/sample, ${config.settings.predict.taps} taps, Hamming).`, thetaSpec(times, theta.columns, parameters));
      for (const part of ['train', 'heldout'] as const) {
        const label = part === 'train' ? `training set (${s.trainRuns} runs)` : `held-out set (${s.heldoutRuns} runs)`;
        await add(
          `moments-${part}`,
          `Predicted vs simulated ⟨n_X⟩, ⟨NN_XX⟩, ⟨NNN_XY⟩ on the ${label}, with the mean-field and pair-approximation baselines.`,
          momentsSpec(times, FIGURE_MOMENTS, { simulation: sim[part].mean, ...predictors }, `Moments: ${label}`),
        );
      }
      if (channelCsv) {
        const channels: Record<string, Record<string, Float64Array>> = {};
        for (const [key, series] of Object.entries(channelCsv.columns)) {
          const [moment, parameter] = key.split(':');
          (channels[moment] ??= {})[parameter] = series;
        }
        const shown = FIGURE_MOMENTS.filter((m) => channels[m]);
        await add('closure-channels', 'Closure channels Cov(O, T_k)(t) · dθ_k/dt of each parameter k (spec 7.2), filtered θ.', channelsSpec(times, channels, shown));
        const sums: Record<string, { closure: Float64Array; simulated: Float64Array }> = {};
        for (const m of shown) {
          const closure = new Float64Array(T);
          for (const series of Object.values(channels[m])) for (let t = 0; t < T; t++) closure[t] += series[t];
          const simulated = new Float64Array(T);
          const mean = sim.train.mean[m];
          for (let t = 0; t < T - 1; t++) simulated[t] = mean[t + 1] - mean[t];
          simulated[T - 1] = Number.NaN;
          sums[m] = { closure, simulated };
        }
        await add('closure-sum', 'Closure sum over all channels vs the forward difference of the simulated training mean.', closureSumSpec(times, sums));
      }
      if (layerPanels) {
        const panels = layerPanels;
        const t = layerTime(config.settings);
        await add(
          'layers',
          `Sampled unit probabilities of the model's three layers at t = ${t} (one chain, filtered θ; bottom row = layer 0, the visible lattice), as in Fig. 2c of the paper.`,
          layersSpec(panels, `Layer probabilities at t = ${t}`),
        );
      }
      await addHistoryFigure(history, add);
    } finally {
      progress.stop();
    }
  });

  const reportSeconds = (performance.now() - started) / 1000;
  const timings = stageTimings(records, reportSeconds, { withTrainSetup: false });
  const metricsJson = {
    preset: config.preset,
    seed: config.seed,
    configHash: config.hash,
    moments,
    datasets: { train: s.trainRuns, heldout: s.heldoutRuns },
    predictors: PREDICTORS,
    metrics,
    qualityTargets: { dataset: 'heldout', predictor: 'learned-filtered', metric: 'meanRelError', appliesTo: 'paper', preset: config.preset, rows: targets },
    timings,
  };
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metricsJson, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);

  const blocks = reportBlocks(config, dir, metrics, moments, targets, timings, figures, records);
  reportLadder(dir, config, out);
  blocks.push({ kind: 'p', text: 'The ladder (noise floor, mean field, pair approximation, learned feed-forward closure, maximum entropy and the learned closure, all on the same held-out ensemble): ladder.md, ladder.csv, ladder.json.' });
  writeFileAtomic(join(out, 'report.md'), toMarkdown(blocks));
  writeFileAtomicChunks(join(out, 'report.html'), toHtmlChunks(blocks, `srn lattice Lotka-Volterra report (${config.preset})`));
  ctx.log(`report: ${join(out, 'report.md')}, report.html, metrics.json, ${figures.length} figures in ${reportSeconds.toFixed(1)} s`);
  return writeStageRecord(dir, 'report', config, (performance.now() - started) / 1000, { figures: figures.map((f) => f.name) });
}

function readLayers(path: string, rerun: string): { layer: number; species: string; shape: number[]; values: number[] }[] {
  const corrupt = (why: string) => new LvInputError(`${path} is corrupt (${why}); rerun '${rerun}'`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw corrupt(capMessage((error as Error).message, 120));
  }
  const panels = parsed !== null && typeof parsed === 'object' ? (parsed as { panels?: unknown }).panels : undefined;
  if (!Array.isArray(panels) || panels.length === 0) throw corrupt('no panels');
  for (const [i, p] of panels.entries()) {
    const ok =
      p !== null &&
      typeof p === 'object' &&
      Number.isSafeInteger(p.layer) &&
      p.layer >= 0 &&
      typeof p.species === 'string' &&
      Array.isArray(p.shape) &&
      p.shape.length === 2 &&
      p.shape.every((n: unknown) => Number.isSafeInteger(n) && (n as number) > 0 && (n as number) <= 100_000) &&
      Array.isArray(p.values) &&
      p.values.length === p.shape[0] * p.shape[1] &&
      p.values.every((v: unknown) => typeof v === 'number' && v >= 0 && v <= 1);
    if (!ok) throw corrupt(`panel ${i} is not a layer, species, 2-d shape and probabilities in [0, 1] matching the shape`);
  }
  return panels as { layer: number; species: string; shape: number[]; values: number[] }[];
}

/**
 * Adds the training-history figure (every per-step quantity of DIR/train/history.csv except step, seconds and the
 * window start) through the report's `add`, when training reported any.
 */
export async function addHistoryFigure(
  history: Record<string, number>[] | undefined,
  add: (name: string, caption: string, spec: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  if (!history || history.length === 0) return;
  const keys = [...new Set(history.flatMap((row) => Object.keys(row)))].filter((k) => !['step', 'seconds', 'windowStart'].includes(k));
  if (keys.length > 0) await add('training-history', 'Training: per-step quantities reported by the trainer.', historySpec(history, keys));
}

/** Reads DIR/train/history.csv: a header of names, then rows of numbers (an empty cell: not reported that step). */
export function readHistory(path: string, rerun: string): Record<string, number>[] {
  const corrupt = (why: string) => new LvInputError(`${path} is corrupt (${why}); rerun '${rerun}'`);
  const { header: keys, rows } = parseRows(readFileSync(path, 'utf8'), corrupt);
  if (!keys.every((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) || new Set(keys).size !== keys.length) {
    throw corrupt(`the header is not a list of distinct column names: ${echo(keys.join(','))}`);
  }
  return rows.map((cells, r) => {
    const row: Record<string, number> = {};
    keys.forEach((k, i) => {
      if (cells[i] === '') return;
      const value = parseFiniteCell(cells[i]);
      if (value === undefined) throw corrupt(`row ${r + 2}, column '${k}' is ${echo(cells[i])}, not a finite number`);
      row[k] = value;
    });
    return row;
  });
}

export function metricsRows(table: MetricsTable, dataset: string, moments: readonly string[]): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const moment of moments) {
    for (const predictor of PREDICTORS) {
      const m: MomentMetrics | null | undefined = table[dataset]?.[predictor]?.[moment];
      if (!m) {
        rows.push([moment, PREDICTOR_LABELS[predictor], 'n/a', 'n/a', 'n/a', 'n/a']);
        continue;
      }
      const peaks = m.peaks.map((p) => `${fmt(p.ratio)} (t=${p.t})`).join(', ') || 'no peak';
      rows.push([moment, PREDICTOR_LABELS[predictor], pct(m.meanRelError), `${pct(m.maxRelError)} (t=${m.maxRelErrorTime})`, fmt(m.rmse), peaks]);
    }
  }
  return rows;
}

function reportBlocks(
  config: LvConfig,
  dir: string,
  metrics: MetricsTable,
  moments: readonly string[],
  targets: TargetResult[],
  timings: { stage: string; seconds: number; peakRssMB: number }[],
  figures: Figure[],
  records: Partial<Record<string, StageRecord>>,
): Block[] {
  const s = config.settings;
  const blocks: Block[] = [];
  blocks.push({ kind: 'h', level: 1, text: 'Lattice Lotka-Volterra moment closure (arXiv 1905.12122): report' });
  blocks.push({
    kind: 'p',
    text:
      `Preset **${config.preset}**, seed ${config.seed}, config hash \`${config.hash}\`, directory \`${dir}\`. ` +
      `${s.simulate.size} x ${s.simulate.size} periodic lattice, t = 0 .. ${s.simulate.timeSteps - 1}, ${s.simulate.trainRuns} training runs ` +
      `and ${s.simulate.heldoutRuns} held-out runs (disjoint random streams), ${s.train.steps * s.train.passes} training steps` +
      `${s.train.passes > 1 ? ` (${s.train.passes} passes of the curriculum, ${s.train.steps} steps each)` : ''}` +
      `${s.train.averageSteps > 0 ? `; the learned F is the mean of the last ${s.train.averageSteps} iterates` : ''}. ` +
      `Regenerate with \`srn-bench lv report --out ${dir}\`; rerun everything with \`srn-bench lv all --out ${dir} --preset ${config.preset} --seed ${config.seed}\` (plus any overrides listed below).`,
  });
  blocks.push({ kind: 'p', text: `Model: ${MODEL_DESCRIPTIONS[s.train.couplings]}` });
  blocks.push({ kind: 'h', level: 2, text: 'Quality targets' });
  blocks.push({
    kind: 'p',
    text:
      'Mean over t of |predicted − simulated| / simulated for the learned closure with filtered θ on the held-out set; targets from the issue ' +
      '(defined for the paper preset), and the original method\'s score at the paper settings for comparison. ' +
      (config.preset === 'paper'
        ? "This run uses the paper preset (the paper's data and sizes, the improved model; `--preset paper-original` runs the paper's exact configuration)."
        : config.preset === 'paper-original'
          ? "This run uses the paper's exact configuration (`paper-original`); the targets are for the paper preset, which improves the model."
          : `**This run uses the ${config.preset} preset, so the targets are indicative only.**`),
  });
  blocks.push({
    kind: 'table',
    header: ['moment', 'target', 'original method', 'learned (filtered θ)', 'pair approximation', 'below target', 'better than pair', 'result'],
    rows: targets.map((t) => [
      t.moment,
      `< ${pct(t.target)}`,
      pct(t.original),
      pct(t.learned),
      pct(t.pair),
      t.belowTarget ? 'yes' : 'no',
      t.betterThanPair ? 'yes' : 'no',
      t.pass ? '**PASS**' : '**FAIL**',
    ]),
  });
  const untrained = untrainedBlock(records.predict);
  if (untrained) blocks.push(untrained);
  blocks.push({ kind: 'h', level: 2, text: 'Timings and memory' });
  blocks.push({
    kind: 'table',
    header: ['stage', 'wall time', 'peak RSS of the process'],
    rows: timings.map((t) => [t.stage, `${fmt(t.seconds)} s`, `${fmt(t.peakRssMB)} MB`]),
  });
  const total = timings.reduce((a, t) => a + (Number.isFinite(t.seconds) ? t.seconds : 0), 0);
  const train = records.train as StageRecord & { sessions?: number };
  blocks.push({
    kind: 'p',
    text:
      `Total ${fmt(total)} s. Training ran in ${train?.sessions ?? 1} session(s) (its time is summed over them). Peak RSS is the process's ` +
      'maximum so far when the stage finished (worker threads included; in `lv all` the stages share one process).',
  });
  for (const dataset of ['heldout', 'train'] as const) {
    blocks.push({ kind: 'h', level: 2, text: `Metrics: ${dataset === 'heldout' ? `held-out set (${s.simulate.heldoutRuns} runs)` : `training set (${s.simulate.trainRuns} runs)`}` });
    blocks.push({
      kind: 'table',
      header: ['moment', 'predictor', 'mean rel. error', 'max rel. error', 'RMSE', 'pred/sim at the simulated peaks'],
      rows: metricsRows(metrics, dataset, moments),
    });
  }
  blocks.push({ kind: 'h', level: 2, text: 'Figures' });
  for (const figure of figures) blocks.push({ kind: 'figure', figure });
  blocks.push({ kind: 'h', level: 2, text: 'Settings' });
  const rows: (string | number)[][] = [];
  for (const row of SETTING_ROWS) {
    const value = (s as unknown as Record<string, Record<string, unknown>>)[row.section][row.key];
    rows.push([`--${row.flag}`, String(value), row.section, row.option.description]);
  }
  blocks.push({ kind: 'table', header: ['option', 'value', 'stage', 'meaning'], rows });
  blocks.push({ kind: 'p', text: `Random streams: ${Object.entries(config.streams).map(([k, v]) => `${k} \`${v}\``).join(', ')}.` });
  blocks.push({ kind: 'p', text: `Versions: ${Object.entries(config.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.` });
  blocks.push({ kind: 'h', level: 2, text: 'Notes' });
  blocks.push({
    kind: 'p',
    text:
      `Data: the ${s.simulate.scheme === 'paper' ? `paper's operator-split scheme with ${s.simulate.selection} picks` : 'exact lattice SSA'}; all runs enter ` +
      'the means (the paper leaves extinct runs out only of its phase-plane figure). Learned closure: θ(t) is the Euler solve of the ' +
      `learned F from θ(0); "filtered" applies a Hamming-windowed sinc low-pass (cutoff ${s.predict.cutoff} rad/sample, ${s.predict.taps} taps, ` +
      `edge values repeated) before sampling; each time point uses ${s.predict.chains} fresh chains, ${s.predict.sweeps} Gibbs sweeps and one ` +
      (s.train.couplings === 'lateral'
        ? 'more binary sweep; moments are counted on the binary states (coupled visible units make products of their probabilities biased). '
        : 'final parallel update returning probabilities (spec 7.1). ') +
      'Baselines: mean-field and pair-approximation rate equations of the ' +
      `continuous-time model with predation rate λ = 2 · (1/4) · ${s.simulate.predationProbability} per X–Y pair, so they also carry the difference ` +
      'between that model and the operator-split simulation.',
  });
  blocks.push({
    kind: 'p',
    text:
      'Definitions (spec section 3.1): n_X counts prey; NN_XX counts prey pairs at displacements (0,1), (1,0); NNN_XY counts mixed pairs at ' +
      '(0,2), (1,1), (2,0) (the paper leaves (1,−1) out); all periodic. Peaks are local maxima of the (lightly smoothed) simulated mean ' +
      'that rise at least 5 % above their surroundings.',
  });
  return blocks;
}

/** One sentence per model choice (`--couplings`), for the report. */
const MODEL_DESCRIPTIONS: Record<LvConfig['settings']['train']['couplings'], string> = {
  same:
    "the paper's deep Boltzmann machine (a visible and two hidden lattice layers of 3-state units, 2 x 2 receptive fields, " +
    'same-species couplings X-X1, Y-Y1, X1-X2, Y1-Y2; 10 parameters, FE domain hX hY wXX1 wYY1 wX1X2 wY1Y2), trained with centering and the adjoint.',
  cross:
    "the paper's deep Boltzmann machine with cross-species couplings added (X-Y1, Y-X1, X1-Y2, Y1-X2; 14 parameters; the cross weights are " +
    'outputs of F but not FE inputs, so the domain stays hX hY wXX1 wYY1 wX1X2 wY1Y2).',
  lateral:
    'a dynamic Potts model without hidden layers: visible biases hX, hY, nearest-neighbour couplings of every species pair (nXX, nXY, nYX, nYY) ' +
    'and prey-predator couplings at distance 2 (mXY, mYX; displacements (0,2), (2,0), (1,1), (1,-1)), so its sufficient statistics are the ' +
    'counts and pair counts themselves; FE domain hX hY nXX nYY nXY mXY (the mirrored nYX and mYX are outputs only), trained with centering ' +
    'and the adjoint exactly as the paper machine. It replaces the hidden layers, which represent the prey-predator segregation only indirectly.',
};

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Renders blocks as Markdown (figures as SVG links with a PNG fallback link). */
export function toMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h') out.push(`${'#'.repeat(b.level)} ${b.text}`, '');
    else if (b.kind === 'p') out.push(b.text, '');
    else if (b.kind === 'table') {
      out.push(`| ${b.header.map(mdEscape).join(' | ')} |`, `|${b.header.map(() => '---').join('|')}|`);
      for (const row of b.rows) out.push(`| ${row.map((c) => mdEscape(String(c))).join(' | ')} |`);
      out.push('');
    } else {
      const f = b.figure;
      out.push(`![${f.name}](figures/${f.files.svg})`, '', `*${f.caption}* ([PNG](figures/${f.files.png}), [vega-lite spec](figures/${f.files.spec}))`, '');
    }
  }
  return `${out.join('\n')}\n`;
}

function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function inline(text: string): string {
  return htmlEscape(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>');
}

/** Renders blocks as a self-contained HTML page with the SVG figures inline. */
export function toHtml(blocks: Block[], title: string): string {
  return toHtmlChunks(blocks, title).join('');
}

/**
 * The text of {@link toHtml} in consecutive pieces (each figure's SVG and spec separately), for writing the page
 * (5 MB for the paper preset, mostly the figures) without concatenating it first.
 */
export function toHtmlChunks(blocks: Block[], title: string): string[] {
  const body: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h') body.push(`<h${b.level}>${inline(b.text)}</h${b.level}>`);
    else if (b.kind === 'p') body.push(`<p>${inline(b.text)}</p>`);
    else if (b.kind === 'table') {
      body.push('<table>', `<tr>${b.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr>`);
      for (const row of b.rows) body.push(`<tr>${row.map((c) => `<td>${inline(String(c))}</td>`).join('')}</tr>`);
      body.push('</table>');
    } else {
      const f = b.figure;
      const svg = f.svg.replace(/^<\?xml[^>]*>\s*/, '');
      body.push(
        `<figure id="${f.name}"><div class="chart" data-figure="${f.name}">${svg}</div><figcaption>${inline(f.caption)} (<a href="figures/${f.files.png}">PNG</a>, <a href="figures/${f.files.spec}">vega-lite spec</a>)</figcaption></figure>`,
      );
    }
  }
  const style =
    'body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}' +
    'table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}' +
    'th{background:#f3f3f3}figure{margin:1.5em 0}figcaption{font-size:0.9em;color:#444;max-width:900px}svg{max-width:100%;height:auto}code{background:#f3f3f3;padding:0 0.2em}';
  const head = `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${htmlEscape(title)}</title>\n<style>${style}</style>\n</head>\n<body>\n`;
  return [head, ...body.flatMap((b, i) => (i === 0 ? [b] : ['\n', b])), '\n', ...interactiveScripts(blocks), '</body>\n</html>\n'];
}

/**
 * The scripts that make report.html's figures interactive offline: the Vega runtime inlined (no network) and each
 * figure's compiled Vega spec; the static SVG stays in the page until its live chart has rendered (and without
 * JavaScript).
 */
function interactiveScripts(blocks: Block[]): string[] {
  // { name: spec, ... } as JSON.stringify would write it, from every figure's spec text (a figure appears once).
  const specs = new Map<string, string>();
  for (const b of blocks) if (b.kind === 'figure' && b.figure.vega) specs.set(b.figure.name, b.figure.vega);
  if (specs.size === 0) return [];
  const runtime = readFileSync(join(dirname(createRequire(import.meta.url).resolve('vega')), 'vega.min.js'), 'utf8');
  // JSON inside <script>: escape '<' so no '</script>' can end the element early (piece by piece: '<' is one character).
  const data = [...specs].map(([name, spec], i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:${spec.replace(/</g, '\\u003c')}`);
  const boot =
    'const specs=JSON.parse(document.getElementById("srn-figure-specs").textContent);window.srnCharts={};' +
    'for(const el of document.querySelectorAll(".chart[data-figure]")){const spec=specs[el.dataset.figure];if(!spec)continue;' +
    'const host=document.createElement("div");const view=new vega.View(vega.parse(spec),{renderer:"svg",container:host,hover:true});' +
    'window.srnCharts[el.dataset.figure]=view.runAsync().then(()=>{el.replaceChildren(host);el.dataset.interactive="true";return view;});}';
  return [
    `<script>${runtime.replace(/<\/script/gi, '<\\/script')}</script>\n<script type="application/json" id="srn-figure-specs">`,
    ...data,
    `}</script>\n<script>${boot}</script>\n`,
  ];
}

/** Names of the report's files relative to DIR/report (for tests and the README). */
export function reportFiles(figures: readonly string[]): string[] {
  return ['report.md', 'report.html', 'metrics.json', 'stage.json', ...figures.flatMap((f) => [`figures/${f}.svg`, `figures/${f}.png`, `figures/${f}.vl.json`])];
}

/** True when a stage's record exists and is current (used by `lv all --resume` to skip finished stages). */
export function stageIsCurrent(dir: string, stage: (typeof LV_STAGES)[number], config: { hash: string }): boolean {
  const record = peekStageRecord(dir, stage);
  return record !== undefined && record.configHash === config.hash;
}
